import type Database from 'better-sqlite3';
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../core/clock.js';
import type { AuditAppend, AuditLog } from '../audit/audit-log.js';
import type { OrderEvent, OrderState, OrderUser, OrderView } from './order-types.js';
import { isFinalState, type OrderRecord, type OrderStore } from './order-store.js';

/** How many finished orders stay in memory for `orders()` (older ones remain in the database). */
const RECENT_KEPT = 200;

/** A change to an order: new fields, the history event, the audit entry. */
export interface OrderTransition {
  readonly patch?: Partial<Omit<OrderView, 'id' | 'history'>>;
  readonly state?: OrderState;
  readonly by?: OrderUser | null;
  readonly note: string;
  /** Written in the same database transaction as the order; if it fails, nothing changes. */
  readonly audit: AuditAppend | null;
  readonly failedSignatures?: number;
  readonly alarmAcknowledgedAt?: number | null;
}

/**
 * The orders of the workflow: in memory for reading, in the database for restarts.
 * Every change is saved together with its audit entry in one SQLite transaction, and
 * only then applied in memory and emitted on `changes$`. So a failed audit write
 * (AUDIT_WRITE_FAILED) leaves the order exactly as it was, and the action that needed
 * it does not go ahead.
 */
export class OrderBook {
  private readonly records = new Map<string, OrderRecord>();
  private readonly changes = new Subject<OrderView>();
  /** Every change of every order, as it is after the change. */
  readonly changes$: Observable<OrderView> = this.changes.asObservable();

  constructor(
    private readonly store: OrderStore,
    private readonly audit: AuditLog,
    private readonly sqlite: Database.Database,
    private readonly clock: Clock,
  ) {
    for (const record of store.recent(RECENT_KEPT)) this.records.set(record.view.id, record);
    for (const record of store.unfinished()) this.records.set(record.view.id, record);
    for (const record of store.unacknowledgedFailures()) this.records.set(record.view.id, record);
  }

  get(id: string): OrderRecord | undefined {
    if (typeof id !== 'string') return undefined;
    return this.records.get(id) ?? this.store.get(id);
  }

  /** All records in memory (open, recent, unacknowledged failures). */
  all(): OrderRecord[] {
    return [...this.records.values()];
  }

  /** The unfinished order of a pump, if any (at most one). */
  openFor(bedId: string, deviceId: string): OrderRecord | undefined {
    return this.all().find((r) => r.view.bedId === bedId && r.view.deviceId === deviceId && !isFinalState(r.view.state));
  }

  /** Open orders and the most recent closed ones, newest first. */
  list(limit = 50): OrderView[] {
    const views = this.all().map((r) => r.view);
    views.sort((a, b) => b.requestedAt - a.requestedAt);
    const open = views.filter((v) => !isFinalState(v.state));
    const closed = views.filter((v) => isFinalState(v.state)).slice(0, Math.max(0, Math.floor(limit) - open.length));
    return [...open, ...closed].sort((a, b) => b.requestedAt - a.requestedAt);
  }

  /** Records a new order and its `order.requested` entry. */
  create(view: OrderView, audit: AuditAppend): OrderView {
    const record: OrderRecord = { view, failedSignatures: 0, alarmAcknowledgedAt: null };
    this.commit(record, audit);
    return view;
  }

  /**
   * Applies a transition. The history gains one event (with the new state, or the current
   * one when the state does not change).
   * @throws VigilError AUDIT_WRITE_FAILED (and the order is unchanged)
   */
  apply(id: string, t: OrderTransition): OrderView {
    const current = this.get(id);
    if (!current) throw new Error(`order ${id} not in the book`);
    const at = Math.floor(this.clock.now());
    const state = t.state ?? current.view.state;
    const event: OrderEvent = { at, state, by: t.by ?? null, note: t.note };
    const view: OrderView = { ...current.view, ...t.patch, state, history: [...current.view.history, event] };
    const record: OrderRecord = {
      view,
      failedSignatures: t.failedSignatures ?? current.failedSignatures,
      alarmAcknowledgedAt: t.alarmAcknowledgedAt !== undefined ? t.alarmAcknowledgedAt : current.alarmAcknowledgedAt,
    };
    this.commit(record, t.audit);
    return view;
  }

  /** Writes an audit entry that changes no order (e.g. a failed signature). */
  auditOnly(entry: AuditAppend): void {
    this.audit.append(entry);
  }

  close(): void {
    this.changes.complete();
  }

  private commit(record: OrderRecord, audit: AuditAppend | null): void {
    const now = this.clock.now();
    this.sqlite
      .transaction(() => {
        this.store.save(record, now);
        if (audit) this.audit.append(audit);
      })
      .immediate();
    this.records.set(record.view.id, record);
    this.trim();
    this.changes.next(record.view);
  }

  /** Keeps memory bounded: open orders, unacknowledged failures and the newest finished ones. */
  private trim(): void {
    if (this.records.size <= RECENT_KEPT * 2) return;
    const finished = this.all()
      .filter((r) => isFinalState(r.view.state) && !(r.view.state === 'not-verified' && r.alarmAcknowledgedAt === null))
      .sort((a, b) => b.view.requestedAt - a.view.requestedAt);
    for (const r of finished.slice(RECENT_KEPT)) this.records.delete(r.view.id);
  }
}
