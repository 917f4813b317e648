import type Database from 'better-sqlite3';
import { hashAuditEntry, AUDIT_GENESIS_HASH } from './audit-hash.js';
import { parseDetails, type AuditRow } from './audit-entry.js';

/** What is wrong with the first bad entry. */
export type AuditProblem =
  /** An entry is absent: a gap in seq, a log not starting at 1, or a tail cut off below the recorded head. */
  | 'missing-entry'
  /** The entry's prev_hash is not the hash of the entry before it. */
  | 'chain-broken'
  /** The entry's stored hash is not the hash of its content: the entry was edited. */
  | 'hash-mismatch'
  /** The entry cannot be read (details not a JSON object). */
  | 'malformed-entry'
  /** The recorded head (last seq and hash) disagrees with the last entry, or is missing. */
  | 'head-mismatch';

export type AuditVerifyResult =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | {
      readonly ok: false;
      /** The first entry found bad (for a cut-off tail: the first missing seq). */
      readonly firstBadSeq: number;
      readonly problem: AuditProblem;
      readonly detail: string;
    };

/**
 * Walks the whole chain in seq order, in one read transaction (a consistent snapshot
 * even while another process appends), and reports the first bad entry.
 * Recomputes every hash: proves no entry was edited, removed or reordered since it
 * was written, unless the whole chain and head were rewritten (docs/audit-and-users.md).
 */
export function verifyAuditChain(sqlite: Database.Database): AuditVerifyResult {
  return sqlite.transaction((): AuditVerifyResult => {
    let expectedSeq = 1;
    let prevHash = AUDIT_GENESIS_HASH;
    const rows = sqlite
      .prepare('SELECT seq, time_ms, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq')
      .iterate() as IterableIterator<AuditRow>;
    for (const row of rows) {
      const problem = checkRow(row, expectedSeq, prevHash);
      if (problem) {
        rows.return?.();
        return problem;
      }
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
    }
    return checkHead(sqlite, expectedSeq - 1, prevHash);
  }).deferred();
}

function checkRow(row: AuditRow, expectedSeq: number, prevHash: string): AuditVerifyResult | null {
  if (row.seq !== expectedSeq) {
    const missing = row.seq > expectedSeq ? `entries ${expectedSeq}..${row.seq - 1} are missing` : 'out of order';
    return bad(expectedSeq, 'missing-entry', `expected entry ${expectedSeq}, found ${row.seq}: ${missing}`);
  }
  if (row.prev_hash !== prevHash) {
    return bad(row.seq, 'chain-broken', `prev_hash ${short(row.prev_hash)} is not the hash of entry ${row.seq - 1} (${short(prevHash)})`);
  }
  const details = parseDetails(row.details);
  if (details === null) return bad(row.seq, 'malformed-entry', 'details are not a JSON object');
  const hash = hashAuditEntry({
    seq: row.seq,
    time: row.time_ms,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details,
    prevHash: row.prev_hash,
  });
  if (hash !== row.hash) {
    return bad(row.seq, 'hash-mismatch', `stored hash ${short(row.hash)} does not match its content (${short(hash)}): entry edited`);
  }
  return null;
}

function checkHead(sqlite: Database.Database, lastSeq: number, lastHash: string): AuditVerifyResult {
  let head: { seq: number; hash: string } | undefined;
  try {
    head = sqlite.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as typeof head;
  } catch {
    head = undefined;
  }
  if (!head) return bad(lastSeq + 1, 'head-mismatch', 'the audit head record is missing');
  if (head.seq > lastSeq) {
    return bad(lastSeq + 1, 'missing-entry', `the head records ${head.seq} entries but the log ends at ${lastSeq}: tail cut off`);
  }
  if (head.seq < lastSeq) {
    return bad(head.seq + 1, 'head-mismatch', `entries after ${head.seq} were added outside the audit log's append path`);
  }
  if (head.hash !== lastHash) {
    return bad(lastSeq, 'head-mismatch', `the head hash ${short(head.hash)} differs from entry ${lastSeq}'s hash (${short(lastHash)})`);
  }
  return { ok: true, entries: lastSeq, headHash: lastHash };
}

function bad(firstBadSeq: number, problem: AuditProblem, detail: string): AuditVerifyResult {
  return { ok: false, firstBadSeq, problem, detail };
}

function short(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}...` : hash;
}
