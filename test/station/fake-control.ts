/**
 * A small but faithful in-memory ControlApi for the station tests (not a test file):
 * sessions, a drug library with soft and hard limits, orders moving through the
 * states of src/control/order-types.ts, refusals as VigilError('ORDER_REFUSED', message,
 * { reason }). Execution stops at `executing` until the test calls finish(), so each
 * step of the live state is observable.
 */
import { Subject } from 'rxjs';
import type { ControlApi, Credentials, PumpChangeView, PumpView, RateChangeRequest, Session } from '../../src/control/control-api.js';
import type { DoseUnit, LimitCheck, OrderState, OrderUser, OrderView } from '../../src/control/order-types.js';
import type { AuditEntry } from '../../src/audit/audit-entry.js';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import type { Clock } from '../../src/core/clock.js';
import { VigilError } from '../../src/core/errors.js';

export const USERS: Record<string, OrderUser & { password: string }> = {
  ana: { id: 1, username: 'ana', displayName: 'Ana Silva', role: 'nurse', password: 'ana-password-1' },
  ben: { id: 2, username: 'ben', displayName: 'Ben Okafor', role: 'nurse', password: 'ben-password-1' },
  'dr.cho': { id: 3, username: 'dr.cho', displayName: 'Dr. Min Cho', role: 'physician', password: 'cho-password-1' },
  root: { id: 4, username: 'root', displayName: 'Admin', role: 'admin', password: 'root-password-1' },
};

/** Ketamine limits of the fake drug library, mg/kg/h. */
export const LIMITS = { softMin: 0.1, softMax: 1.0, hardMin: 0.05, hardMax: 2.0 };

export function ketaminePump(at: number, overrides: Partial<PumpView> = {}): PumpView {
  return {
    bedId: 'bed-1', deviceId: 'pump-1', label: 'Asena GH',
    programme: { drugId: 'ketamine', drugName: 'Ketamine', concentrationMgPerMl: 10, patientWeightKg: 70, highAlert: true, dosingUnit: 'mg/kg/h' },
    reading: { rateMlPerHour: 5.25, runState: 'running', serial: '800123', volumeInfusedMl: 1.75, vtbiRemainingMl: 3.5, fresh: true, readAt: at },
    doseMgPerKgPerHour: 0.75, openOrderId: null, ...overrides,
  };
}

const refuse = (reason: string, message: string, extra: Record<string, unknown> = {}): VigilError =>
  new VigilError('ORDER_REFUSED', message, { reason, ...extra });
const OPEN: ReadonlySet<OrderState> = new Set(['awaiting-confirmation', 'awaiting-double-check', 'executing', 'awaiting-readback']);
const fmt = (n: number): string => n.toFixed(2);

export class FakeControl implements ControlApi {
  readonly pumps$ = new Subject<PumpView>();
  readonly pumpChanges$ = new Subject<PumpChangeView>();
  readonly orders$ = new Subject<OrderView>();
  readonly alarms$ = new Subject<AlarmEvent>();
  /** Every acting call with its arguments except passwords, in order. */
  readonly calls: string[] = [];
  private readonly sessions = new Map<string, { user: OrderUser; expiresAt: number }>();
  private readonly pumpMap = new Map<string, PumpView>();
  private readonly orderMap = new Map<string, OrderView>();
  private readonly auditLog: AuditEntry[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock, pumps: PumpView[] = [ketaminePump(clock.now())]) {
    for (const p of pumps) this.pumpMap.set(`${p.bedId}/${p.deviceId}`, p);
  }

  async login(username: string, password: string): Promise<Session> {
    const user = this.check({ username, password });
    const token = `tok-${user.username}-${this.nextId++}`;
    const session = { token, user, expiresAt: this.clock.now() + 12 * 3600_000 };
    this.sessions.set(token, session);
    this.record(user, 'auth.login', `user:${user.username}`, {});
    return session;
  }
  logout(token: string): void {
    this.calls.push(`logout`);
    this.sessions.delete(token);
  }
  whoami(token: string): OrderUser {
    const s = this.sessions.get(token);
    if (!s) throw new VigilError('SESSION_INVALID', 'not logged in (unknown or ended session)');
    if (s.expiresAt <= this.clock.now()) throw new VigilError('SESSION_EXPIRED', 'your session has expired');
    return s.user;
  }
  pumps(): PumpView[] {
    return [...this.pumpMap.values()];
  }

