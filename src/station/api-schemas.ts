/**
 * zod schemas of the station HTTP API's request bodies and query (docs/station-api.md).
 * Strict objects: an unknown field is an error, so a typo (`overideReason`) is reported,
 * never silently dropped. These check shape and sanity only; the drug library and the
 * order workflow (src/control) judge the clinical meaning.
 */
import { z } from 'zod';
import type {
  CancelBody,
  ConfirmBody,
  DoubleCheckBody,
  LoginRequest,
  RateChangeRequestBody,
  StopRequestBody,
} from './web/api-types.js';

const id = z.string().trim().min(1).max(64);
const username = z.string().trim().min(1).max(64);
/** Never trimmed or echoed: passed to the user store as typed. */
const password = z.string().min(1).max(256);
/** A rate or dose: positive and finite; the drug library sets the real limits. */
const doseValue = z.number().finite().positive().max(100_000);
const reasonText = z.string().trim().min(1).max(500);

export const loginSchema = z.strictObject({ username, password }) satisfies z.ZodType<LoginRequest>;

export const rateChangeSchema = z.strictObject({
  bedId: id,
  deviceId: id,
  value: doseValue,
  unit: z.enum(['mg/kg/h', 'mL/h']),
  overrideReason: reasonText.optional(),
}) satisfies z.ZodType<RateChangeRequestBody>;

export const stopSchema = z.strictObject({ bedId: id, deviceId: id }) satisfies z.ZodType<StopRequestBody>;

export const confirmSchema = z.strictObject({ username, password }) satisfies z.ZodType<ConfirmBody>;

export const doubleCheckSchema = z.strictObject({
  username,
  password,
  enteredValue: doseValue,
}) satisfies z.ZodType<DoubleCheckBody>;

export const cancelSchema = z.strictObject({ reason: reasonText }) satisfies z.ZodType<CancelBody>;

/** For routes that take no body: nothing, or an empty object. */
export const emptySchema = z.strictObject({}).optional();

/** GET /api/audit query. */
export const auditQuerySchema = z.strictObject({
  bedId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * An order id from a path (decoded): 1-128 characters, no control characters. Only
 * used to look the order up in the control module, never as a file path.
 */
export function isOrderId(id: string): boolean {
  if (id.length < 1 || id.length > 128) return false;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
