/** The station HTTP API (/api) against a real server and the fake ControlApi. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import { BEDS, T0 } from './fixtures.js';
import { FakeControl, USERS } from './fake-control.js';
import { http } from './http-helpers.js';

const ANA = { username: 'ana', password: USERS.ana?.password };
const BEN = { username: 'ben', password: USERS.ben?.password };

describe('station HTTP API with pump control', () => {
  let clock: ManualClock;
  let control: FakeControl;
  let server: StationServer;
  const call = (method: string, path: string, options?: Parameters<typeof http>[3]) => http(server.port, method, path, options);
  const login = async (who = ANA): Promise<string> => (await call('POST', '/api/login', { body: who })).json.token as string;
  const request = async (token: string, body: Record<string, unknown>) => call('POST', '/api/orders', { token, body: { bedId: 'bed-1', deviceId: 'pump-1', ...body } });

  beforeEach(async () => {
    clock = new ManualClock(T0);
    control = new FakeControl(clock);
    server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$: new Subject(), status$: new Subject(), alarms$: new Subject(),
      logger: silentLogger(), clock, control,
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it('logs in, tells who is logged in, and logs out', async () => {
    const res = await call('POST', '/api/login', { body: ANA });
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ username: 'ana', role: 'nurse', displayName: 'Ana Silva' });
    expect(res.json.expiresAt).toBeGreaterThan(T0);
    const token = res.json.token as string;
    expect((await call('GET', '/api/me', { token })).json.user.username).toBe('ana');
    expect((await call('POST', '/api/logout', { token })).status).toBe(200);
    const after = await call('GET', '/api/me', { token });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('SESSION_INVALID');
  });

  it('answers a wrong password with 401 AUTH_FAILED, without echoing it', async () => {
    const res = await call('POST', '/api/login', { body: { username: 'ana', password: 'wrong-secret-77' } });
    expect(res.status).toBe(401);
    expect(res.json.error).toEqual({ code: 'AUTH_FAILED', message: 'invalid username or password' });
    expect(res.text).not.toContain('wrong-secret-77');
  });

  it.each([
    ['GET', '/api/me', undefined],
    ['POST', '/api/orders', { bedId: 'bed-1', deviceId: 'pump-1', value: 0.5, unit: 'mg/kg/h' }],
    ['POST', '/api/orders/stop', { bedId: 'bed-1', deviceId: 'pump-1' }],
    ['GET', '/api/audit', undefined],
  ])('requires a valid session for %s %s', async (method, path, body) => {
    const missing = await call(method, path, { body });
    expect(missing.status).toBe(401);
    expect(missing.json.error.code).toBe('AUTH_REQUIRED');
    const bogus = await call(method, path, { body, token: 'not-a-session' });
    expect(bogus.status).toBe(401);
    expect(bogus.json.error.code).toBe('SESSION_INVALID');
    expect(control.orders()).toEqual([]);
  });

  it('answers 401 SESSION_EXPIRED once the session has expired', async () => {
    const token = await login();
    clock.advance(13 * 3600_000);
    const res = await call('GET', '/api/me', { token });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('SESSION_EXPIRED');
  });

  it('lists pumps and orders', async () => {
    const pumps = await call('GET', '/api/pumps');
    expect(pumps.status).toBe(200);
    expect(pumps.json.pumps).toHaveLength(1);
    expect(pumps.json.pumps[0]).toMatchObject({ bedId: 'bed-1', deviceId: 'pump-1', reading: { rateMlPerHour: 5.25 } });
    const token = await login();
    await request(token, { value: 0.8, unit: 'mg/kg/h' });
    const orders = await call('GET', '/api/orders');
    expect(orders.json.orders.map((o: { state: string }) => o.state)).toEqual(['awaiting-confirmation']);
  });

  it('walks a high-alert rate change through request, confirmation and a second nurse double check', async () => {
    const ana = await login();
    const created = await request(ana, { value: 0.8, unit: 'mg/kg/h' });
    expect(created.status).toBe(201);
    const { order } = created.json;
    expect(order).toMatchObject({ state: 'awaiting-confirmation', requestedBy: { username: 'ana' }, limitCheck: { band: 'within' } });
    expect(order.targetRateMlPerHour).toBeCloseTo(5.6, 6);

    const confirmed = await call('POST', `/api/orders/${order.id}/confirm`, { body: ANA });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.order.state).toBe('awaiting-double-check');

    const same = await call('POST', `/api/orders/${order.id}/double-check`, { body: { ...ANA, enteredValue: 0.8 } });
    expect(same.status).toBe(409);
    expect(same.json.error).toMatchObject({ code: 'ORDER_REFUSED', reason: 'SAME_NURSE' });
    expect(same.json.error.message).toContain('second nurse');

    const wrong = await call('POST', `/api/orders/${order.id}/double-check`, { body: { ...BEN, enteredValue: 0.9 } });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error.reason).toBe('VALUE_MISMATCH');

    const checked = await call('POST', `/api/orders/${order.id}/double-check`, { body: { ...BEN, enteredValue: 0.8 } });
    expect(checked.status).toBe(200);
    expect(checked.json.order).toMatchObject({ state: 'executing', confirmedBy: { username: 'ana' }, doubleCheckedBy: { username: 'ben' } });

    control.finish(order.id, 'verified');
    const final = await call('GET', `/api/orders/${order.id}`);
    expect(final.json.order.state).toBe('verified');
    expect(control.calls).toEqual([`request:${order.id}:rate-change`, `confirm:${order.id}:ana`, `double-check:${order.id}:ben`]);
  });

  it('refuses a dose above the hard limit with 409, the limit named, and creates no order', async () => {
    const res = await request(await login(), { value: 2.5, unit: 'mg/kg/h' });
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'ORDER_REFUSED', reason: 'HARD_LIMIT', limitCheck: { hardMax: 2, unit: 'mg/kg/h' } });
    expect(res.json.error.message).toContain('hard maximum of 2');
    expect(control.orders()).toEqual([]);
  });

  it('asks for an override reason outside the soft limits and accepts the request with one', async () => {
    const token = await login();
    const first = await request(token, { value: 10.5, unit: 'mL/h' });
    expect(first.status).toBe(409);
    expect(first.json.error.reason).toBe('OVERRIDE_REASON_REQUIRED');
    expect(first.json.error.limitCheck.band).toBe('soft-high');
    const second = await request(token, { value: 10.5, unit: 'mL/h', overrideReason: 'protocol step-up approved by Dr Cho' });
    expect(second.status).toBe(201);
    expect(second.json.order.limitCheck).toMatchObject({ band: 'soft-high', overrideReason: 'protocol step-up approved by Dr Cho' });
    expect(second.json.order.requestedAs).toEqual({ value: 10.5, unit: 'mL/h' });
  });

  it('refuses a physician confirmation and an admin request, naming why', async () => {
    const order = (await request(await login(), { value: 0.5, unit: 'mg/kg/h' })).json.order;
    const byPhysician = await call('POST', `/api/orders/${order.id}/confirm`, { body: { username: 'dr.cho', password: USERS['dr.cho']?.password } });
    expect(byPhysician.status).toBe(409);
    expect(byPhysician.json.error).toMatchObject({ reason: 'NOT_A_NURSE' });
    const admin = await login({ username: 'root', password: USERS.root?.password });
    const byAdmin = await call('POST', '/api/orders/stop', { token: admin, body: { bedId: 'bed-1', deviceId: 'pump-1' } });
    expect(byAdmin.status).toBe(409);
    expect(byAdmin.json.error.message).toContain('admin');
    const badSignature = await call('POST', `/api/orders/${order.id}/confirm`, { body: { username: 'ana', password: 'nope-nope-nope' } });
    expect(badSignature.status).toBe(401);
    expect(badSignature.json.error.code).toBe('AUTH_FAILED');
  });

  it('stops an infusion with one confirmation and no double check', async () => {
    const res = await call('POST', '/api/orders/stop', { token: await login(), body: { bedId: 'bed-1', deviceId: 'pump-1' } });
    expect(res.status).toBe(201);
    expect(res.json.order).toMatchObject({ kind: 'stop', targetRateMlPerHour: null });
    const confirmed = await call('POST', `/api/orders/${res.json.order.id}/confirm`, { body: BEN });
    expect(confirmed.json.order.state).toBe('executing');
  });

  it('cancels an order and acknowledges a not-verified one (ending its alarm)', async () => {
    const alarms: AlarmEvent[] = [];
    control.alarms$.subscribe((e) => alarms.push(e));
    const token = await login();
    const first = (await request(token, { value: 0.5, unit: 'mg/kg/h' })).json.order;
    const cancelled = await call('POST', `/api/orders/${first.id}/cancel`, { token, body: { reason: 'wrong bed' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.order.state).toBe('cancelled');

    const second = (await request(token, { value: 0.5, unit: 'mg/kg/h' })).json.order;
    await call('POST', `/api/orders/${second.id}/confirm`, { body: ANA });
    await call('POST', `/api/orders/${second.id}/double-check`, { body: { ...BEN, enteredValue: 0.5 } });
    control.finish(second.id, 'not-verified');
    expect(alarms.map((a) => a.phase)).toEqual(['start']);
    const early = await call('POST', `/api/orders/${first.id}/acknowledge`, { token });
    expect(early.status).toBe(409);
    const ack = await call('POST', `/api/orders/${second.id}/acknowledge`, { token });
    expect(ack.status).toBe(200);
    expect(ack.json.order.state).toBe('not-verified');
    expect(alarms.map((a) => a.phase)).toEqual(['start', 'end']);
  });

  it.each(['confirm', 'double-check', 'cancel', 'acknowledge'])('answers 404 for %s of an unknown order', async (action) => {
    const token = await login();
    const res = await call('POST', `/api/orders/ord-999/${action}`, { token, body: { ...BEN, enteredValue: 1, reason: 'x' } });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('ORDER_NOT_FOUND');
  });

  it.each(['/api/orders/ord-999', '/api/orders/%ZZ', '/api/orders/%00', '/api/orders/%E2%80%AE', '/api/orders/..%2F..%2Fetc', `/api/orders/${'x'.repeat(80)}`])('answers 404 for GET %s', async (path) => {
    const res = await call('GET', path);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('ORDER_NOT_FOUND');
  });

  it('shows the audit log to a logged-in user, newest first, by bed, and validates the query', async () => {
    const token = await login();
    await request(token, { value: 0.5, unit: 'mg/kg/h' });
    const all = await call('GET', '/api/audit', { token });
    expect(all.status).toBe(200);
    expect(all.json.entries.map((e: { action: string }) => e.action)).toEqual(['order.requested', 'auth.login']);
    expect(all.json.entries[0]).toEqual({ seq: 2, time: T0, actor: 'user:1', action: 'order.requested', subject: 'bed:bed-1', details: { orderId: 'ord-2', kind: 'rate-change' } });
    const bed2 = await call('GET', '/api/audit?bedId=bed-2', { token });
    expect(bed2.json.entries).toEqual([]);
    const limited = await call('GET', '/api/audit?limit=1', { token });
    expect(limited.json.entries).toHaveLength(1);
    const bad = await call('GET', '/api/audit?limit=0', { token });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'REQUEST_INVALID', field: 'limit' });
  });

  it('answers 404 for an unknown API route and 405 for a wrong method', async () => {
    const unknown = await call('GET', '/api/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NOT_FOUND');
    const wrong = await call('GET', '/api/login');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
  });

  it('answers 500 when the control module fails unexpectedly, and keeps serving', async () => {
    control.pumps = () => {
      throw new Error('database is locked');
    };
    const res = await call('GET', '/api/pumps');
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('INTERNAL');
    expect(res.text).not.toContain('database is locked');
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/api/orders')).status).toBe(200);
  });
});

describe('station HTTP API without pump control', () => {
  it('answers 404 PUMP_CONTROL_OFF and snapshots say pump control is off', async () => {
    const server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$: new Subject(), status$: new Subject(), alarms$: new Subject(), logger: silentLogger(),
    });
    try {
      const res = await http(server.port, 'POST', '/api/login', { body: ANA });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('PUMP_CONTROL_OFF');
      const state = await http(server.port, 'GET', '/api/state');
      expect(state.json).toMatchObject({ pumpControl: false, pumps: [], orders: [] });
    } finally {
      await server.close();
    }
  });
});
