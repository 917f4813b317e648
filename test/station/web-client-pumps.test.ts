/** The browser's copy of pumps and orders, and its API client against a real server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { ClientState } from '../../src/station/web/client-state.js';
import { StationApiClient, type ApiError } from '../../src/station/web/api-client.js';
import { StationState } from '../../src/station/station-state.js';
import { orderToDto, pumpToDto } from '../../src/station/pump-protocol.js';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { OrderViewDto } from '../../src/station/web/protocol-types.js';
import { BEDS, T0 } from './fixtures.js';
import { FakeControl, USERS, ketaminePump } from './fake-control.js';

async function orderFlow(control: FakeControl): Promise<OrderViewDto[]> {
  const seen: OrderViewDto[] = [];
  const sub = control.orders$.subscribe((o) => seen.push(orderToDto(o)));
  const { token } = await control.login('ana', USERS.ana?.password ?? '');
  const order = await control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump-1', value: 0.5, unit: 'mg/kg/h' });
  await control.confirm(order.id, { username: 'ana', password: USERS.ana?.password ?? '' });
  sub.unsubscribe();
  return seen;
}

describe('ClientState pumps and orders', () => {
  it('takes pumps and orders from the snapshot and knows pump control is on', () => {
    const control = new FakeControl(new ManualClock(T0));
    const state = new ClientState();
    expect(state.pumpControl).toBe(false);
    const snapshot = new StationState(BEDS, { pumps: () => control.pumps().map(pumpToDto), orders: () => [] }).snapshot(T0);
    state.apply(snapshot, T0);
    expect(state.pumpControl).toBe(true);
    expect(state.pumpsOfBed('bed-1').map((p) => p.deviceId)).toEqual(['pump-1']);
    expect(state.pumpsOfBed('bed-2')).toEqual([]);
  });

  it('never lets an older view of an order (a late HTTP answer) replace a newer one', async () => {
    const control = new FakeControl(new ManualClock(T0));
    const [requested, confirmed] = await orderFlow(control);
    if (!requested || !confirmed) throw new Error('flow did not run');
    const state = new ClientState();
    state.applyOrder(confirmed);
    expect(state.applyOrder(requested)).toEqual({ kind: 'none' });
    expect(state.order(confirmed.id)?.state).toBe('awaiting-double-check');
  });

  it('prefers the open order of a pump and keeps every open order when pruning', async () => {
    const state = new ClientState();
    const control = new FakeControl(new ManualClock(T0));
    const [requested] = await orderFlow(control);
    if (!requested) throw new Error('flow did not run');
    state.applyOrder({ ...requested, requestedAt: T0 - 10 });
    for (let i = 0; i < 60; i++) state.applyOrder({ ...requested, id: `old-${i}`, state: 'verified', requestedAt: T0 + i });
    expect(state.latestOrderOf('bed-1', 'pump-1')?.id).toBe(requested.id);
    expect(state.orderList()).toHaveLength(51);
    expect(state.order('old-59')).toBeDefined();
    expect(state.order('old-0')).toBeUndefined();
  });

  it('holds the latest change made at a pump until dismissed', () => {
    const state = new ClientState();
    const change = { bedId: 'bed-1', deviceId: 'pump-1', kind: 'rate' as const, before: '5.25 mL/h', after: '8.00 mL/h', at: T0 };
    expect(state.apply({ v: 1, type: 'pump-change', change }, T0)).toEqual({ kind: 'beds', bedIds: ['bed-1'] });
    expect(state.pumpChange('bed-1', 'pump-1')).toEqual(change);
    state.dismissPumpChange('bed-1', 'pump-1');
    expect(state.pumpChange('bed-1', 'pump-1')).toBeUndefined();
    state.apply({ v: 1, type: 'pump', pump: pumpToDto(ketaminePump(T0, { doseMgPerKgPerHour: 1 })) }, T0);
    expect(state.pump('bed-1', 'pump-1')?.doseMgPerKgPerHour).toBe(1);
  });
});

describe('StationApiClient against a real station', () => {
  let clock: ManualClock;
  let server: StationServer;
  let control: FakeControl;
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

  it('logs in, requests, and reports a refusal with its reason', async () => {
    const api = new StationApiClient(server.url);
    expect((await api.requestStop('bed-1', 'pump-1')).ok).toBe(false);
    const login = await api.login('ana', USERS.ana?.password ?? '');
    expect(login.ok).toBe(true);
    expect(api.user?.displayName).toBe('Ana Silva');
    const refused = await api.requestRateChange({ bedId: 'bed-1', deviceId: 'pump-1', value: 3, unit: 'mg/kg/h' });
    expect(refused).toMatchObject({ ok: false, status: 409, error: { code: 'ORDER_REFUSED', reason: 'HARD_LIMIT' } });
    const created = await api.requestRateChange({ bedId: 'bed-1', deviceId: 'pump-1', value: 0.5, unit: 'mg/kg/h' });
    expect(created.ok && created.data.order.state).toBe('awaiting-confirmation');
    const audit = await api.audit({ bedId: 'bed-1', limit: 5 });
    expect(audit.ok && audit.data.entries.map((e) => e.action)).toEqual(['order.requested']);
  });

  it('forgets an expired session and says so', async () => {
    const ended: ApiError[] = [];
    const api = new StationApiClient(server.url, undefined, (e) => ended.push(e));
    await api.login('ana', USERS.ana?.password ?? '');
    clock.advance(13 * 3600_000);
    const me = await api.me();
    expect(me).toMatchObject({ ok: false, status: 401, error: { code: 'SESSION_EXPIRED' } });
    expect(ended.map((e) => e.code)).toEqual(['SESSION_EXPIRED']);
    expect(api.user).toBeNull();
  });

  it('turns a gateway that does not answer into an error in words', async () => {
    const api = new StationApiClient(server.url);
    await server.close();
    const result = await api.login('ana', 'whatever-123');
    expect(result).toMatchObject({ ok: false, status: 0, error: { code: 'NETWORK' } });
    expect(!result.ok && result.error.message).toContain('did not answer');
  });
});
