import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { AUDIT_GENESIS_HASH, hashAuditEntry } from '../../src/audit/audit-hash.js';
import { openDatabase, type VigilDatabase } from '../../src/store/database.js';

let dir: string;
let path: string;
let db: VigilDatabase;
let clock: ManualClock;
let audit: AuditLog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));
  path = join(dir, 'vigil.db');
  db = openDatabase(path);
  clock = new ManualClock(Date.UTC(2026, 2, 1, 9, 0, 0));
  audit = new AuditLog(db, { clock });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Five entries, one second apart, on two beds. */
function appendFive(): void {
  for (let i = 1; i <= 5; i++) {
    audit.append({
      actor: i % 2 ? 'user:1' : 'device:pump-3',
      action: i % 2 ? 'order.requested' : 'pump.reply',
      subject: i <= 3 ? 'bed:3' : 'bed:4',
      details: { step: i, rateMlPerHour: 52.5 },
    });
    clock.advance(1000);
  }
}

/** A second connection that edits the file by hand, as an attacker with file access would. */
function tamper(sql: string): void {
  const raw = new Database(path);
  try {
    raw.exec(sql);
  } finally {
    raw.close();
  }
}

describe('AuditLog.append', () => {
  it('chains entries: gapless seq, prev_hash = previous hash, hash over the content', () => {
    appendFive();
    const entries = audit.query();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prevHash).toBe(AUDIT_GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    for (const e of entries) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.hash).toBe(hashAuditEntry({ ...e }));
    }
    expect(new Set(entries.map((e) => e.hash)).size).toBe(5);
  });

  it('returns the stored entry with epoch ms and ISO time', () => {
    const entry = audit.append({ actor: 'system', action: 'gateway.started', details: { version: '0.1.0' } });
    expect(entry).toMatchObject({
      seq: 1,
      time: Date.UTC(2026, 2, 1, 9, 0, 0),
      timeIso: '2026-03-01T09:00:00.000Z',
      actor: 'system',
      action: 'gateway.started',
      subject: null,
      details: { version: '0.1.0' },
    });
    expect(audit.query()).toEqual([entry]);
  });

  it('hashes details canonically: key order does not matter', () => {
    const a = audit.append({ actor: 'system', action: 'config.changed', details: { b: 1, a: { y: 2, x: [1, { q: 1, p: 2 }] } } });
    const b = hashAuditEntry({ ...a, details: { a: { x: [1, { p: 2, q: 1 }], y: 2 }, b: 1 } });
    expect(b).toBe(a.hash);
  });

  it('survives close and reopen, and keeps chaining from where it was', () => {
    appendFive();
    const headBefore = audit.head();
    db.close();
    db = openDatabase(path);
    audit = new AuditLog(db, { clock });
    expect(audit.head()).toEqual(headBefore);
    const sixth = audit.append({ actor: 'user:2', action: 'alarm.acknowledged', subject: 'bed:3' });
    expect(sixth.seq).toBe(6);
    expect(sixth.prevHash).toBe(headBefore.hash);
    expect(audit.verify()).toEqual({ ok: true, entries: 6, headHash: sixth.hash });
  });

  it('chains appends from two connections to the same file without forking', () => {
    const otherDb = openDatabase(path);
    try {
      const other = new AuditLog(otherDb, { clock });
      audit.append({ actor: 'system', action: 'gateway.started' });
      other.append({ actor: 'cli:root', action: 'user.added', subject: 'user:ana' });
      audit.append({ actor: 'system', action: 'gateway.stopped' });
      expect(audit.verify()).toMatchObject({ ok: true, entries: 3 });
    } finally {
      otherDb.close();
    }
  });

  it.each([
    ['an unknown action', { actor: 'system', action: 'order.deleted' }],
    ['a malformed actor', { actor: 'nurse ana', action: 'alarm.acknowledged' }],
    ['non-JSON details', { actor: 'system', action: 'config.changed', details: { rate: Number.NaN } }],
    ['class instances in details', { actor: 'system', action: 'config.changed', details: { when: new Date(0) } }],
    ['an empty subject', { actor: 'system', action: 'config.changed', subject: '' }],
  ])('refuses %s and writes nothing', (_label, input) => {
    let code: string | undefined;
    try {
      audit.append(input as Parameters<AuditLog['append']>[0]);
    } catch (err) {
      code = isVigilError(err) ? err.code : 'other';
    }
    expect(code).toBe('AUDIT_ENTRY_INVALID');
    expect(audit.head().seq).toBe(0);
  });
});

