import { VigilError } from '../core/errors.js';
import type { DoseUnit } from './order-types.js';

/**
 * Dose and rate arithmetic of the rate-change workflow, and the rounding rule for pump
 * rates. Pure functions.
 *
 *   rate (mL/h) = dose (mg/kg/h) x weight (kg) / concentration (mg/mL)
 *
 * Example (ketamine-clinical.md, Dosing): 0.75 mg/kg/h for 70 kg at 10 mg/mL = 5.25 mL/h.
 */

/** The Asena GH takes rates with 2 decimals (device-protocols.md, Asena GH: `INF_RATE^<r.rr>^ml/h`). */
export const PUMP_RATE_DECIMALS = 2;
/** Smallest rate the Asena GH accepts, mL/h (device-protocols.md, Asena GH). */
export const PUMP_RATE_MIN_ML_PER_HOUR = 0.1;
/** Largest rate the Asena GH accepts, mL/h. */
export const PUMP_RATE_MAX_ML_PER_HOUR = 1200;
/**
 * Largest difference between two rates still counted as the same rate, mL/h: the
 * read-back tolerance of the executor, and so also the smallest change an order can make.
 */
export const RATE_TOLERANCE_ML_PER_HOUR = 0.01;

const STEPS_PER_ML_PER_HOUR = 10 ** PUMP_RATE_DECIMALS;
/** Guards comparisons against binary floating-point noise (0.1 + 0.2 !== 0.3). */
const EPSILON = 1e-9;

function checkProgramme(concentrationMgPerMl: number, weightKg: number): void {
  if (!(Number.isFinite(concentrationMgPerMl) && concentrationMgPerMl > 0) || !(Number.isFinite(weightKg) && weightKg > 0)) {
    throw new VigilError('INTERNAL', 'dose math needs a positive concentration and patient weight', { concentrationMgPerMl, weightKg });
  }
}

/** mL/h that delivers `doseMgPerKgPerHour` (exact, not rounded). */
export function doseToRateMlPerHour(doseMgPerKgPerHour: number, concentrationMgPerMl: number, weightKg: number): number {
  checkProgramme(concentrationMgPerMl, weightKg);
  return (doseMgPerKgPerHour * weightKg) / concentrationMgPerMl;
}

/** The dose, mg/kg/h, that `rateMlPerHour` delivers. */
export function rateToDoseMgPerKgPerHour(rateMlPerHour: number, concentrationMgPerMl: number, weightKg: number): number {
  checkProgramme(concentrationMgPerMl, weightKg);
  return (rateMlPerHour * concentrationMgPerMl) / weightKg;
}

/** A value in `from` expressed in `to` (mg/kg/h <-> mL/h), exact. */
export function convertDose(
  value: number,
  from: DoseUnit,
  to: DoseUnit,
  programme: { readonly concentrationMgPerMl: number; readonly patientWeightKg: number },
): number {
  if (from === to) return value;
  return from === 'mg/kg/h'
    ? doseToRateMlPerHour(value, programme.concentrationMgPerMl, programme.patientWeightKg)
    : rateToDoseMgPerKgPerHour(value, programme.concentrationMgPerMl, programme.patientWeightKg);
}

/**
 * Rounds a rate to what the pump can be told (2 decimals). `nearest` rounds half up;
 * `down` and `up` are used to stay inside a hard limit that nearest rounding would
 * cross. Values within 1e-9 of a step are that step, and a value written with
 * 3 decimals rounds as written (1.005 -> 1.01), whatever its binary representation.
 */
export function roundPumpRate(rateMlPerHour: number, mode: 'nearest' | 'down' | 'up' = 'nearest'): number {
  // 12 significant digits drop binary noise (1.005 x 100 = 100.49999999999999) before rounding.
  const steps = Number((rateMlPerHour * STEPS_PER_ML_PER_HOUR).toPrecision(12));
  const nearestStep = Math.round(steps);
  let rounded: number;
  if (Math.abs(steps - nearestStep) < EPSILON * STEPS_PER_ML_PER_HOUR) rounded = nearestStep;
  else if (mode === 'down') rounded = Math.floor(steps);
  else if (mode === 'up') rounded = Math.ceil(steps);
  else rounded = nearestStep;
  return rounded / STEPS_PER_ML_PER_HOUR;
}

/** True when the pump accepts `rateMlPerHour` (0.1-1200 mL/h). */
export function isWithinPumpRange(rateMlPerHour: number): boolean {
  return rateMlPerHour >= PUMP_RATE_MIN_ML_PER_HOUR - EPSILON && rateMlPerHour <= PUMP_RATE_MAX_ML_PER_HOUR + EPSILON;
}

/** True when two rates are the same within RATE_TOLERANCE_ML_PER_HOUR. */
export function sameRate(aMlPerHour: number, bMlPerHour: number): boolean {
  return Math.abs(aMlPerHour - bMlPerHour) <= RATE_TOLERANCE_ML_PER_HOUR + EPSILON;
}

/** `a` compared with a limit, tolerant of floating-point noise: -1 below, 0 equal, 1 above. */
export function compareToLimit(value: number, limit: number): -1 | 0 | 1 {
  if (Math.abs(value - limit) <= EPSILON * Math.max(1, Math.abs(limit))) return 0;
  return value < limit ? -1 : 1;
}
