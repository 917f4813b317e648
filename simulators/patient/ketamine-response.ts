import { hash32 } from './seeded-random.js';
import type { Vitals } from './vitals.js';

/**
 * The haemodynamic and respiratory response to ketamine (ketamine-clinical.md,
 * "Haemodynamic and respiratory response"), driven by the effect-site concentration Ce.
 *
 * Haemodynamics: delta = sensitivity x Emax x H(Ce), with the Hill curve
 * H(Ce) = Ce^g / (EC50^g + Ce^g), EC50 300 ng/mL, g 1.5. Emax per vital is chosen so that
 * Ce = 185 ng/mL (the plasma level at the end of 0.5 mg/kg over 40 min) gives the pooled
 * mean rise of +13 / +9 mmHg and +4 /min at sensitivity 1. The curve flattens towards
 * about +40 / +28 mmHg and +12 /min at anaesthetic levels, and falls to a few mmHg when
 * Ce drops below ~50 ng/mL (back near baseline within about 1.5 h).
 *
 * Respiration: rare at these doses, so a steep curve R(Ce) = Ce^3 / (1500^3 + Ce^3):
 * SpO2 -3 %, respiration rate -4 /min and EtCO2 +4 mmHg at most; below ~500 ng/mL the
 * change is under 0.1 %.
 */

/** The concentration at which the response equals the pooled means, ng/mL. */
export const RESPONSE_CALIBRATION_CE_NG_PER_ML = 185;

/** Pooled mean rises at the calibration concentration, sensitivity 1. */
export const RESPONSE_AT_CALIBRATION = { systolicMmHg: 13, diastolicMmHg: 9, heartRatePerMin: 4 } as const;

const HAEMO_EC50_NG_PER_ML = 300;
const HAEMO_HILL = 1.5;
const RESP_EC50_NG_PER_ML = 1500;
const RESP_HILL = 3;
const RESP_MAX = { spo2: -3, respRate: -4, etco2MmHg: 4 } as const;

/** Sensitivity multiplier of a hypertensive responder. */
export const HYPERTENSIVE_RESPONDER_FACTOR = 2.5;
/** Share of patients who are hypertensive responders when not configured. */
export const HYPERTENSIVE_RESPONDER_SHARE = 0.05;
/** Log-normal spread of the per-patient sensitivity (sigma of ln), mean 1. */
export const SENSITIVITY_LOG_SD = 0.35;

function hill(ce: number, ec50: number, n: number): number {
  if (!(ce > 0)) return 0;
  const x = (ce / ec50) ** n;
  return x / (1 + x);
}

const CALIBRATION_FRACTION = hill(RESPONSE_CALIBRATION_CE_NG_PER_ML, HAEMO_EC50_NG_PER_ML, HAEMO_HILL);

/** Maximum rises at sensitivity 1 (derived from the calibration). */
export const RESPONSE_EMAX = {
  systolicMmHg: RESPONSE_AT_CALIBRATION.systolicMmHg / CALIBRATION_FRACTION,
  diastolicMmHg: RESPONSE_AT_CALIBRATION.diastolicMmHg / CALIBRATION_FRACTION,
  heartRatePerMin: RESPONSE_AT_CALIBRATION.heartRatePerMin / CALIBRATION_FRACTION,
} as const;

/** The changes to the vitals at one effect-site concentration. */
export interface KetamineVitalChanges {
  readonly systolicMmHg: number;
  readonly diastolicMmHg: number;
  readonly heartRatePerMin: number;
  readonly spo2: number;
  readonly respRate: number;
  readonly etco2MmHg: number;
}

/** How strongly one patient responds. */
export interface KetamineSensitivity {
  /** Multiplier of the haemodynamic response (1 = pooled mean); responder factor included. */
  readonly sensitivity: number;
  readonly hypertensiveResponder: boolean;
}

/** The response of a patient with `sensitivity` to effect-site concentration `ceNgPerMl`. */
export function ketamineVitalChanges(ceNgPerMl: number, sensitivity: number): KetamineVitalChanges {
  const h = hill(ceNgPerMl, HAEMO_EC50_NG_PER_ML, HAEMO_HILL) * sensitivity;
  const r = hill(ceNgPerMl, RESP_EC50_NG_PER_ML, RESP_HILL);
  return {
    systolicMmHg: RESPONSE_EMAX.systolicMmHg * h,
    diastolicMmHg: RESPONSE_EMAX.diastolicMmHg * h,
    heartRatePerMin: RESPONSE_EMAX.heartRatePerMin * h,
    spo2: RESP_MAX.spo2 * r,
    respRate: RESP_MAX.respRate * r,
    etco2MmHg: RESP_MAX.etco2MmHg * r,
  };
}

/** Adds the response to a setpoint (only to the vitals the setpoint has). */
export function applyKetamineResponse(setpoint: Vitals, changes: KetamineVitalChanges): Vitals {
  const add = (value: number | undefined, delta: number): number | undefined => (value === undefined ? undefined : value + delta);
  const out: Record<string, number | undefined> = {
    ...setpoint,
    pulseRate: setpoint.pulseRate + changes.heartRatePerMin,
    spo2: setpoint.spo2 + changes.spo2,
    nibpSysMmHg: add(setpoint.nibpSysMmHg, changes.systolicMmHg),
    nibpDiaMmHg: add(setpoint.nibpDiaMmHg, changes.diastolicMmHg),
    respRate: add(setpoint.respRate, changes.respRate),
    etco2MmHg: add(setpoint.etco2MmHg, changes.etco2MmHg),
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as unknown as Vitals;
}

/**
 * A patient's sensitivity from its seed, unless configured: log-normal with mean 1
 * (sigma of ln 0.35), and 1 patient in 20 a hypertensive responder (x2.5).
 */
export function sensitivityFor(
  seed: number,
  configured: { sensitivity?: number; hypertensiveResponder?: boolean } = {},
): KetamineSensitivity {
  const u = (channel: number): number => (hash32(seed, 0x6b6574, channel) + 0.5) / 4294967296;
  const responder = configured.hypertensiveResponder ?? u(3) < HYPERTENSIVE_RESPONDER_SHARE;
  // Box-Muller from two seeded uniforms: z ~ N(0, 1).
  const z = Math.sqrt(-2 * Math.log(u(1))) * Math.cos(2 * Math.PI * u(2));
  const base = configured.sensitivity ?? Math.exp(SENSITIVITY_LOG_SD * z - (SENSITIVITY_LOG_SD * SENSITIVITY_LOG_SD) / 2);
  return { sensitivity: base * (responder ? HYPERTENSIVE_RESPONDER_FACTOR : 1), hypertensiveResponder: responder };
}