describe('database triggers', () => {
  it('refuse UPDATE and DELETE on the audit table, even from another connection', () => {
    appendFive();
    const raw = new Database(path);
    try {
      expect(() => raw.prepare("UPDATE audit_log SET details = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
      expect(() => raw.prepare('DELETE FROM audit_log WHERE seq = 5').run()).toThrow(/append-only/);
      expect(() => raw.prepare("UPDATE audit_head SET seq = 4 WHERE id = 1").run()).toThrow(/only advances/);
      expect(() =>
        raw.prepare("INSERT INTO audit_log VALUES (9, 0, 'system', 'config.changed', NULL, '{}', 'x', 'y')").run(),
      ).toThrow(/continue the chain/);
    } finally {
      raw.close();
    }
    expect(audit.verify()).toMatchObject({ ok: true, entries: 5 });
  });
});

describe('AuditLog.verify', () => {
  it('passes on an empty log and on an intact one', () => {
    expect(audit.verify()).toEqual({ ok: true, entries: 0, headHash: AUDIT_GENESIS_HASH });
    appendFive();
    expect(audit.verify()).toMatchObject({ ok: true, entries: 5 });
  });

  it('names the entry whose details were edited by hand', () => {
    appendFive();
    tamper(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{"rateMlPerHour":5.25,"step":3}' WHERE seq = 3;`);
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'hash-mismatch' });
  });

  it('names the entry after one whose content and hash were both rewritten', () => {
    appendFive();
    const e2 = audit.query()[1]!;
    const forged = hashAuditEntry({ ...e2, details: { step: 2, rateMlPerHour: 500 } });
    tamper(
      `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{"rateMlPerHour":500,"step":2}', hash = '${forged}' WHERE seq = 2;`,
    );
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'chain-broken' });
  });

  it('names a deleted entry as missing', () => {
    appendFive();
    tamper('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;');
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 2, problem: 'missing-entry' });
  });

  it("names the last entry when its hash is changed", () => {
    appendFive();
    tamper(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET hash = '${'a'.repeat(64)}' WHERE seq = 5;`);
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'hash-mismatch' });
  });

  it('detects a cut-off tail through the recorded head', () => {
    appendFive();
    tamper('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 4;');
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 4, problem: 'missing-entry' });
  });

  it('reports unreadable details instead of throwing', () => {
    appendFive();
    tamper(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = 'not json' WHERE seq = 4;`);
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 4, problem: 'malformed-entry' });
    expect(audit.query({ limit: 2 })[0]!.details).toEqual({ '@unreadable': 'not json' });
  });
});

describe('AuditLog.query', () => {
  it('filters by subject and time, returns the latest `limit` oldest first', () => {
    appendFive(); // times t0 .. t0+4s; bed:3 = seq 1-3, bed:4 = seq 4-5
    const t0 = Date.UTC(2026, 2, 1, 9, 0, 0);
    expect(audit.query({ subject: 'bed:3' }).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(audit.query({ since: t0 + 2000 }).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(audit.query({ limit: 2 }).map((e) => e.seq)).toEqual([4, 5]);
    expect(audit.query({ subject: 'bed:3', limit: 2 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(audit.query({ beforeSeq: 3 }).map((e) => e.seq)).toEqual([1, 2]);
    expect(audit.query({ actor: 'device:pump-3' }).map((e) => e.seq)).toEqual([2, 4]);
    expect(audit.query({ subject: 'bed:9' })).toEqual([]);
  });
});
