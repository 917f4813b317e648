import type { Clock } from '../../src/core/clock.js';

/**
 * A simulated New Era NE-1000 syringe pump (docs/protocols/ne1000.md): a rate in mL/h shown in
 * one of the pump's rate units, infusing or stopped, volume infused integrated over an injected
 * clock, an optional volume to be dispensed (VOL) that stops it when reached, and alarms that
 * stop it (R reset, S stall, T safe-mode timeout, E, O). A plunger at the end of the syringe
 * stalls the motor (alarm S). No protocol here (see protocol-handler.ts).
 */

export type Ne1000RateUnit = 'UM' | 'MM' | 'UH' | 'MH';
export type Ne1000AlarmLetter = 'R' | 'S' | 'T' | 'E' | 'O';

/** Factor from a rate unit to mL/h. */
export const SIM_RATE_UNIT_ML_PER_HOUR: Readonly<Record<Ne1000RateUnit, number>> = { UM: 0.06, MM: 60, UH: 0.001, MH: 1 };

export interface Ne1000PumpModelOptions {
  readonly clock: Clock;
  /** Programmed rate, mL/h (default 1). */
  readonly rateMlPerHour?: number;
  /** Unit the pump shows the rate in (default MH). */
  readonly rateUnit?: Ne1000RateUnit;
  /** Syringe inside diameter, mm (default 26.59, a 60 mL syringe). */
  readonly diameterMm?: number;
  /** Volume in the syringe, mL (default 50). */
  readonly syringeVolumeMl?: number;
  /** Volume to be dispensed, mL; 0 = until stopped (default 0). */
  readonly targetVolumeMl?: number;
}

export interface Ne1000PumpSnapshot {
  readonly running: boolean;
  readonly rateMlPerHour: number;
  readonly rateUnit: Ne1000RateUnit;
  readonly diameterMm: number;
  readonly volumeInfusedMl: number;
  readonly volumeWithdrawnMl: number;
  readonly syringeRemainingMl: number;
  readonly targetVolumeMl: number;
  /** The alarm the pump shows (until acknowledged), or null. */
  readonly alarm: Ne1000AlarmLetter | null;
}

export class Ne1000PumpModel {
  private readonly clock: Clock;
  private rate: number;
  private rateUnit: Ne1000RateUnit;
  private diameter: number;
  private running = false;
  private infused = 0;
  private syringeRemaining: number;
  private target: number;
  private alarm: Ne1000AlarmLetter | null = null;
  private lastUpdate: number;

  constructor(options: Ne1000PumpModelOptions) {
    this.clock = options.clock;
    this.rate = options.rateMlPerHour ?? 1;
    this.rateUnit = options.rateUnit ?? 'MH';
    this.diameter = options.diameterMm ?? 26.59;
    this.syringeRemaining = options.syringeVolumeMl ?? 50;
    this.target = options.targetVolumeMl ?? 0;
    this.lastUpdate = this.clock.now();
  }

  /** The state now (integrates up to the clock's current time first). */
  snapshot(): Ne1000PumpSnapshot {
    this.advance();
    return {
      running: this.running, rateMlPerHour: this.rate, rateUnit: this.rateUnit, diameterMm: this.diameter,
      volumeInfusedMl: this.infused, volumeWithdrawnMl: 0, syringeRemainingMl: this.syringeRemaining,
      targetVolumeMl: this.target, alarm: this.alarm,
    };
  }

  /** Starts infusing; false while an alarm is shown or nothing can be delivered. */
  run(): boolean {
    this.advance();
    if (this.alarm !== null || this.deliverableMl() <= 0) return false;
    this.running = true;
    return true;
  }

  stop(): void {
    this.advance();
    this.running = false;
  }

  /** Sets the rate in mL/h (> 0); the unit shown stays. Returns false when out of range. */
  setRate(rateMlPerHour: number): boolean {
    this.advance();
    if (!(rateMlPerHour > 0 && rateMlPerHour <= 1200)) return false;
    this.rate = rateMlPerHour;
    return true;
  }

  /** Sets rate and unit together, as `RAT <float><unit>` does. */
  setRateInUnit(value: number, unit: Ne1000RateUnit): boolean {
    if (!this.setRate(value * SIM_RATE_UNIT_ML_PER_HOUR[unit])) return false;
    this.rateUnit = unit;
    return true;
  }

  setDiameter(mm: number): boolean {
    if (!(mm >= 0.1 && mm <= 80)) return false;
    this.diameter = mm;
    return true;
  }

  setTargetVolume(ml: number): boolean {
    this.advance();
    if (!(ml >= 0 && ml <= 9999)) return false;
    this.target = ml;
    return true;
  }

  /** Clears the volume dispensed counter (`CLD`). */
  clearDispensed(): void {
    this.advance();
    this.infused = 0;
  }

  /** Raises an alarm: the pump stops. */
  raiseAlarm(letter: Ne1000AlarmLetter): void {
    this.advance();
    this.running = false;
    this.alarm = letter;
  }

  /** The alarm was acknowledged (keypad, or reported in reply to a valid command): it is no longer shown. */
  acknowledgeAlarm(): void {
    this.alarm = null;
  }

  private deliverableMl(): number {
    const toTarget = this.target > 0 ? Math.max(0, this.target - this.infused) : Number.POSITIVE_INFINITY;
    return Math.min(toTarget, this.syringeRemaining);
  }

  /** Integrates delivery to now; stops at the target volume, stalls on an empty syringe. */
  private advance(): void {
    const now = this.clock.now();
    const dtHours = Math.max(0, now - this.lastUpdate) / 3_600_000;
    this.lastUpdate = now;
    if (!this.running || dtHours <= 0) return;
    const limit = this.deliverableMl();
    const delivered = Math.min(this.rate * dtHours, limit);
    this.infused += delivered;
    this.syringeRemaining -= delivered;
    if (delivered < limit) return;
    this.running = false;
    if (this.syringeRemaining <= 0) this.alarm = 'S';
  }
}
