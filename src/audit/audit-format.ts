import type { AuditEntry } from './audit-entry.js';
import type { AuditVerifyResult } from './audit-verify.js';

/**
 * One entry as a line of text:
 * `#12 2026-01-01T08:00:00.000Z user:3 (ana) order.requested bed:3 {"rateMlPerHour":52.5}`.
 * `actorLabel` may add a readable name to an actor (e.g. the username of `user:3`).
 */
export function formatAuditEntry(entry: AuditEntry, actorLabel?: (actor: string) => string | undefined): string {
  const label = actorLabel?.(entry.actor);
  const actor = label ? `${entry.actor} (${label})` : entry.actor;
  const details = Object.keys(entry.details).length > 0 ? ` ${JSON.stringify(entry.details)}` : '';
  return `#${entry.seq} ${entry.timeIso} ${actor} ${entry.action} ${entry.subject ?? '-'}${details}`;
}

/** The verdict of `verify()` as one line. */
export function formatVerifyResult(result: AuditVerifyResult): string {
  if (result.ok) return `audit log OK: ${result.entries} entries`;
  return `audit log FAILED at entry #${result.firstBadSeq}: ${result.problem}: ${result.detail}`;
}
