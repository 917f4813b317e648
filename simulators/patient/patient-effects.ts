import type { Vitals } from './vitals.js';

/**
 * Something that changes a patient's vitals for a while: a scripted event today,
 * a drug effect (e.g. ketamine plasma concentration -> blood pressure) later.
 * Effects are applied in order to the noise-free setpoint; noise is added after.
 */
export interface PatientEffect {
  /** What caused it, e.g. `desaturation`, `pulse-change`. */
  readonly kind: string;
  /** The vital it drives; a new effect on the same vital replaces this one. */
  readonly vital: keyof Vitals;
  /** The setpoint with this effect applied, at physiological time `tMs`. */
  apply(setpoint: Vitals, tMs: number): Vitals;
  /** True once the effect no longer changes anything (it is then dropped). */
  isOver(tMs: number): boolean;
  /** Short human-readable state, e.g. `desaturation to 82 (hold, 95 s left)`. */
  describe(tMs: number): string;
}

/** Parameters of a ramp-hold-recover change of one vital, in physiological time. */
export interface VitalRampParams {
  readonly kind: string;
  readonly vital: keyof Vitals;
  readonly target: number;
  /** Physiological ms when the effect starts. */
  readonly startMs: number;
  /** Value of the vital when the effect starts, so a replaced effect does not jump. */
  readonly startValue: number;
  readonly rampMs: number;
  readonly holdMs: number;
}

function lerp(from: number, to: number, fraction: number): number {
  return from + (to - from) * Math.min(1, Math.max(0, fraction));
}

/**
 * Ramps one vital linearly from its start value to `target` over `rampMs`, holds it
 * for `holdMs`, then ramps back to the underlying setpoint over `rampMs`.
 */
export class VitalRampEffect implements PatientEffect {
  readonly kind: string;
  readonly vital: keyof Vitals;
  constructor(private readonly p: VitalRampParams) {
    this.kind = p.kind;
    this.vital = p.vital;
  }

  apply(setpoint: Vitals, tMs: number): Vitals {
    const value = this.valueAt(setpoint[this.vital] ?? this.p.startValue, tMs);
    return { ...setpoint, [this.vital]: value };
  }

  isOver(tMs: number): boolean {
    return tMs - this.p.startMs >= 2 * this.p.rampMs + this.p.holdMs;
  }

  describe(tMs: number): string {
    const { rampMs, holdMs } = this.p;
    const dt = tMs - this.p.startMs;
    const phase = dt < rampMs ? 'ramping' : dt < rampMs + holdMs ? 'holding' : 'recovering';
    const leftS = Math.max(0, Math.ceil((2 * rampMs + holdMs - dt) / 1000));
    return `${this.kind} to ${this.p.target} (${phase}, ${leftS} s left)`;
  }

  private valueAt(underlying: number, tMs: number): number {
    const { rampMs, holdMs, target, startValue } = this.p;
    const dt = tMs - this.p.startMs;
    if (dt < 0) return underlying;
    if (dt < rampMs) return lerp(startValue, target, dt / rampMs);
    if (dt < rampMs + holdMs) return target;
    if (dt < 2 * rampMs + holdMs) return lerp(target, underlying, (dt - rampMs - holdMs) / rampMs);
    return underlying;
  }
}
