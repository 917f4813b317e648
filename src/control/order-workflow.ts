import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { AuditAppend, AuditEntry, AuditLog } from '../audit/audit-log.js';
import type { AlarmEvent } from '../alarms/alarm.js';
import type { Clock } from '../core/clock.js';
import { VigilError, isVigilError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { VigilDatabase } from '../store/database.js';
import type { SessionStore } from '../users/session-store.js';
import type { UserStore } from '../users/user-store.js';
import type { ControlApi, Credentials, PumpChangeView, PumpView, RateChangeRequest, Session } from './control-api.js';
import type { ControlledPump } from './controlled-pump.js';
import type { DrugLibrary } from '../config/drug-library.js';
import { OrderAlarms } from './order-alarms.js';
import { OrderBook } from './order-book.js';
import { AWAITING_STATES, actorOf, bedSubject, isExpired, pumpChange } from './order-checks.js';
import { OrderExecution } from './order-execution.js';
import { OrderExpiry } from './order-expiry.js';
import { admitOrder, auditableRequest, orderSummary, requestShapeProblem } from './order-intake.js';
import { recoverOrders } from './order-recovery.js';
import { formatDose } from './order-refusal.js';
import { describeUser, signOrder, toOrderUser } from './order-signatures.js';
import { OrderStore, type OrderRecord } from './order-store.js';
import type { OrderState, OrderUser, OrderView } from './order-types.js';
import { PumpBoard } from './pump-board.js';
import { PumpChangeWatch } from './pump-change-watch.js';
import { RefusalRecorder } from './refusal-recorder.js';
import { MAX_OVERRIDE_REASON_LENGTH } from './rate-plan.js';

export interface ControlServiceOptions {
  readonly pumps: readonly ControlledPump[];
  readonly drugLibrary: DrugLibrary;
  readonly database: VigilDatabase;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  /** All times (order requested/expires, audit). Must agree with `scheduler`. */
  readonly clock: Clock;
  /** Expiry timers. Default asyncScheduler; tests pass a virtual-time scheduler driving `clock`. */
  readonly scheduler?: SchedulerLike;
  /** An order not executed within this time expires. Default 120 000 (2 min). */
  readonly orderTimeoutMs?: number;
  /** A pump change matching an order up to this long after it finished is that order's, not a keypad change. Default 30 000. */
  readonly expectedChangeWindowMs?: number;
  readonly logger?: Logger;
}

/**
 * The rate-change and stop workflow (docs/safety.md): request -> drug-library limits ->
 * a nurse's signature -> for high-alert drugs a second nurse's independent double check
 * -> one execution through the pump's own executor -> verified, or not verified with a
 * high-priority alarm. Never retried, never started by anything but a clinician.
 *
 * On construction it resolves orders left unfinished by a previous run (an order still
 * awaiting a signature expires, code GATEWAY_RESTARTED; one that was executing becomes
 * not-verified, code GATEWAY_RESTARTED, with its alarm) and raises again the alarm of
 * every not-verified order nobody acknowledged. Call `close()` on shutdown.
 */
export class ControlService implements ControlApi {
  readonly pumps$: Observable<PumpView>;
  readonly pumpChanges$: Observable<PumpChangeView>;
  readonly orders$: Observable<OrderView>;
  readonly alarms$: Observable<AlarmEvent>;

  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly orderTimeoutMs: number;
  private readonly book: OrderBook;
  private readonly board: PumpBoard;
  private readonly alarms = new OrderAlarms();
  private readonly execution: OrderExecution;
  private readonly watch: PumpChangeWatch;
  private readonly expiry: OrderExpiry;
  private readonly refusals: RefusalRecorder;
  private readonly signing: Parameters<typeof signOrder>[0];
  private readonly subscriptions: Subscription[] = [];

  constructor(private readonly options: ControlServiceOptions) {
    this.log = (options.logger ?? silentLogger()).child({ component: 'control' });
    this.clock = options.clock;
    this.orderTimeoutMs = options.orderTimeoutMs ?? 120_000;
    this.book = new OrderBook(new OrderStore(options.database, this.log), options.audit, options.database.sqlite, this.clock);
    this.board = new PumpBoard(options.pumps, (bed, device) => this.book.openFor(bed, device)?.view.id ?? null, this.log);
    this.execution = new OrderExecution({ book: this.book, board: this.board, alarms: this.alarms, clock: this.clock, log: this.log });
    this.expiry = new OrderExpiry(this.book, this.execution, this.clock, options.scheduler ?? asyncScheduler, this.log);
    this.refusals = new RefusalRecorder(this.book, this.log);
    this.signing = { users: options.users, book: this.book, execution: this.execution };
    this.watch = new PumpChangeWatch(this.book, this.clock, this.log, options.expectedChangeWindowMs ?? 30_000);
    this.pumps$ = this.board.views$;
    this.pumpChanges$ = this.watch.changes$;
    this.orders$ = this.book.changes$;
    this.alarms$ = this.alarms.events$;
    this.subscriptions.push(this.book.changes$.subscribe((v) => this.board.refresh(v.bedId, v.deviceId)));
    recoverOrders(this.book, this.execution, this.alarms, (b, d) => this.board.find(b, d)?.label ?? d, this.clock);
    this.board.start((pump, change) => this.watch.onChange(pump, change));
  }

  async login(username: string, password: string, remoteAddress?: string): Promise<Session> {
    const session = await this.options.sessions.login(username, password, remoteAddress ? { remoteAddress } : {});
    return { token: session.token, user: toOrderUser(session.user), expiresAt: session.expiresAt };
  }

  logout(token: string): void {
    this.options.sessions.logout(token);
  }

  whoami(token: string): OrderUser {
    return toOrderUser(this.options.sessions.authenticate(token));
  }

  pumps(): PumpView[] {
    return this.board.list();
  }

  async requestRateChange(token: string, request: RateChangeRequest): Promise<OrderView> {
    const shape = requestShapeProblem(request);
    const r = request as Partial<RateChangeRequest> | null;
    const user = this.requester(token, r?.bedId, { request: auditableRequest(r) });
    if (shape) throw this.refusals.request(user, r?.bedId, shape, { request: auditableRequest(r) });
    return this.open(user, 'rate-change', request);
  }

  async requestStop(token: string, bedId: string, deviceId: string): Promise<OrderView> {
    const user = this.requester(token, bedId, { kind: 'stop', deviceId: String(deviceId).slice(0, 64) });
    if (typeof bedId !== 'string' || typeof deviceId !== 'string') {
      throw this.refusals.request(user, bedId, { reason: 'INVALID_REQUEST', message: 'the request must name the bed and the pump' }, {});
    }
    return this.open(user, 'stop', { bedId, deviceId });
  }

  async confirm(orderId: string, credentials: Credentials): Promise<OrderView> {
    this.requireActionable(orderId, 'awaiting-confirmation');
    const user = await signOrder(this.signing, credentials, 'confirm', () => this.requireActionable(orderId, null));
    const record = this.requireActionable(orderId, 'awaiting-confirmation');
    if (user.role !== 'nurse') {
      throw this.execution.refuse(record, { reason: 'WRONG_ROLE', message: `only a nurse can confirm a pump change; ${describeUser(user)} cannot` }, user);
    }
    const { view } = record;
    const step = {
      by: user,
      note: `confirmed by ${describeUser(user)}`,
      patch: { confirmedBy: user },
      audit: this.entry(user, 'order.confirmed', view, { confirmedBy: user.username }),
    };
    if (view.kind === 'rate-change' && view.programme.highAlert) {
      const changed = pumpChange(view.pumpAtRequest, this.board.reading(view.bedId, view.deviceId));
      if (changed) throw this.execution.refuse(record, { reason: 'PUMP_CHANGED', message: `the pump changed since the order was requested: ${changed}` }, user);
      return this.book.apply(orderId, { ...step, state: 'awaiting-double-check', note: `${step.note}; high-alert drug: a second nurse must double-check` });
    }
    return this.execution.run(record, this.pumpOf(view), step, user);
  }

  async doubleCheck(orderId: string, credentials: Credentials, enteredValue: number): Promise<OrderView> {
    const first = this.requireActionable(orderId, 'awaiting-double-check');
    if (typeof enteredValue !== 'number' || !Number.isFinite(enteredValue)) {
      throw this.refusals.attempt(first.view, null, { reason: 'INVALID_VALUE', message: 'enter the new rate as a number to double-check it' });
    }
    const user = await signOrder(this.signing, credentials, 'double-check', () => this.requireActionable(orderId, null));
    const record = this.requireActionable(orderId, 'awaiting-double-check');
    const { view } = record;
    if (user.role !== 'nurse') {
      throw this.execution.refuse(record, { reason: 'WRONG_ROLE', message: `only a nurse can double-check a pump change; ${describeUser(user)} cannot` }, user);
    }
    const same = view.confirmedBy?.id === user.id ? 'confirmed' : view.requestedBy.id === user.id ? 'requested' : null;
    if (same) {
      throw this.execution.refuse(
        record,
        { reason: 'SAME_NURSE', message: `the double check must be by a second, independent nurse: ${describeUser(user)} ${same} this order` },
        user,
      );
    }
    const ordered = view.requestedAs;
    if (!ordered || Math.abs(enteredValue - ordered.value) > 0.01 + 1e-9) {
      const expected = ordered ? formatDose(ordered.value, ordered.unit) : 'no value';
      throw this.execution.refuse(
        record,
        {
          reason: 'DOUBLE_CHECK_MISMATCH',
          message: `the double check entered ${formatDose(enteredValue, ordered?.unit ?? 'mL/h')} but the order is ${expected}: the order is refused; request it again if it is right`,
        },
        user,
      );
    }
    const step = {
      by: user,
      note: `double-checked by ${describeUser(user)}`,
      patch: { doubleCheckedBy: user },
      audit: this.entry(user, 'order.double-checked', view, { doubleCheckedBy: user.username, enteredValue, unit: ordered.unit }),
    };
    return this.execution.run(record, this.pumpOf(view), step, user);
  }

  cancel(orderId: string, token: string, reason: string): OrderView {
    const user = this.whoami(token);
    const record = this.requireOrder(orderId);
    if (user.role === 'admin') throw this.refusals.attempt(record.view, user, { reason: 'WRONG_ROLE', message: `${describeUser(user)} cannot cancel pump orders` });
    this.requireActionable(orderId, null);
    const text = typeof reason === 'string' ? reason.trim().slice(0, MAX_OVERRIDE_REASON_LENGTH) : '';
    return this.book.apply(orderId, {
      state: 'cancelled',
      by: user,
      note: `cancelled by ${describeUser(user)}${text ? `: ${text}` : ''}`,
      patch: { outcome: { code: 'CANCELLED', message: text || 'cancelled' } },
      audit: this.entry(user, 'order.cancelled', record.view, { reason: text }),
    });
  }

  acknowledgeOutcome(orderId: string, token: string): OrderView {
    const user = this.whoami(token);
    const record = this.requireOrder(orderId);
    if (user.role !== 'nurse') throw this.refusals.attempt(record.view, user, { reason: 'WRONG_ROLE', message: 'only a nurse can acknowledge a pump alarm' });
    if (record.view.state !== 'not-verified' || record.alarmAcknowledgedAt !== null) {
      throw this.refusals.attempt(record.view, user, { reason: 'WRONG_STATE', message: 'this order has no unacknowledged alarm' });
    }
    const now = Math.floor(this.clock.now());
    const view = this.book.apply(orderId, {
      by: user,
      note: `alarm acknowledged by ${describeUser(user)}`,
      alarmAcknowledgedAt: now,
      audit: this.entry(user, 'alarm.acknowledged', record.view, { code: 'RATE_CHANGE_NOT_VERIFIED' }),
    });
    this.alarms.end(orderId, now);
    return view;
  }

  audit(token: string, options: { bedId?: string; limit?: number } = {}): AuditEntry[] {
    this.options.sessions.authenticate(token);
    const bedId = typeof options.bedId === 'string' ? options.bedId : undefined;
    return this.options.audit.query({ ...(bedId ? { subject: bedSubject(bedId) } : {}), limit: options.limit ?? 100 });
  }

  order(orderId: string): OrderView | undefined {
    return this.book.get(orderId)?.view;
  }

  orders(limit = 50): OrderView[] {
    return this.book.list(limit);
  }

  /** Stops timers and subscriptions. Orders stay in the database. */
  close(): void {
    this.expiry.close();
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.board.stop();
    this.watch.close();
    this.alarms.close();
    this.book.close();
  }

  private open(user: OrderUser, kind: 'rate-change' | 'stop', target: Partial<RateChangeRequest> & { bedId: string; deviceId: string }): OrderView {
    const admitted = admitOrder(
      {
        drugLibrary: this.options.drugLibrary,
        findPump: (b, d) => this.board.find(b, d),
        readingOf: (p) => this.board.reading(p.bedId, p.deviceId),
        openOrderOf: (p) => this.book.openFor(p.bedId, p.deviceId),
        unacknowledgedFailureOf: (p) =>
          this.book.all().find((r) => r.view.bedId === p.bedId && r.view.deviceId === p.deviceId && r.view.state === 'not-verified' && r.alarmAcknowledgedAt === null),
        nowMs: this.clock.now(),
        orderTimeoutMs: this.orderTimeoutMs,
      },
      user,
      kind,
      target,
    );
    const details = kind === 'stop' ? { kind, deviceId: target.deviceId } : { request: auditableRequest(target) };
    if ('reason' in admitted) throw this.refusals.request(user, target.bedId, admitted, details);
    const view = this.book.create(admitted, this.entry(user, 'order.requested', admitted, { ...orderSummary(admitted) }));
    this.expiry.schedule(view);
    return view;
  }

  /** The requester's session and role; session failures are audited as refusals and rethrown. */
  private requester(token: string, bedId: unknown, details: Record<string, unknown>): OrderUser {
    let user: OrderUser;
    try {
      user = this.whoami(token);
    } catch (err) {
      if (isVigilError(err)) this.refusals.session(err, bedId, details);
      throw err;
    }
    if (user.role === 'admin') {
      throw this.refusals.request(user, bedId, { reason: 'WRONG_ROLE', message: `${describeUser(user)} cannot request pump changes: a nurse or physician must` }, details);
    }
    return user;
  }

  private requireOrder(orderId: string): OrderRecord {
    const record = this.book.get(orderId);
    if (!record) throw new VigilError('ORDER_NOT_FOUND', `no order "${String(orderId).slice(0, 64)}"`, { orderId });
    return record;
  }

  /** The order if it waits for this step (or any signature when `state` is null); expires it when due. */
  private requireActionable(orderId: string, state: OrderState | null): OrderRecord {
    const record = this.requireOrder(orderId);
    const ok = state === null ? AWAITING_STATES.has(record.view.state) : record.view.state === state;
    if (!ok) throw this.refusals.attempt(record.view, null, { reason: 'WRONG_STATE', message: `the order is ${record.view.state}, not ${state ?? 'awaiting a signature'}` });
    if (isExpired(record.view, this.clock.now())) throw this.execution.expire(record, 'the order expired before it was signed');
    return record;
  }

  private pumpOf(view: OrderView): ControlledPump {
    const pump = this.board.find(view.bedId, view.deviceId);
    if (!pump) throw new VigilError('INTERNAL', `order ${view.id} names a pump that is not configured`, { orderId: view.id });
    return pump;
  }

  private entry(user: OrderUser | null, action: AuditAppend['action'], view: OrderView, details: Record<string, unknown>): AuditAppend {
    return { actor: actorOf(user), action, subject: bedSubject(view.bedId), details: { orderId: view.id, deviceId: view.deviceId, ...details } };
  }
}
