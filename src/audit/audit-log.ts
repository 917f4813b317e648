import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../core/clock.js';
import { VigilError, describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { VigilDatabase } from '../store/database.js';
import { checkActorAndAction, type AuditAction, type AuditActor } from './audit-actions.js';
import { rowToEntry, type AuditEntry, type AuditRow } from './audit-entry.js';
import { hashAuditEntry } from './audit-hash.js';
import { verifyAuditChain, type AuditVerifyResult } from './audit-verify.js';
import { canonicalJson, type JsonObject } from './canonical-json.js';

export type { AuditEntry } from './audit-entry.js';
export type { AuditVerifyResult, AuditProblem } from './audit-verify.js';

/** What a caller appends; seq, time and hashes are the log's business. */
export interface AuditAppend {
  readonly actor: AuditActor;
  readonly action: AuditAction;
  /** What it is about: `bed:<id>`, `device:<id>`, `user:<username>`, `order:<id>`... */
  readonly subject?: string | null;
  /** Any JSON-representable object; stored canonicalised (sorted keys). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Filter for `query`. Results are the most recent `limit` matches, oldest first. */
export interface AuditQuery {
  readonly subject?: string;
  readonly actor?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  /** Only entries with seq below this (paging backwards). */
  readonly beforeSeq?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface AuditLogOptions {
  clock?: Clock;
  logger?: Logger;
}

/** Largest canonical details accepted, in characters (an order is a few hundred). */
export const MAX_DETAILS_LENGTH = 64 * 1024;
const MAX_SUBJECT_LENGTH = 200;
const DEFAULT_QUERY_LIMIT = 100;
const MAX_QUERY_LIMIT = 1000;

/**
 * The tamper-evident audit log: append-only, hash-chained, durable.
 * `append` is synchronous and returns only after the entry is committed with
 * `synchronous = FULL` (on disk). If it throws, the action being audited must not proceed.
 */
export class AuditLog {
  private readonly sqlite: Database.Database;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly insert: Database.Statement;
  private readonly readHead: Database.Statement;

  constructor(database: VigilDatabase, options: AuditLogOptions = {}) {
    this.sqlite = database.sqlite;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger()).child({ component: 'audit' });
    this.insert = this.sqlite.prepare(
      'INSERT INTO audit_log (seq, time_ms, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.readHead = this.sqlite.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
  }

  /**
   * Appends one entry and returns it as stored.
   * @throws VigilError AUDIT_ENTRY_INVALID (bad actor, action, subject or details),
   *   AUDIT_WRITE_FAILED (the database refused or failed the write)
   */
  append(input: AuditAppend): AuditEntry {
    checkActorAndAction(input.actor, input.action);
    const subject = input.subject ?? null;
    if (subject !== null && (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH)) {
      throw new VigilError('AUDIT_ENTRY_INVALID', `audit subject must be 1-${MAX_SUBJECT_LENGTH} characters`, { subject });
    }
    const detailsText = canonicalJson(input.details ?? {});
    if (!detailsText.startsWith('{')) {
      throw new VigilError('AUDIT_ENTRY_INVALID', 'audit details must be an object', { action: input.action });
    }
    if (detailsText.length > MAX_DETAILS_LENGTH) {
      throw new VigilError('AUDIT_ENTRY_INVALID', `audit details exceed ${MAX_DETAILS_LENGTH} characters`, {
        action: input.action,
        length: detailsText.length,
      });
    }
    const details = JSON.parse(detailsText) as JsonObject;
    const time = Math.floor(this.clock.now());

    const write = this.sqlite.transaction((): AuditRow => {
      const head = this.readHead.get() as { seq: number; hash: string } | undefined;
      if (!head) throw new Error('audit_head record missing');
      const seq = head.seq + 1;
      const fields = { seq, time, actor: input.actor, action: input.action, subject, details, prevHash: head.hash };
      const hash = hashAuditEntry(fields);
      this.insert.run(seq, time, input.actor, input.action, subject, detailsText, head.hash, hash);
      return { seq, time_ms: time, actor: input.actor, action: input.action, subject, details: detailsText, prev_hash: head.hash, hash };
    });
    let row: AuditRow;
    try {
      // IMMEDIATE: take the write lock before reading the head, so two processes never chain onto the same entry.
      row = write.immediate();
    } catch (err) {
      this.log.error({ action: input.action, err: describeError(err) }, 'audit append failed');
      throw new VigilError('AUDIT_WRITE_FAILED', `audit entry could not be written: ${describeError(err)}`, {
        action: input.action,
      }, { cause: err });
    }
    this.log.debug({ seq: row.seq, action: row.action, subject }, 'audit entry appended');
    return rowToEntry(row);
  }

  /** Walks the chain and reports the first tampered or missing entry. */
  verify(): AuditVerifyResult {
    return verifyAuditChain(this.sqlite);
  }

  /** The latest seq and hash (seq 0 and the genesis hash when empty): what an external anchor would record. */
  head(): { seq: number; hash: string } {
    const head = this.readHead.get() as { seq: number; hash: string } | undefined;
    if (!head) throw new VigilError('AUDIT_WRITE_FAILED', 'audit head record missing');
    return head;
  }

  /** Recent entries matching the filter, oldest first. Never throws on stored content. */
  query(filter: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('subject = ?', filter.subject);
    add('actor = ?', filter.actor);
    add('time_ms >= ?', filter.since);
    add('time_ms < ?', filter.until);
    add('seq < ?', filter.beforeSeq);
    const limit = Math.max(1, Math.min(MAX_QUERY_LIMIT, Math.floor(filter.limit ?? DEFAULT_QUERY_LIMIT)));
    const sql =
      'SELECT seq, time_ms, actor, action, subject, details, prev_hash, hash FROM audit_log' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY seq DESC LIMIT ?';
    const rows = this.sqlite.prepare(sql).all(...params, limit) as AuditRow[];
    return rows.reverse().map(rowToEntry);
  }
}
