import { createHash } from 'node:crypto';
import { canonicalJson, type JsonObject } from './canonical-json.js';

export { AUDIT_GENESIS_HASH } from '../store/migrations.js';

/** Version of the hashed layout below; a different layout would be a new version. */
export const AUDIT_HASH_VERSION = 1;

/** The fields of an entry that its hash covers. */
export interface HashedAuditFields {
  readonly seq: number;
  /** Epoch ms, integer. */
  readonly time: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string | null;
  readonly details: JsonObject;
  readonly prevHash: string;
}

/**
 * SHA-256 (lower-case hex) of the canonical JSON of
 * `{ v, seq, time, actor, action, subject, details, prevHash }`.
 * Including prevHash chains each entry to the one before it.
 */
export function hashAuditEntry(fields: HashedAuditFields): string {
  const canonical = canonicalJson({
    v: AUDIT_HASH_VERSION,
    seq: fields.seq,
    time: fields.time,
    actor: fields.actor,
    action: fields.action,
    subject: fields.subject,
    details: fields.details,
    prevHash: fields.prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
