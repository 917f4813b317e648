import type { JsonObject } from './canonical-json.js';

/** One audit entry as read back from the log. */
export interface AuditEntry {
  /** 1, 2, 3... with no gaps. */
  readonly seq: number;
  /** Epoch ms (integer) when the entry was appended. */
  readonly time: number;
  /** `time` as ISO 8601 UTC, for output. */
  readonly timeIso: string;
  /** See AuditActor; typed as string because stored entries are read as they are. */
  readonly actor: string;
  /** See AuditAction. */
  readonly action: string;
  /** What it is about, e.g. `bed:3`, `device:pump-3`, `user:ana`; null when nothing specific. */
  readonly subject: string | null;
  readonly details: JsonObject;
  /** Hash of the previous entry (64 zeros for seq 1). */
  readonly prevHash: string;
  /** SHA-256 of this entry including prevHash (src/audit/audit-hash.ts). */
  readonly hash: string;
}

/** An audit_log row as stored. */
export interface AuditRow {
  seq: number;
  time_ms: number;
  actor: string;
  action: string;
  subject: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Parses stored details; null when they are not a JSON object (only after tampering). */
export function parseDetails(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

/** A stored row as an entry. Unreadable details are shown as `{ "@unreadable": <text> }`, never thrown. */
export function rowToEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    time: row.time_ms,
    timeIso: isoTime(row.time_ms),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: parseDetails(row.details) ?? { '@unreadable': row.details },
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function isoTime(timeMs: number): string {
  const date = new Date(timeMs);
  return Number.isNaN(date.getTime()) ? `invalid time ${timeMs}` : date.toISOString();
}
