import type Database from 'better-sqlite3';
import { describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { VigilDatabase } from '../store/database.js';
import { FINAL_ORDER_STATES, type OrderState, type OrderView } from './order-types.js';

/** An order with the bookkeeping the workflow keeps beside it. */
export interface OrderRecord {
  readonly view: OrderView;
  /** Signatures with wrong credentials so far (three refuse the order). */
  readonly failedSignatures: number;
  /** Epoch ms when a not-verified order's alarm was acknowledged; null otherwise. */
  readonly alarmAcknowledgedAt: number | null;
}

interface OrderRow {
  id: string;
  failed_signatures: number;
  alarm_acknowledged_at_ms: number | null;
  view_json: string;
}

const OPEN_STATES: readonly OrderState[] = ['awaiting-confirmation', 'awaiting-double-check', 'executing', 'awaiting-readback'];

/**
 * Orders in the Vigil database (table `control_orders`, migration 4), so that they
 * survive a restart. Writes are synchronous and committed when `save` returns; the
 * workflow wraps a save and its audit entry in one transaction.
 */
export class OrderStore {
  private readonly sqlite: Database.Database;
  private readonly log: Logger;
  private readonly upsert: Database.Statement;

  constructor(database: VigilDatabase, logger: Logger = silentLogger()) {
    this.sqlite = database.sqlite;
    this.log = logger.child({ component: 'order-store' });
    this.upsert = this.sqlite.prepare(`
      INSERT INTO control_orders (id, bed_id, device_id, kind, state, requested_at_ms, updated_at_ms, failed_signatures, alarm_acknowledged_at_ms, view_json)
      VALUES (@id, @bedId, @deviceId, @kind, @state, @requestedAt, @updatedAt, @failedSignatures, @alarmAcknowledgedAt, @viewJson)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at_ms = excluded.updated_at_ms,
        failed_signatures = excluded.failed_signatures, alarm_acknowledged_at_ms = excluded.alarm_acknowledged_at_ms,
        view_json = excluded.view_json`);
  }

  /** Inserts or replaces one order. `updatedAt` is epoch ms. */
  save(record: OrderRecord, updatedAt: number): void {
    const v = record.view;
    this.upsert.run({
      id: v.id,
      bedId: v.bedId,
      deviceId: v.deviceId,
      kind: v.kind,
      state: v.state,
      requestedAt: Math.floor(v.requestedAt),
      updatedAt: Math.floor(updatedAt),
      failedSignatures: record.failedSignatures,
      alarmAcknowledgedAt: record.alarmAcknowledgedAt,
      viewJson: JSON.stringify(v),
    });
  }

  get(id: string): OrderRecord | undefined {
    const row = this.sqlite.prepare('SELECT id, failed_signatures, alarm_acknowledged_at_ms, view_json FROM control_orders WHERE id = ?').get(id) as
      | OrderRow
      | undefined;
    return row ? (this.toRecord(row) ?? undefined) : undefined;
  }

  /** Orders not in a final state: what a restart must resolve. */
  unfinished(): OrderRecord[] {
    return this.select(`state IN (${OPEN_STATES.map(() => '?').join(', ')})`, [...OPEN_STATES]);
  }

  /** Not-verified orders whose alarm nobody acknowledged: their alarms are raised again after a restart. */
  unacknowledgedFailures(): OrderRecord[] {
    return this.select("state = 'not-verified' AND alarm_acknowledged_at_ms IS NULL", []);
  }

  /** The most recent orders, newest first. */
  recent(limit: number): OrderRecord[] {
    return this.select('1 = 1', [], limit);
  }

  private select(where: string, params: string[], limit = 10_000): OrderRecord[] {
    const rows = this.sqlite
      .prepare(
        `SELECT id, failed_signatures, alarm_acknowledged_at_ms, view_json FROM control_orders WHERE ${where} ORDER BY requested_at_ms DESC, rowid DESC LIMIT ?`,
      )
      .all(...params, Math.max(1, Math.floor(limit))) as OrderRow[];
    return rows.map((r) => this.toRecord(r)).filter((r): r is OrderRecord => r !== null);
  }

  /** A stored row as a record; null (logged) when its JSON was damaged outside Vigil. Never throws. */
  private toRecord(row: OrderRow): OrderRecord | null {
    try {
      const view = JSON.parse(row.view_json) as OrderView;
      if (typeof view !== 'object' || view === null || view.id !== row.id || typeof view.state !== 'string') throw new Error('not an order');
      return { view, failedSignatures: row.failed_signatures, alarmAcknowledgedAt: row.alarm_acknowledged_at_ms };
    } catch (err) {
      this.log.error({ orderId: row.id, err: describeError(err) }, 'stored order unreadable; skipped');
      return null;
    }
  }
}

/** True when nothing more happens to an order in this state. */
export function isFinalState(state: OrderState): boolean {
  return FINAL_ORDER_STATES.has(state);
}
