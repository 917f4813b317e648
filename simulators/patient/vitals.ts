/**
 * The vital signs a virtual patient produces. The three oximetry vitals are always
 * present; the others are optional so a device that does not show them (the Masimo
 * oximeters) is not concerned. The default patient has blood pressure, respiration,
 * EtCO2 and temperature, which the ketamine response (ketamine-response.ts) moves.
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
  /** Mean arterial pressure, mmHg: derived (diastolic + (systolic - diastolic) / 3), never set directly. */
  readonly nibpMeanMmHg?: number;
  /** End-tidal CO2, mmHg, when modelled. */
  readonly etco2MmHg?: number;
  /** Body temperature, degrees Celsius, when modelled. */
  readonly temperatureC?: number;
}

/** The baseline a patient starts from: a calm adult at rest (120/78 mmHg, 14 breaths/min). */
export const DEFAULT_BASELINE: Vitals = {
  spo2: 97,
  pulseRate: 72,
  perfusionIndex: 3.5,
  nibpSysMmHg: 120,
  nibpDiaMmHg: 78,
  respRate: 14,
  etco2MmHg: 38,
  temperatureC: 36.8,
};

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
  nibpMeanMmHg: [0, 270],
  etco2MmHg: [0, 150],
  temperatureC: [25, 45],
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

/** Adds the mean arterial pressure when systolic and diastolic are present (MAP = D + (S - D) / 3). */
export function withMeanPressure(vitals: Vitals): Vitals {
  const { nibpSysMmHg: sys, nibpDiaMmHg: dia } = vitals;
  if (sys === undefined || dia === undefined) return vitals;
  return { ...vitals, nibpMeanMmHg: dia + (sys - dia) / 3 };
}
