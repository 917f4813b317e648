/**
 * The vital signs a virtual patient produces. The three oximetry vitals are always
 * present; the others are optional so later models (blood pressure, respiration,
 * EtCO2, temperature, a ketamine-driven haemodynamic model) can add them without
 * changing the devices that do not show them.
 */
export interface Vitals {
  /** Functional oxygen saturation, % (0-100). */
  readonly spo2: number;
  /** Pulse rate, beats per minute. */
  readonly pulseRate: number;
  /** Perfusion index, %. */
  readonly perfusionIndex: number;
  /** Pleth variability index, % (Masimo PVI), when modelled. */
  readonly pvi?: number;
  /** Carboxyhaemoglobin saturation, %, when modelled. */
  readonly spco?: number;
  /** Methaemoglobin saturation, %, when modelled. */
  readonly spmet?: number;
  /** Respiration rate, breaths per minute, when modelled. */
  readonly respRate?: number;
  /** Non-invasive systolic / diastolic blood pressure, mmHg, when modelled. */
  readonly nibpSysMmHg?: number;
  readonly nibpDiaMmHg?: number;
}

/** The baseline a patient starts from: a calm adult at rest. */
export const DEFAULT_BASELINE: Vitals = { spo2: 97, pulseRate: 72, perfusionIndex: 3.5 };

/** Physiological bounds every produced value is clamped to. */
const BOUNDS: Partial<Record<keyof Vitals, readonly [number, number]>> = {
  spo2: [0, 100],
  pulseRate: [0, 300],
  perfusionIndex: [0.02, 20],
  pvi: [0, 100],
  spco: [0, 99],
  spmet: [0, 99],
  respRate: [0, 80],
  nibpSysMmHg: [0, 300],
  nibpDiaMmHg: [0, 250],
};

/** Clamps every present value into its physiological range (SpO2 never above 100). */
export function clampVitals(vitals: Vitals): Vitals {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(vitals) as Array<[keyof Vitals, number | undefined]>) {
    if (value === undefined) continue;
    const bounds = BOUNDS[key];
    out[key] = bounds ? Math.min(bounds[1], Math.max(bounds[0], value)) : value;
  }
  return out as unknown as Vitals;
}
