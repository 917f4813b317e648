/** Pump control on the WebSocket: snapshots with pumps and orders, live pump / order / pump-change messages. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { BEDS, T0 } from './fixtures.js';
import { FakeControl, USERS, ketaminePump } from './fake-control.js';
import { TestClient } from './ws-test-client.js';
import type { ServerMessage } from '../../src/station/station-protocol.js';
import { http } from './http-helpers.js';

describe('station WebSocket with pump control', () => {
  let clock: ManualClock;
  let control: FakeControl;
  let server: StationServer;
  const clients: TestClient[] = [];

  async function client(): Promise<TestClient> {
    const c = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    clients.push(c);
    await c.opened();
    return c;
  }

  beforeEach(async () => {
    clock = new ManualClock(T0);
    control = new FakeControl(clock, [ketaminePump(T0), ketaminePump(T0, { bedId: 'bed-2', deviceId: 'pump-2' })]);
    server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$: new Subject(), status$: new Subject(), alarms$: control.alarms$,
      logger: silentLogger(), clock, control,
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('puts pumps and orders in the snapshot', async () => {
    const token = (await http(server.port, 'POST', '/api/login', { body: { username: 'ana', password: USERS.ana?.password } })).json.token;
    await http(server.port, 'POST', '/api/orders', { token, body: { bedId: 'bed-2', deviceId: 'pump-2', value: 0.5, unit: 'mg/kg/h' } });
    const c = await client();
    const snap = await c.next('snapshot');
    expect(snap.pumpControl).toBe(true);
    expect(snap.pumps.map((p) => `${p.bedId}/${p.deviceId}/${p.openOrderId ?? '-'}`)).toEqual(['bed-1/pump-1/-', 'bed-2/pump-2/ord-2']);
    expect(snap.orders.map((o) => [o.id, o.state])).toEqual([['ord-2', 'awaiting-confirmation']]);
    expect(c.invalid).toEqual([]);
  });

  it('streams every order step, pump updates, changes made at the pump and the not-verified alarm', async () => {
    const c = await client();
    await c.next('snapshot');
    const token = (await http(server.port, 'POST', '/api/login', { body: { username: 'ana', password: USERS.ana?.password } })).json.token;
    const id = (await http(server.port, 'POST', '/api/orders', { token, body: { bedId: 'bed-1', deviceId: 'pump-1', value: 6.3, unit: 'mL/h' } })).json.order.id;
    await http(server.port, 'POST', `/api/orders/${id}/confirm`, { body: { username: 'ana', password: USERS.ana?.password } });
    await http(server.port, 'POST', `/api/orders/${id}/double-check`, { body: { username: 'ben', password: USERS.ben?.password, enteredValue: 6.3 } });
    control.finish(id, 'not-verified');

    const seen: ServerMessage[] = [];
    while (!seen.some((m) => m.type === 'alarm')) seen.push(await c.next());
    const states = seen.flatMap((m) => (m.type === 'order' ? [m.order.state] : []));
    expect(states).toEqual(['awaiting-confirmation', 'awaiting-double-check', 'executing', 'awaiting-readback', 'not-verified']);
    expect(seen.at(-1)).toMatchObject({ type: 'alarm', phase: 'start', alarm: { code: 'RATE_CHANGE_NOT_VERIFIED', priority: 'high', bedId: 'bed-1' } });
    const pumps = seen.flatMap((m) => (m.type === 'pump' ? [m.pump] : []));
    expect(pumps.map((p) => p.openOrderId)).toEqual([id, null]);
    expect(pumps.at(-1)?.reading.rateMlPerHour).toBeCloseTo(7.3, 6);

    control.changeAtPump('bed-1', 'pump-1', 3.5);
    const change = await c.next('pump-change');
    expect(change.change).toEqual({ bedId: 'bed-1', deviceId: 'pump-1', kind: 'rate', before: '7.30 mL/h', after: '3.50 mL/h', at: T0 });
    expect(c.invalid).toEqual([]);
  });
});

describe('station WebSocket without pump control', () => {
  it('says pump control is off and sends no pumps', async () => {
    const server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$: new Subject(), status$: new Subject(), alarms$: new Subject(), logger: silentLogger(),
    });
    const c = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    try {
      await c.opened();
      const snap = await c.next('snapshot');
      expect(snap).toMatchObject({ pumpControl: false, pumps: [], orders: [] });
    } finally {
      c.close();
      await server.close();
    }
  });
});
