import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import { VigilError } from '../../src/core/errors.js';
import { PATIENT_EVENT_DEFAULTS, type PatientEvent } from './patient-events.js';
import { VitalRampEffect, type PatientEffect } from './patient-effects.js';
import { smoothNoise } from './seeded-random.js';
import { clampVitals, DEFAULT_BASELINE, type Vitals } from './vitals.js';

/** How a bed's virtual patient is set up. Validated by `patientSpecSchema`. */
export const patientSpecSchema = z.strictObject({
  /** PRNG seed (any integer, used modulo 2^32): the same seed gives the same vitals at the same time. */
  seed: z.number().int().optional(),
  /** Physiology speed-up: 10 = ramps and noise run 10x faster than real time. */
  timeScale: z.number().positive().max(1000).optional(),
  baseline: z
    .strictObject({
      spo2: z.number().min(50).max(100).optional(),
      pulseRate: z.number().min(20).max(250).optional(),
      perfusionIndex: z.number().min(0.02).max(20).optional(),
    })
    .optional(),
});

export type PatientSpec = z.infer<typeof patientSpecSchema>;

/** Anything that can tell a simulated device the vitals right now. */
export interface VitalsSource {
  vitalsNow(): Vitals;
}

/** Bounded noise per vital: amplitude (same unit as the vital) and knot period (s). */
const NOISE: Partial<Record<keyof Vitals, { channel: number; amplitude: number; periodSeconds: number }>> = {
  spo2: { channel: 1, amplitude: 1, periodSeconds: 4 },
  pulseRate: { channel: 2, amplitude: 3, periodSeconds: 3 },
  perfusionIndex: { channel: 3, amplitude: 0.3, periodSeconds: 5 },
};

/**
 * One bed's virtual patient. Vitals at physiological time t = baseline, then every
 * active effect in order (scripted events now, drug models later), then seeded bounded
 * noise, then clamping (SpO2 <= 100). Physiological time is real time since creation
 * (from the injected clock) times `timeScale`.
 */
export class VirtualPatient implements VitalsSource {
  readonly seed: number;
  readonly timeScale: number;
  readonly baseline: Vitals;
  private readonly originMs: number;
  private effects: PatientEffect[] = [];

  constructor(private readonly clock: Clock, spec: PatientSpec & { seed: number }) {
    const parsed = patientSpecSchema.safeParse(spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VigilError('CONFIG_INVALID', `patient spec: ${issue?.path.join('.') || '(spec)'}: ${issue?.message}`, {
        issues: parsed.error.issues,
      });
    }
    this.seed = spec.seed >>> 0;
    this.timeScale = spec.timeScale ?? 1;
    this.baseline = { ...DEFAULT_BASELINE, ...spec.baseline };
    this.originMs = clock.monotonic();
  }

  /** Physiological milliseconds since the patient was created. */
  physiologicalMs(): number {
    return (this.clock.monotonic() - this.originMs) * this.timeScale;
  }

  /** The noise-free setpoint at physiological time `tMs` (baseline + active effects). */
  setpointAt(tMs: number): Vitals {
    let v = this.baseline;
    for (const effect of this.effects) if (!effect.isOver(tMs)) v = effect.apply(v, tMs);
    return v;
  }

  /** The vitals at physiological time `tMs`, noise included, clamped. */
  vitalsAt(tMs: number): Vitals {
    const setpoint = this.setpointAt(tMs);
    const noisy: Record<string, number> = { ...setpoint };
    const tSeconds = tMs / 1000;
    for (const [key, n] of Object.entries(NOISE)) {
      const value = noisy[key];
      if (value === undefined || !n) continue;
      noisy[key] = value + n.amplitude * smoothNoise(this.seed, n.channel, tSeconds, n.periodSeconds);
    }
    return clampVitals(noisy as unknown as Vitals);
  }

  /** The vitals now. */
  vitalsNow(): Vitals {
    const t = this.physiologicalMs();
    this.effects = this.effects.filter((e) => !e.isOver(t));
    return this.vitalsAt(t);
  }

  /** Starts a scripted patient event now. */
  trigger(event: PatientEvent): void {
    const t = this.physiologicalMs();
    switch (event.type) {
      case 'recover':
        this.effects = [];
        return;
      case 'desaturation':
        this.startRamp(t, 'desaturation', 'spo2', event.targetSpo2 ?? PATIENT_EVENT_DEFAULTS.desaturationTargetSpo2, event);
        return;
      case 'pulse-change':
        this.startRamp(t, 'pulse-change', 'pulseRate', event.targetBpm, event);
        return;
    }
  }

  /** Active effects, described for the control API. */
  describeEffects(): string[] {
    const t = this.physiologicalMs();
    return this.effects.filter((e) => !e.isOver(t)).map((e) => e.describe(t));
  }

  private startRamp(
    tMs: number,
    kind: string,
    vital: keyof Vitals,
    target: number,
    timing: { rampSeconds?: number; holdSeconds?: number },
  ): void {
    const startValue = this.setpointAt(tMs)[vital] ?? target;
    this.effects = this.effects.filter((e) => e.vital !== vital && !e.isOver(tMs));
    this.effects.push(
      new VitalRampEffect({
        kind,
        vital,
        target,
        startMs: tMs,
        startValue,
        rampMs: (timing.rampSeconds ?? PATIENT_EVENT_DEFAULTS.rampSeconds) * 1000,
        holdMs: (timing.holdSeconds ?? PATIENT_EVENT_DEFAULTS.holdSeconds) * 1000,
      }),
    );
  }
}