  async requestRateChange(token: string, r: RateChangeRequest): Promise<OrderView> {
    const user = this.clinician(token);
    const pump = this.openable(r.bedId, r.deviceId);
    const { concentrationMgPerMl: c, patientWeightKg: w, drugName } = pump.programme;
    const dose = r.unit === 'mg/kg/h' ? r.value : (r.value * c) / w;
    const band: LimitCheck['band'] = dose < LIMITS.softMin ? 'soft-low' : dose > LIMITS.softMax ? 'soft-high' : 'within';
    const limitCheck: LimitCheck = { band, ...LIMITS, unit: 'mg/kg/h', overrideReason: r.overrideReason ?? null };
    if (dose > LIMITS.hardMax || dose < LIMITS.hardMin) {
      const side = dose > LIMITS.hardMax ? `above the hard maximum of ${LIMITS.hardMax}` : `below the hard minimum of ${LIMITS.hardMin}`;
      throw refuse('HARD_LIMIT', `${fmt(dose)} mg/kg/h is ${side} mg/kg/h for ${drugName}: not allowed`, { limitCheck });
    }
    if (band !== 'within' && !r.overrideReason) {
      throw refuse('OVERRIDE_REASON_REQUIRED', `${fmt(dose)} mg/kg/h is outside the soft limits (${LIMITS.softMin}-${LIMITS.softMax} mg/kg/h) for ${drugName}: give an override reason`, { limitCheck });
    }
    return this.create(user, pump, 'rate-change', { rate: (dose * w) / c, dose, requestedAs: { value: r.value, unit: r.unit }, limitCheck });
  }

  async requestStop(token: string, bedId: string, deviceId: string): Promise<OrderView> {
    const user = this.clinician(token);
    return this.create(user, this.openable(bedId, deviceId), 'stop', null);
  }

  async confirm(orderId: string, credentials: Credentials): Promise<OrderView> {
    const order = this.pending(orderId, 'awaiting-confirmation');
    const user = this.nurse(credentials);
    const next: OrderState = order.kind === 'rate-change' && order.programme.highAlert ? 'awaiting-double-check' : 'executing';
    this.calls.push(`confirm:${orderId}:${user.username}`);
    return this.move(order, next, user, 'confirmed', { confirmedBy: user });
  }

  async doubleCheck(orderId: string, credentials: Credentials, enteredValue: number): Promise<OrderView> {
    const order = this.pending(orderId, 'awaiting-double-check');
    const user = this.nurse(credentials);
    if (user.id === order.confirmedBy?.id || user.id === order.requestedBy.id) {
      throw refuse('SAME_NURSE', 'the double check must be done by a second nurse, not the one who requested or confirmed');
    }
    const wanted = order.requestedAs?.value ?? NaN;
    if (Math.abs(enteredValue - wanted) > 0.01) {
      throw refuse('VALUE_MISMATCH', `the value typed (${enteredValue} ${order.requestedAs?.unit}) does not match the order: check the prescription`);
    }
    this.calls.push(`double-check:${orderId}:${user.username}`);
    return this.move(order, 'executing', user, 'double-checked', { doubleCheckedBy: user });
  }

  cancel(orderId: string, token: string, reason: string): OrderView {
    const user = this.whoami(token);
    const order = this.get(orderId);
    if (order.state !== 'awaiting-confirmation' && order.state !== 'awaiting-double-check') {
      throw refuse('NOT_CANCELLABLE', `the order is ${order.state} and can no longer be cancelled`);
    }
    this.calls.push(`cancel:${orderId}:${reason}`);
    return this.move(order, 'cancelled', user, reason, { outcome: { code: 'CANCELLED', message: `Cancelled by ${user.displayName}: ${reason}` } });
  }

