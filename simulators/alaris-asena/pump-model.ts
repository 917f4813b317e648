import type { Clock } from '../../src/core/clock.js';

/**
 * A simulated Asena GH syringe pump: a syringe of given volume, a rate in mL/h, running or
 * stopped, volume infused integrated over time from an injected clock, an optional VTBI that
 * stops the pump with INFUSION_COMPLETE when reached, a near-end alarm, and physical faults.
 * No protocol here (see protocol-handler.ts); time only moves when the clock does.
 */

/** Alarms the simulated pump can raise. */
export type SimPumpAlarm = 'occlusion' | 'air-in-line' | 'infusion-complete' | 'near-end' | 'door-open' | 'low-battery';

/** Physical faults that can be injected. All but low-battery stop the pump. */
export type SimPumpFault = 'occlusion' | 'air-in-line' | 'door-open' | 'low-battery';

const BLOCKING: readonly SimPumpAlarm[] = ['occlusion', 'air-in-line', 'door-open'];

export const SIM_RATE_LIMITS_ML_PER_HOUR = { min: 0.1, max: 1200 } as const;

export interface AsenaPumpModelOptions {
  readonly clock: Clock;
  /** Default `8002-00001`. */
  readonly serial?: string;
  /** Syringe volume loaded, mL (default 50). */
  readonly syringeVolumeMl?: number;
  /** Initial programmed rate, mL/h (default 1). */
  readonly rateMlPerHour?: number;
  /** Near-end alarm when the infusion would end within this many seconds (default 300). */
  readonly nearEndSeconds?: number;
}

/** The pump as the protocol reports it, at one instant. */
export interface SimPumpSnapshot {
  readonly serial: string;
  readonly running: boolean;
  readonly rateMlPerHour: number;
  readonly volumeInfusedMl: number;
  readonly syringeRemainingMl: number;
  readonly vtbiRemainingMl: number | null;
  readonly pressureMmHg: number;
  /** Seconds until the infusion ends at the current rate, null when stopped. */
  readonly timeRemainingSeconds: number | null;
  readonly alarms: readonly SimPumpAlarm[];
  /** Increments on every pump event (start, stop, rate change, alarm). */
  readonly logEntryId: number;
}

export class AsenaPumpModel {
  readonly serial: string;
  private readonly clock: Clock;
  private readonly nearEndSeconds: number;
  private rate: number;
  private running = false;
  private volumeInfused = 0;
  private syringeRemaining: number;
  private vtbiRemaining: number | null = null;
  private readonly alarms = new Set<SimPumpAlarm>();
  private logEntryId = 1;
  private lastUpdate: number;

  constructor(options: AsenaPumpModelOptions) {
    this.clock = options.clock;
    this.serial = options.serial ?? '8002-00001';
    this.syringeRemaining = options.syringeVolumeMl ?? 50;
    this.rate = options.rateMlPerHour ?? 1;
    this.nearEndSeconds = options.nearEndSeconds ?? 300;
    this.lastUpdate = this.clock.now();
  }

  /** The state now (integrates up to the clock's current time first). */
  snapshot(): SimPumpSnapshot {
    this.advance();
    const pressureMmHg = this.alarms.has('occlusion') ? 620 : this.running ? 25 : 3;
    return {
      serial: this.serial, running: this.running, rateMlPerHour: this.rate, volumeInfusedMl: this.volumeInfused,
      syringeRemainingMl: this.syringeRemaining, vtbiRemainingMl: this.vtbiRemaining, pressureMmHg,
      timeRemainingSeconds: this.running ? (this.deliverableMl() / this.rate) * 3600 : null,
      alarms: [...this.alarms], logEntryId: this.logEntryId,
    };
  }

  /** Sets the rate (mL/h), as the keypad or an accepted remote command does. Returns false when out of range. */
  setRate(rateMlPerHour: number): boolean {
    this.advance();
    if (!(rateMlPerHour >= SIM_RATE_LIMITS_ML_PER_HOUR.min && rateMlPerHour <= SIM_RATE_LIMITS_ML_PER_HOUR.max)) return false;
    this.rate = rateMlPerHour;
    this.event();
    return true;
  }

  /** Sets the volume to be infused (mL); the pump stops with INFUSION_COMPLETE when it is reached. */
  setVtbi(vtbiMl: number | null): void {
    this.advance();
    this.vtbiRemaining = vtbiMl;
    this.alarms.delete('infusion-complete');
    this.event();
  }

  /** Starts infusing; false when an alarm blocks it or nothing is left to deliver. */
  start(): boolean {
    this.advance();
    if (BLOCKING.some((a) => this.alarms.has(a)) || this.deliverableMl() <= 0) return false;
    this.alarms.delete('infusion-complete');
    this.running = true;
    this.event();
    return true;
  }

  stop(): void {
    this.advance();
    if (!this.running) return;
    this.running = false;
    this.event();
  }

  /** A nurse changes the rate on the keypad. */
  setRateAtPump(rateMlPerHour: number): boolean {
    return this.setRate(rateMlPerHour);
  }

  /** A nurse presses stop on the keypad. */
  stopAtPump(): void {
    this.stop();
  }

  /** A nurse presses start on the keypad. */
  startAtPump(): boolean {
    return this.start();
  }

  /** Injects a physical fault; occlusion, air in line and door open stop the pump. */
  inject(fault: SimPumpFault): void {
    this.advance();
    this.alarms.add(fault);
    if (BLOCKING.includes(fault)) this.running = false;
    this.event();
  }

  /** Clears a fault (the pump does not restart by itself). */
  clear(fault: SimPumpFault): void {
    this.advance();
    if (this.alarms.delete(fault)) this.event();
  }

  /** Volume still deliverable before the pump must stop: VTBI remaining or syringe remaining. */
  private deliverableMl(): number {
    return Math.min(this.vtbiRemaining ?? Number.POSITIVE_INFINITY, this.syringeRemaining);
  }

  private event(): void {
    this.logEntryId++;
  }

  /** Integrates delivery from the last update to now, stopping exactly at the VTBI or an empty syringe. */
  private advance(): void {
    const now = this.clock.now();
    const dtHours = Math.max(0, now - this.lastUpdate) / 3_600_000;
    this.lastUpdate = now;
    if (this.running && dtHours > 0) {
      const limit = this.deliverableMl();
      const delivered = Math.min(this.rate * dtHours, limit);
      this.volumeInfused += delivered;
      this.syringeRemaining -= delivered;
      if (this.vtbiRemaining !== null) this.vtbiRemaining -= delivered;
      if (delivered >= limit) {
        this.running = false;
        this.alarms.add('infusion-complete');
        this.event();
      }
    }
    const nearEnd = this.running && (this.deliverableMl() / this.rate) * 3600 <= this.nearEndSeconds;
    if (nearEnd && !this.alarms.has('near-end')) {
      this.alarms.add('near-end');
      this.event();
    } else if (!nearEnd && !this.alarms.has('infusion-complete') && this.alarms.delete('near-end')) {
      this.event();
    }
  }
}
