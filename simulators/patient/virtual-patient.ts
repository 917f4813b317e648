import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import { VigilError } from '../../src/core/errors.js';
import { DrugExposure, type InfusionSource } from './drug-exposure.js';
import { KetaminePk, type KetamineConcentrations } from './ketamine-pk.js';
import {
  applyKetamineResponse,
  ketamineVitalChanges,
  sensitivityFor,
  type KetamineSensitivity,
  type KetamineVitalChanges,
} from './ketamine-response.js';
import { PATIENT_EVENT_DEFAULTS, type PatientEvent } from './patient-events.js';
import { VitalRampEffect, type PatientEffect } from './patient-effects.js';
import { smoothNoise } from './seeded-random.js';
import { clampVitals, DEFAULT_BASELINE, withMeanPressure, type Vitals } from './vitals.js';

/** How a bed's virtual patient is set up. Validated by `patientSpecSchema`. */
export const patientSpecSchema = z.strictObject({
  /** PRNG seed (any integer, used modulo 2^32): the same seed gives the same vitals at the same time. */
  seed: z.number().int().optional(),
  /** Physiology speed-up: 10 = ramps and noise run 10x faster than real time. */
  timeScale: z.number().positive().max(1000).optional(),
  /** Body weight, kg (default 70): scales the ketamine central volume. */
  weightKg: z.number().min(2).max(350).optional(),
  /** Response to ketamine; by default drawn from the seed (see ketamine-response.ts). */
  ketamine: z
    .strictObject({
      /** Haemodynamic sensitivity, 1 = pooled mean response. */
      sensitivity: z.number().min(0).max(10).optional(),
      /** A hypertensive responder: sensitivity x2.5 (default: 1 patient in 20, from the seed). */
      hypertensiveResponder: z.boolean().optional(),
    })
    .optional(),
  baseline: z
    .strictObject({
      spo2: z.number().min(50).max(100).optional(),
      pulseRate: z.number().min(20).max(250).optional(),
      perfusionIndex: z.number().min(0.02).max(20).optional(),
      nibpSysMmHg: z.number().min(50).max(260).optional(),
      nibpDiaMmHg: z.number().min(20).max(180).optional(),
      respRate: z.number().min(4).max(60).optional(),
      etco2MmHg: z.number().min(10).max(100).optional(),
      temperatureC: z.number().min(30).max(43).optional(),
    })
    .refine((b) => (b.nibpSysMmHg ?? 120) > (b.nibpDiaMmHg ?? 78), {
      message: 'nibpSysMmHg must be above nibpDiaMmHg',
      path: ['nibpDiaMmHg'],
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
  nibpSysMmHg: { channel: 4, amplitude: 3, periodSeconds: 30 },
  nibpDiaMmHg: { channel: 5, amplitude: 2, periodSeconds: 30 },
  respRate: { channel: 6, amplitude: 1, periodSeconds: 10 },
  etco2MmHg: { channel: 7, amplitude: 1, periodSeconds: 10 },
  temperatureC: { channel: 8, amplitude: 0.05, periodSeconds: 120 },
};

/** The patient's ketamine state, for the control API and the CLI. */
export interface PatientDrugState extends KetamineConcentrations, KetamineSensitivity {
  readonly drug: 'ketamine';
  readonly weightKg: number;
  /** The response now (noise-free change of each vital). */
  readonly changes: KetamineVitalChanges;
  /** Ids of the devices delivering the drug (e.g. the bed's pump). */
  readonly sources: string[];
}

/**
 * One bed's virtual patient. Vitals at physiological time t = baseline, then the
 * ketamine response (from the effect-site concentration of what its infusion sources
 * delivered), then every active scripted effect in order, then seeded bounded noise, then
 * the derived mean pressure and clamping (SpO2 <= 100). Physiological time is real time
 * since creation (from the injected clock) times `timeScale`.
 */
export class VirtualPatient implements VitalsSource {
  readonly seed: number;
  readonly timeScale: number;
  readonly baseline: Vitals;
  readonly weightKg: number;
  readonly sensitivity: KetamineSensitivity;
  private readonly originMs: number;
  private readonly exposure: DrugExposure;
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
    this.weightKg = spec.weightKg ?? 70;
    this.sensitivity = sensitivityFor(this.seed, spec.ketamine);
    this.originMs = clock.monotonic();
    this.exposure = new DrugExposure(new KetaminePk(this.weightKg), 0);
  }

  /** Connects a source of ketamine (e.g. the bed's pump); only what it delivers from now on counts. */
  addInfusion(source: InfusionSource): void {
    this.exposure.addSource(source, this.physiologicalMs());
  }

  /** Brings the drug model up to now (the host calls it before pump commands and events). */
  syncDrug(): void {
    this.exposure.sync(this.physiologicalMs());
  }

  /** Ketamine concentrations, sensitivity and response now. */
  drugNow(): PatientDrugState {
    this.syncDrug();
    const c = this.exposure.concentrations();
    return {
      drug: 'ketamine', weightKg: this.weightKg, ...c, ...this.sensitivity,
      changes: ketamineVitalChanges(c.ceNgPerMl, this.sensitivity.sensitivity), sources: this.exposure.sourceIds(),
    };
  }

  /** Physiological milliseconds since the patient was created. */
  physiologicalMs(): number {
    return (this.clock.monotonic() - this.originMs) * this.timeScale;
  }

  /**
   * The noise-free setpoint at physiological time `tMs`: baseline + ketamine response +
   * active effects. The drug model only knows the present: the ketamine response is the
   * one now (after a sync), whatever `tMs`.
   */
  setpointAt(tMs: number): Vitals {
    this.syncDrug();
    const ce = this.exposure.concentrations().ceNgPerMl;
    let v = applyKetamineResponse(this.baseline, ketamineVitalChanges(ce, this.sensitivity.sensitivity));
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
    return clampVitals(withMeanPressure(noisy as unknown as Vitals));
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

  /** Active effects (the ketamine response when Ce >= 1 ng/mL, then scripted events), described for the control API. */
  describeEffects(): string[] {
    const drug = this.drugNow();
    const t = this.physiologicalMs();
    const scripted = this.effects.filter((e) => !e.isOver(t)).map((e) => e.describe(t));
    if (drug.ceNgPerMl < 1) return scripted;
    const { systolicMmHg, diastolicMmHg, heartRatePerMin } = drug.changes;
    const sign = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
    const line =
      `ketamine Ce ${drug.ceNgPerMl.toFixed(0)} ng/mL: BP ${sign(systolicMmHg)}/${sign(diastolicMmHg)} mmHg, ` +
      `HR ${sign(heartRatePerMin)} /min`;
    return [line, ...scripted];
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
