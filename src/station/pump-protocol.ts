/**
 * Pump-control messages of the station API: zod schemas of pumps, orders and pump
 * changes as they go on the wire, and the conversions from the control module's types.
 * The conversions are also the compile-time proof that src/control's types fit the
 * wire types (src/station/web/protocol-types.ts): if one changes incompatibly, this
 * file stops compiling. Only TYPES of src/control are imported (safety boundary: the
 * station never loads the control module's code).
 */
import { z } from 'zod';
import type { PumpChangeView, PumpView } from '../control/control-api.js';
import type { LimitCheck, OrderView, PumpReading } from '../control/order-types.js';
import type { LimitCheckDto, OrderViewDto, PumpChangeDto, PumpReadingDto, PumpViewDto } from './web/protocol-types.js';

function readingToDto(r: PumpReading): PumpReadingDto {
  return { ...r };
}

/** A PumpView as sent to clients. */
export function pumpToDto(p: PumpView): PumpViewDto {
  return { ...p, programme: { ...p.programme }, reading: readingToDto(p.reading) };
}

/** An OrderView as sent to clients. */
export function orderToDto(o: OrderView): OrderViewDto {
  return {
    ...o,
    programme: { ...o.programme },
    requestedAs: o.requestedAs ? { ...o.requestedAs } : null,
    limitCheck: o.limitCheck ? limitCheckToDto(o.limitCheck) : null,
    pumpAtRequest: readingToDto(o.pumpAtRequest),
    requestedBy: { ...o.requestedBy },
    confirmedBy: o.confirmedBy ? { ...o.confirmedBy } : null,
    doubleCheckedBy: o.doubleCheckedBy ? { ...o.doubleCheckedBy } : null,
    readback: o.readback ? readingToDto(o.readback) : null,
    outcome: o.outcome ? { ...o.outcome } : null,
    history: o.history.map((e) => ({ ...e, by: e.by ? { ...e.by } : null })),
  };
}

/** A PumpChangeView as sent to clients. */
export function pumpChangeToDto(c: PumpChangeView): PumpChangeDto {
  return { ...c };
}

export function limitCheckToDto(l: LimitCheck): LimitCheckDto {
  return { ...l };
}

/** `true` only when every field of the model type also exists on the wire type. */
type Covers<Model, Dto> = [Exclude<keyof Model, keyof Dto>] extends [never] ? true : false;
// A field added to a control type must be added to protocol-types.ts (and its schema) too.
export const PUMP_WIRE_TYPES_COVER_MODEL: [
  Covers<PumpView, PumpViewDto>,
  Covers<OrderView, OrderViewDto>,
  Covers<PumpChangeView, PumpChangeDto>,
  Covers<PumpReading, PumpReadingDto>,
  Covers<LimitCheck, LimitCheckDto>,
] = [true, true, true, true, true];

const epochMs = z.number().finite();
const doseUnit = z.enum(['mg/kg/h', 'mL/h']);
const nullableNumber = z.number().finite().nullable();

export const orderUserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['nurse', 'physician', 'admin']),
});

const programmeSchema = z.object({
  drugId: z.string(),
  drugName: z.string(),
  concentrationMgPerMl: z.number().finite(),
  patientWeightKg: z.number().finite(),
  highAlert: z.boolean(),
  dosingUnit: doseUnit,
});

export const pumpReadingSchema = z.object({
  rateMlPerHour: nullableNumber,
  runState: z.enum(['running', 'stopped', 'unknown']),
  serial: z.string().nullable(),
  volumeInfusedMl: nullableNumber,
  vtbiRemainingMl: nullableNumber,
  fresh: z.boolean(),
  readAt: epochMs.nullable(),
}) satisfies z.ZodType<PumpReadingDto>;

export const pumpViewSchema = z.object({
  bedId: z.string(),
  deviceId: z.string(),
  label: z.string(),
  programme: programmeSchema,
  reading: pumpReadingSchema,
  doseMgPerKgPerHour: nullableNumber,
  openOrderId: z.string().nullable(),
}) satisfies z.ZodType<PumpViewDto>;

export const pumpChangeSchema = z.object({
  bedId: z.string(),
  deviceId: z.string(),
  kind: z.enum(['rate', 'run-state']),
  before: z.string(),
  after: z.string(),
  at: epochMs,
}) satisfies z.ZodType<PumpChangeDto>;

const orderState = z.enum([
  'awaiting-confirmation',
  'awaiting-double-check',
  'executing',
  'awaiting-readback',
  'verified',
  'not-verified',
  'refused',
  'expired',
  'cancelled',
]);

export const limitCheckSchema = z.object({
  band: z.enum(['within', 'soft-low', 'soft-high']),
  softMin: z.number().finite(),
  softMax: z.number().finite(),
  hardMin: z.number().finite(),
  hardMax: z.number().finite(),
  unit: doseUnit,
  overrideReason: z.string().nullable(),
}) satisfies z.ZodType<LimitCheckDto>;

export const orderViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['rate-change', 'stop']),
  bedId: z.string(),
  deviceId: z.string(),
  state: orderState,
  programme: programmeSchema,
  targetRateMlPerHour: nullableNumber,
  targetDoseMgPerKgPerHour: nullableNumber,
  requestedAs: z.object({ value: z.number().finite(), unit: doseUnit }).nullable(),
  limitCheck: limitCheckSchema.nullable(),
  pumpAtRequest: pumpReadingSchema,
  requestedBy: orderUserSchema,
  requestedAt: epochMs,
  expiresAt: epochMs,
  confirmedBy: orderUserSchema.nullable(),
  doubleCheckedBy: orderUserSchema.nullable(),
  readback: pumpReadingSchema.nullable(),
  outcome: z.object({ code: z.string(), message: z.string() }).nullable(),
  history: z.array(
    z.object({ at: epochMs, state: orderState, by: orderUserSchema.nullable(), note: z.string() }),
  ),
}) satisfies z.ZodType<OrderViewDto>;