  acknowledgeOutcome(orderId: string, token: string): OrderView {
    const user = this.whoami(token);
    const order = this.get(orderId);
    if (order.state !== 'not-verified') throw refuse('NOTHING_TO_ACKNOWLEDGE', 'only a not-verified order can be acknowledged');
    this.calls.push(`acknowledge:${orderId}:${user.username}`);
    this.alarms$.next({ phase: 'end', alarm: { ...this.alarm(order), endedAt: this.clock.now() } });
    return order;
  }

  audit(token: string, options: { bedId?: string; limit?: number } = {}): AuditEntry[] {
    this.whoami(token);
    const subject = options.bedId === undefined ? null : `bed:${options.bedId}`;
    return this.auditLog.filter((e) => subject === null || e.subject === subject).reverse().slice(0, options.limit ?? 100);
  }

  order(orderId: string): OrderView | undefined {
    return this.orderMap.get(orderId);
  }
  orders(limit = 50): OrderView[] {
    return [...this.orderMap.values()].sort((a, b) => b.requestedAt - a.requestedAt).slice(0, limit);
  }

  /** Ends an executing order: verified (the pump runs the target) or not verified (it runs another rate). */
  finish(orderId: string, result: 'verified' | 'not-verified'): OrderView {
    const order = this.move(this.get(orderId), 'awaiting-readback', null, 'command accepted', {});
    const pump = this.pumpMap.get(`${order.bedId}/${order.deviceId}`);
    if (!pump) throw new Error('no pump');
    const target = order.targetRateMlPerHour;
    const runs = result === 'verified' ? target : (target ?? 0) + 1;
    const reading = { ...pump.reading, rateMlPerHour: order.kind === 'stop' ? pump.reading.rateMlPerHour : runs, runState: order.kind === 'stop' ? 'stopped' as const : 'running' as const, readAt: this.clock.now() };
    this.setPump({ ...pump, reading, doseMgPerKgPerHour: reading.rateMlPerHour === null ? null : (reading.rateMlPerHour * pump.programme.concentrationMgPerMl) / pump.programme.patientWeightKg, openOrderId: null });
    if (result === 'verified') return this.move(order, 'verified', null, 'read back', { readback: reading });
    const outcome = { code: 'READBACK_MISMATCH', message: `Rate change not verified: the pump runs ${fmt(runs ?? 0)} mL/h, not the ordered ${fmt(target ?? 0)} mL/h` };
    const failed = this.move(order, 'not-verified', null, outcome.message, { readback: reading, outcome });
    this.alarms$.next({ phase: 'start', alarm: this.alarm(failed) });
    return failed;
  }

  /** The pump was changed at its own keypad. */
  changeAtPump(bedId: string, deviceId: string, rateMlPerHour: number): void {
    const pump = this.pumpMap.get(`${bedId}/${deviceId}`);
    if (!pump) throw new Error('no pump');
    const before = `${fmt(pump.reading.rateMlPerHour ?? 0)} mL/h`;
    const dose = (rateMlPerHour * pump.programme.concentrationMgPerMl) / pump.programme.patientWeightKg;
    this.setPump({ ...pump, reading: { ...pump.reading, rateMlPerHour, readAt: this.clock.now() }, doseMgPerKgPerHour: dose });
    this.pumpChanges$.next({ bedId, deviceId, kind: 'rate', before, after: `${fmt(rateMlPerHour)} mL/h`, at: this.clock.now() });
  }

  setPump(pump: PumpView): void {
    this.pumpMap.set(`${pump.bedId}/${pump.deviceId}`, pump);
    this.pumps$.next(pump);
  }

  private alarm(order: OrderView): AlarmEvent['alarm'] {
    const at = order.history.at(-1)?.at ?? this.clock.now();
    return {
      id: `${order.bedId}/${order.deviceId}/RATE_CHANGE_NOT_VERIFIED/${at}`, bedId: order.bedId, deviceId: order.deviceId,
      code: 'RATE_CHANGE_NOT_VERIFIED', kind: 'technical', priority: 'high', message: order.outcome?.message ?? 'Rate change not verified',
      startedAt: at, updatedAt: at, endedAt: null,
    };
  }

