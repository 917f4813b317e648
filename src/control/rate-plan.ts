import type { DrugEntry } from '../config/drug-library.js';
import {
  PUMP_RATE_MAX_ML_PER_HOUR,
  PUMP_RATE_MIN_ML_PER_HOUR,
  RATE_TOLERANCE_ML_PER_HOUR,
  compareToLimit,
  convertDose,
  isWithinPumpRange,
  rateToDoseMgPerKgPerHour,
  roundPumpRate,
  sameRate,
} from './dose-math.js';
import type { DoseUnit, InfusionProgramme, LimitCheck } from './order-types.js';
import { formatDose, type Refusal } from './order-refusal.js';

/** Longest override reason accepted, in characters. */
export const MAX_OVERRIDE_REASON_LENGTH = 500;

/** What a rate-change request becomes once checked: the rate the pump will be told. */
export interface RatePlan {
  /** Rounded to the pump's 2 decimals. */
  readonly targetRateMlPerHour: number;
  /** The dose that rounded rate delivers. */
  readonly targetDoseMgPerKgPerHour: number;
  readonly requestedAs: { readonly value: number; readonly unit: DoseUnit };
  readonly limitCheck: LimitCheck;
}

export interface RatePlanInput {
  readonly value: number;
  readonly unit: DoseUnit;
  readonly overrideReason?: string | null;
  readonly programme: InfusionProgramme;
  readonly drug: DrugEntry;
  /** The pump's current (read-back) rate. */
  readonly currentRateMlPerHour: number;
}

/**
 * Checks a requested rate against the drug library and the pump, in this order:
 * a finite positive value; hard limits (refused, the limit named); the pump's range;
 * a real change (more than the 0.01 mL/h read-back tolerance); soft limits (an
 * override reason is required outside them).
 *
 * Limits are compared in the drug's dosing unit, with the value as requested. The
 * rate is then rounded to 2 decimals; when nearest rounding would cross a hard limit
 * it rounds towards the inside instead, so the pump never runs beyond a hard limit.
 */
export function planRateChange(input: RatePlanInput): RatePlan | Refusal {
  const { value, unit, programme, drug } = input;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return { reason: 'INVALID_VALUE', message: `the new rate must be a positive number (got ${String(value)})` };
  }
  const libUnit = drug.dosingUnit;
  const { hardMin, hardMax, softMin, softMax } = drug.limits;
  const dose = convertDose(value, unit, libUnit, programme);
  const asRequested = formatDose(value, unit) + (unit === libUnit ? '' : ` (${formatDose(dose, libUnit)})`);

  const band: LimitCheck['band'] = compareToLimit(dose, softMax) > 0 ? 'soft-high' : compareToLimit(dose, softMin) < 0 ? 'soft-low' : 'within';
  const limits = { softMin, softMax, hardMin, hardMax, unit: libUnit };
  const context = { limitCheck: { band, ...limits, overrideReason: null } satisfies LimitCheck };
  if (compareToLimit(dose, hardMax) > 0) {
    return { reason: 'HARD_LIMIT', message: `${asRequested} is above the hard maximum ${formatDose(hardMax, libUnit)} for ${drug.name}`, context };
  }
  if (compareToLimit(dose, hardMin) < 0) {
    return { reason: 'HARD_LIMIT', message: `${asRequested} is below the hard minimum ${formatDose(hardMin, libUnit)} for ${drug.name}`, context };
  }

  const exactRate = convertDose(value, unit, 'mL/h', programme);
  let rate = roundPumpRate(exactRate);
  const doseOf = (r: number): number => convertDose(r, 'mL/h', libUnit, programme);
  if (compareToLimit(doseOf(rate), hardMax) > 0) rate = roundPumpRate(exactRate, 'down');
  else if (compareToLimit(doseOf(rate), hardMin) < 0) rate = roundPumpRate(exactRate, 'up');

  if (!isWithinPumpRange(rate)) {
    return {
      reason: 'OUTSIDE_PUMP_RANGE',
      message: `${asRequested} needs ${formatDose(exactRate, 'mL/h')}, outside the pump's range ${PUMP_RATE_MIN_ML_PER_HOUR}-${PUMP_RATE_MAX_ML_PER_HOUR} mL/h`,
    };
  }
  if (sameRate(rate, input.currentRateMlPerHour)) {
    return {
      reason: 'NO_CHANGE',
      message: `${asRequested} is ${formatDose(rate, 'mL/h')}, the pump already runs ${formatDose(input.currentRateMlPerHour, 'mL/h')}: a change must differ by more than ${RATE_TOLERANCE_ML_PER_HOUR} mL/h`,
    };
  }

  const reasonText = typeof input.overrideReason === 'string' ? input.overrideReason.trim() : '';
  if (reasonText.length > MAX_OVERRIDE_REASON_LENGTH) {
    return { reason: 'INVALID_REQUEST', message: `the override reason must be at most ${MAX_OVERRIDE_REASON_LENGTH} characters` };
  }
  if (band !== 'within' && reasonText.length === 0) {
    const side = band === 'soft-high' ? `above the soft maximum ${formatDose(softMax, libUnit)}` : `below the soft minimum ${formatDose(softMin, libUnit)}`;
    return { reason: 'OVERRIDE_REASON_REQUIRED', message: `${asRequested} is ${side} for ${drug.name}: give an override reason`, context };
  }
  return {
    targetRateMlPerHour: rate,
    targetDoseMgPerKgPerHour: rateToDoseMgPerKgPerHour(rate, programme.concentrationMgPerMl, programme.patientWeightKg),
    requestedAs: { value, unit },
    limitCheck: { band, ...limits, overrideReason: band === 'within' ? null : reasonText },
  };
}

/** True when `plan` is a refusal. */
export function isRefusal(plan: RatePlan | Refusal): plan is Refusal {
  return 'reason' in plan;
}
