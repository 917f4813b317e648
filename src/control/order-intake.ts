import { randomUUID } from 'node:crypto';
import type { RateChangeRequest } from './control-api.js';
import type { ControlledPump } from './controlled-pump.js';
import { findDrug, type DrugLibrary } from '../config/drug-library.js';
import type { InfusionProgramme, OrderKind, OrderUser, OrderView, PumpReading } from './order-types.js';
import { formatAmount, formatDose, type Refusal } from './order-refusal.js';
import type { OrderRecord } from './order-store.js';
import { MAX_OVERRIDE_REASON_LENGTH, isRefusal, planRateChange, type RatePlan } from './rate-plan.js';

/** What the intake needs to know about the world at the time of a request. */
export interface IntakeContext {
  readonly drugLibrary: DrugLibrary;
  readonly findPump: (bedId: string, deviceId: string) => ControlledPump | undefined;
  readonly readingOf: (pump: ControlledPump) => PumpReading;
  readonly openOrderOf: (pump: ControlledPump) => OrderRecord | undefined;
  /** A not-verified order of this pump whose alarm is not acknowledged. */
  readonly unacknowledgedFailureOf: (pump: ControlledPump) => OrderRecord | undefined;
  readonly nowMs: number;
  readonly orderTimeoutMs: number;
}

const DOSE_UNITS = new Set(['mg/kg/h', 'mL/h']);

/** Checks the shape of a request from the station (it may be anything). */
export function requestShapeProblem(request: unknown): Refusal | null {
  const r = request as Partial<Record<keyof RateChangeRequest, unknown>> | null;
  if (typeof r !== 'object' || r === null) return { reason: 'INVALID_REQUEST', message: 'the request is not an object' };
  if (typeof r.bedId !== 'string' || typeof r.deviceId !== 'string') return { reason: 'INVALID_REQUEST', message: 'the request must name the bed and the pump' };
  if (typeof r.unit !== 'string' || !DOSE_UNITS.has(r.unit)) return { reason: 'INVALID_REQUEST', message: 'the unit must be mg/kg/h or mL/h' };
  if (r.overrideReason !== undefined && r.overrideReason !== null && typeof r.overrideReason !== 'string') {
    return { reason: 'INVALID_REQUEST', message: 'the override reason must be text' };
  }
  return null;
}

/**
 * Admits a rate-change or stop request, or says why not. Checks in order: the pump is
 * known, its drug and concentration are in the library, Vigil has a fresh reading, the
 * infusion runs (a rate change needs a running infusion: starting a stopped infusion is
 * out of scope), no other order is open and no failure is unacknowledged on the pump;
 * then, for a rate change, the dose limits (rate-plan.ts).
 */
export function admitOrder(
  ctx: IntakeContext,
  user: OrderUser,
  kind: OrderKind,
  target: { bedId: string; deviceId: string; value?: number; unit?: RateChangeRequest['unit']; overrideReason?: string | null },
): OrderView | Refusal {
  const pump = ctx.findPump(target.bedId, target.deviceId);
  if (!pump) return { reason: 'UNKNOWN_PUMP', message: `there is no pump "${target.deviceId}" in bed "${target.bedId}" on this gateway` };
  const drug = findDrug(ctx.drugLibrary, pump.programme.drugId);
  if (!drug) return { reason: 'NOT_IN_DRUG_LIBRARY', message: `${pump.programme.drugName} (${pump.programme.drugId}) is not in the drug library` };
  if (!drug.concentrationsMgPerMl.some((c) => Math.abs(c - pump.programme.concentrationMgPerMl) < 1e-9)) {
    return {
      reason: 'NOT_IN_DRUG_LIBRARY',
      message: `${formatAmount(pump.programme.concentrationMgPerMl)} mg/mL is not a concentration of ${drug.name} in the drug library (${drug.concentrationsMgPerMl.join(', ')} mg/mL)`,
    };
  }
  const reading = ctx.readingOf(pump);
  if (!reading.fresh || reading.readAt === null) {
    return { reason: 'PUMP_NOT_READ', message: `Vigil has no fresh reading of ${pump.label}; it must know the pump's current state before changing it` };
  }
  if (reading.runState !== 'running' || reading.rateMlPerHour === null) {
    if (kind === 'stop' && reading.runState === 'stopped') return { reason: 'NO_CHANGE', message: `${pump.label} is already stopped` };
    return {
      reason: 'PUMP_NOT_RUNNING',
      message: `${pump.label} is ${reading.runState}: Vigil changes a running infusion only (starting an infusion is done at the pump)`,
    };
  }
  const open = ctx.openOrderOf(pump);
  if (open) return { reason: 'ORDER_OPEN', message: `${pump.label} already has an open order (${open.view.state}); finish or cancel it first` };
  const failed = ctx.unacknowledgedFailureOf(pump);
  if (failed) {
    return {
      reason: 'UNACKNOWLEDGED_FAILURE',
      message: `the last order on ${pump.label} was not verified; check the pump and acknowledge that alarm first`,
    };
  }

  const programme: InfusionProgramme = { ...pump.programme, highAlert: pump.programme.highAlert || drug.highAlert };
  let plan: RatePlan | null = null;
  if (kind === 'rate-change') {
    const p = planRateChange({
      value: target.value as number,
      unit: target.unit ?? 'mL/h',
      overrideReason: target.overrideReason ?? null,
      programme,
      drug,
      currentRateMlPerHour: reading.rateMlPerHour,
    });
    if (isRefusal(p)) return p;
    plan = p;
  }
  return newOrder(ctx, user, kind, pump, programme, reading, plan);
}