  private check(c: Credentials): OrderUser {
    const found = USERS[c.username];
    if (!found || found.password !== c.password) throw new VigilError('AUTH_FAILED', 'invalid username or password');
    const { password: _password, ...user } = found;
    return user;
  }
  private nurse(c: Credentials): OrderUser {
    const user = this.check(c);
    if (user.role !== 'nurse') throw refuse('NOT_A_NURSE', `${user.displayName} is a ${user.role}: only a nurse can sign this step`);
    return user;
  }
  private clinician(token: string): OrderUser {
    const user = this.whoami(token);
    if (user.role === 'admin') throw refuse('ROLE_NOT_ALLOWED', 'an admin account cannot request pump changes');
    return user;
  }
  private openable(bedId: string, deviceId: string): PumpView {
    const pump = this.pumpMap.get(`${bedId}/${deviceId}`);
    if (!pump) throw refuse('UNKNOWN_PUMP', `no pump ${deviceId} at ${bedId}`);
    if (pump.openOrderId !== null) throw refuse('ORDER_OPEN', `pump ${deviceId} already has an open order`);
    return pump;
  }
  private get(orderId: string): OrderView {
    const order = this.orderMap.get(orderId);
    if (!order) throw new VigilError('INTERNAL', `no order ${orderId}`);
    return order;
  }
  private pending(orderId: string, state: OrderState): OrderView {
    const order = this.get(orderId);
    if (OPEN.has(order.state) && order.expiresAt <= this.clock.now()) {
      this.move(order, 'expired', null, 'expired', { outcome: { code: 'EXPIRED', message: 'The order expired before it was confirmed' } });
      throw refuse('EXPIRED', 'the order expired: request it again');
    }
    if (order.state !== state) throw refuse('WRONG_STATE', `the order is ${order.state}, not ${state}`);
    return order;
  }
  private create(user: OrderUser, pump: PumpView, kind: OrderView['kind'], rate: { rate: number; dose: number; requestedAs: { value: number; unit: DoseUnit }; limitCheck: LimitCheck } | null): OrderView {
    const now = this.clock.now();
    const order: OrderView = {
      id: `ord-${this.nextId++}`, kind, bedId: pump.bedId, deviceId: pump.deviceId, state: 'awaiting-confirmation',
      programme: pump.programme, targetRateMlPerHour: rate?.rate ?? null, targetDoseMgPerKgPerHour: rate?.dose ?? null,
      requestedAs: rate?.requestedAs ?? null, limitCheck: rate?.limitCheck ?? null, pumpAtRequest: pump.reading,
      requestedBy: user, requestedAt: now, expiresAt: now + 120_000, confirmedBy: null, doubleCheckedBy: null,
      readback: null, outcome: null, history: [{ at: now, state: 'awaiting-confirmation', by: user, note: 'requested' }],
    };
    this.calls.push(`request:${order.id}:${kind}`);
    this.orderMap.set(order.id, order);
    this.record(user, 'order.requested', `bed:${pump.bedId}`, { orderId: order.id, kind });
    this.orders$.next(order);
    this.setPump({ ...pump, openOrderId: order.id });
    return order;
  }
  private move(order: OrderView, state: OrderState, by: OrderUser | null, note: string, patch: Partial<OrderView>): OrderView {
    const next: OrderView = { ...order, ...patch, state, history: [...order.history, { at: this.clock.now(), state, by, note }] };
    this.orderMap.set(order.id, next);
    this.record(by, `order.${state}`, `bed:${order.bedId}`, { orderId: order.id, note });
    if (!OPEN.has(state)) {
      const pump = this.pumpMap.get(`${order.bedId}/${order.deviceId}`);
      if (pump && pump.openOrderId === order.id) this.setPump({ ...pump, openOrderId: null });
    }
    this.orders$.next(next);
    return next;
  }
  private record(by: OrderUser | null, action: string, subject: string, details: Record<string, string>): void {
    const time = Math.floor(this.clock.now());
    this.auditLog.push({
      seq: this.auditLog.length + 1, time, timeIso: new Date(time).toISOString(), actor: by ? `user:${by.id}` : 'system',
      action, subject, details, prevHash: '0'.repeat(64), hash: '0'.repeat(64),
    });
  }
}
