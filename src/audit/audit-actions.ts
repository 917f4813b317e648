import { VigilError } from '../core/errors.js';

/**
 * Everything the audit log records. To add an action, add it here (the database does
 * not constrain the column, so no migration is needed); never rename or remove one
 * that has been released, old entries keep their names.
 */
export const AUDIT_ACTIONS = [
  // Pump-control workflow (the clinician confirmation path).
  'order.requested',
  'order.refused',
  'order.confirmed',
  'order.double-checked',
  'order.cancelled',
  'order.expired',
  'pump.command-sent',
  'pump.reply',
  'order.verified',
  'order.not-verified',
  'pump.changed-at-pump',
  // Alarms.
  'alarm.acknowledged',
  'alarm.silenced',
  // Alarm control from the station (src/alarms/alarm-control.ts, docs/alarms.md "Runtime changes").
  'alarm.audio-paused',
  'alarm.off',
  'alarm.on',
  'alarm.profile-changed',
  'alarm.limit-changed',
  'alarm.command-refused',
  // Users and sessions.
  'user.added',
  'user.disabled',
  'auth.login',
  'auth.login-failed',
  'auth.logout',
  'auth.signature-failed',
  // Gateway.
  'config.changed',
  'gateway.started',
  'gateway.stopped',
] as const;

/** An action recorded in the audit log. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who did it: a user (`user:<id>`), the gateway itself (`system`), a device
 * (`device:<deviceId>`, e.g. a change made at the pump's own keypad), or an operator
 * at the server's command line (`cli:<os-user>`).
 */
export type AuditActor = 'system' | `user:${string}` | `device:${string}` | `cli:${string}`;

const ACTOR_PATTERN = /^(system|(user|device|cli):[^\s:][^\s]{0,127})$/u;
const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

/** True when `value` is a well-formed actor. */
export function isAuditActor(value: string): value is AuditActor {
  return ACTOR_PATTERN.test(value);
}

/** True when `value` is a known action. */
export function isAuditAction(value: string): value is AuditAction {
  return KNOWN_ACTIONS.has(value);
}

/** The actor for a user id. */
export function userActor(userId: number | string): AuditActor {
  return `user:${userId}`;
}

/** @throws VigilError AUDIT_ENTRY_INVALID when actor or action is not well-formed. */
export function checkActorAndAction(actor: string, action: string): void {
  if (!isAuditActor(actor)) {
    throw new VigilError('AUDIT_ENTRY_INVALID', `audit actor "${actor}" is not system, user:<id>, device:<id> or cli:<user>`, {
      actor,
    });
  }
  if (!isAuditAction(action)) {
    throw new VigilError('AUDIT_ENTRY_INVALID', `audit action "${action}" is not a known action`, { action });
  }
}
