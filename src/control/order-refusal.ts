import { VigilError } from '../core/errors.js';
import type { DoseUnit } from './order-types.js';

/**
 * Why the workflow refused a request, a confirmation or a double check. Stable codes:
 * the station branches on them (VigilError ORDER_REFUSED, `context.reason`), never on
 * the message, which names the reason in words a nurse reads.
 */
export type OrderRefusalReason =
  /** Admin asking for a change, a physician signing a confirmation or double check. */
  | 'WRONG_ROLE'
  /** The request is malformed (missing or wrongly typed field, over-long text). */
  | 'INVALID_REQUEST'
  /** The new rate is not a finite positive number. */
  | 'INVALID_VALUE'
  | 'UNKNOWN_PUMP'
  /** The bed's drug is not in the drug library, or its concentration is not listed. */
  | 'NOT_IN_DRUG_LIBRARY'
  /** Vigil has no fresh reading of the pump, so it cannot know what it would change. */
  | 'PUMP_NOT_READ'
  /** A rate change needs a running infusion (starting one is out of scope). */
  | 'PUMP_NOT_RUNNING'
  /** The pump already has an order that is not finished. */
  | 'ORDER_OPEN'
  /** The pump's last order was not verified and its alarm is not acknowledged yet. */
  | 'UNACKNOWLEDGED_FAILURE'
  /** The new rate (or stop) is what the pump already does. */
  | 'NO_CHANGE'
  /** The rate is outside what the pump accepts (0.1-1200 mL/h). */
  | 'OUTSIDE_PUMP_RANGE'
  | 'HARD_LIMIT'
  | 'OVERRIDE_REASON_REQUIRED'
  | 'EXPIRED'
  /** The pump's rate, run state or serial changed since the order was requested. */
  | 'PUMP_CHANGED'
  /** The double check was signed by the confirming nurse or the requester. */
  | 'SAME_NURSE'
  | 'DOUBLE_CHECK_MISMATCH'
  /** The order is not in the state this step needs (e.g. already confirmed, finished). */
  | 'WRONG_STATE'
  /** Three signatures with wrong credentials on one order. */
  | 'TOO_MANY_FAILED_SIGNATURES';

/** A refusal before it is audited and thrown. */
export interface Refusal {
  readonly reason: OrderRefusalReason;
  readonly message: string;
  /** Extra facts for the station, e.g. `limitCheck` (the drug's limits) on HARD_LIMIT / OVERRIDE_REASON_REQUIRED. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** The error a caller receives: code ORDER_REFUSED, `context.reason` the stable code. */
export function orderRefusedError(refusal: Refusal, context: Record<string, unknown> = {}): VigilError {
  return new VigilError('ORDER_REFUSED', refusal.message, { ...refusal.context, ...context, reason: refusal.reason });
}

/** A number as a nurse reads it: at most 3 decimals, no trailing zeros (2, 0.75, 5.25). */
export function formatAmount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(3)));
}

/** `0.75 mg/kg/h`, `5.25 mL/h`. */
export function formatDose(value: number, unit: DoseUnit): string {
  return `${formatAmount(value)} ${unit}`;
}