function newOrder(
  ctx: IntakeContext,
  user: OrderUser,
  kind: OrderKind,
  pump: ControlledPump,
  programme: InfusionProgramme,
  reading: PumpReading,
  plan: RatePlan | null,
): OrderView {
  const now = Math.floor(ctx.nowMs);
  const what = plan
    ? `rate ${formatDose(plan.requestedAs.value, plan.requestedAs.unit)} = ${formatDose(plan.targetRateMlPerHour, 'mL/h')}` +
      (plan.limitCheck.band === 'within' ? '' : ` (${plan.limitCheck.band}, override: ${plan.limitCheck.overrideReason ?? ''})`)
    : 'stop the infusion';
  return {
    id: randomUUID(),
    kind,
    bedId: pump.bedId,
    deviceId: pump.deviceId,
    state: 'awaiting-confirmation',
    programme,
    targetRateMlPerHour: plan?.targetRateMlPerHour ?? null,
    targetDoseMgPerKgPerHour: plan?.targetDoseMgPerKgPerHour ?? null,
    requestedAs: plan?.requestedAs ?? null,
    limitCheck: plan?.limitCheck ?? null,
    pumpAtRequest: { ...reading },
    requestedBy: user,
    requestedAt: now,
    expiresAt: now + ctx.orderTimeoutMs,
    confirmedBy: null,
    doubleCheckedBy: null,
    readback: null,
    outcome: null,
    history: [{ at: now, state: 'awaiting-confirmation', by: user, note: `requested: ${what}` }],
  };
}

/** A request from the station as plain, bounded audit details (it may be malformed). */
export function auditableRequest(r: Partial<RateChangeRequest> | null | undefined): Record<string, unknown> {
  const text = (v: unknown, max: number): string | null => (v === undefined || v === null ? null : String(v).slice(0, max));
  return {
    bedId: text(r?.bedId, 64),
    deviceId: text(r?.deviceId, 64),
    value: typeof r?.value === 'number' && Number.isFinite(r.value) ? r.value : text(r?.value, 32),
    unit: text(r?.unit, 16),
    overrideReason: text(r?.overrideReason, MAX_OVERRIDE_REASON_LENGTH),
  };
}

/** An order's request as audit details. */
export function orderSummary(v: OrderView): Record<string, unknown> {
  return {
    kind: v.kind,
    drugId: v.programme.drugId,
    concentrationMgPerMl: v.programme.concentrationMgPerMl,
    patientWeightKg: v.programme.patientWeightKg,
    highAlert: v.programme.highAlert,
    requestedAs: v.requestedAs,
    targetRateMlPerHour: v.targetRateMlPerHour,
    targetDoseMgPerKgPerHour: v.targetDoseMgPerKgPerHour,
    limitCheck: v.limitCheck,
    pumpAtRequest: { ...v.pumpAtRequest },
    expiresAt: v.expiresAt,
  };
}
