import type { AuditActor } from '../audit/audit-actions.js';
import { sameRate } from './dose-math.js';
import type { OrderUser, OrderView, PumpReading } from './order-types.js';
import { formatDose } from './order-refusal.js';
import type { PumpLocalChangeInput } from './controlled-pump.js';

/** States in which an order waits for a signature (and can expire or be cancelled). */
export const AWAITING_STATES = new Set(['awaiting-confirmation', 'awaiting-double-check']);
/** States in which the pump is being programmed. */
export const EXECUTING_STATES = new Set(['executing', 'awaiting-readback']);

/** The audit actor of a user. */
export function actorOf(user: OrderUser | null): AuditActor {
  return user ? `user:${user.id}` : 'system';
}

/** The audit actor of a pump: `device:<bed>/<device>`. */
export function deviceActor(bedId: string, deviceId: string): AuditActor {
  return `device:${bedId}/${deviceId}`;
}

/** The audit subject of everything about a bed's orders and pump: `bed:<bedId>`. */
export function bedSubject(bedId: string): string {
  return `bed:${String(bedId).slice(0, 64) || '?'}`;
}

/** True when an order waiting for a signature is past its expiry. */
export function isExpired(order: OrderView, nowMs: number): boolean {
  return AWAITING_STATES.has(order.state) && nowMs >= order.expiresAt;
}

/**
 * What differs between the pump at request and now, in words; null when it is the same
 * pump doing the same thing (rate within 0.01 mL/h, same run state, same serial) and
 * Vigil has a fresh reading of it.
 */
export function pumpChange(atRequest: PumpReading, now: PumpReading): string | null {
  if (!now.fresh) return 'Vigil has no fresh reading of the pump';
  if (atRequest.serial !== null && now.serial !== atRequest.serial) {
    return `the pump's serial number is now ${now.serial ?? 'unknown'} (was ${atRequest.serial}): a different pump`;
  }
  if (now.runState !== atRequest.runState) return `the pump is now ${now.runState} (was ${atRequest.runState})`;
  const before = atRequest.rateMlPerHour;
  const after = now.rateMlPerHour;
  if ((before === null) !== (after === null) || (before !== null && after !== null && !sameRate(before, after))) {
    const show = (r: number | null): string => (r === null ? 'no rate' : formatDose(r, 'mL/h'));
    return `the pump now runs ${show(after)} (was ${show(before)})`;
  }
  return null;
}

/** True when a change the pump reported is what this order commanded. */
export function changeMatchesOrder(order: OrderView, change: PumpLocalChangeInput): boolean {
  if (order.kind === 'stop') return change.kind === 'run-state' && change.runStateAfter === 'stopped';
  return (
    change.kind === 'rate' &&
    change.rateAfterMlPerHour !== null &&
    order.targetRateMlPerHour !== null &&
    sameRate(change.rateAfterMlPerHour, order.targetRateMlPerHour)
  );
}

/** A reading as audit details (plain JSON). */
export function readingDetails(r: PumpReading | null): Record<string, unknown> | null {
  return r ? { ...r } : null;
}
