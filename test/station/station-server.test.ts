import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Observation } from '../../src/model/observation.js';
import type { DeviceStatus } from '../../src/model/device-events.js';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import { serverMessageSchema } from '../../src/station/station-protocol.js';
import { BEDS, T0, alarm, alarmEvent, observation, status } from './fixtures.js';
import { TestClient } from './ws-test-client.js';

/** Raw GET with the path sent exactly as given (no client-side normalisation). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('station server over real sockets', () => {
  let observations$: Subject<Observation>;
  let status$: Subject<DeviceStatus>;
  let alarms$: Subject<AlarmEvent>;
  let clock: ManualClock;
  let server: StationServer;
  const clients: TestClient[] = [];

  async function client(): Promise<TestClient> {
    const c = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    clients.push(c);
    await c.opened();
    return c;
  }

  beforeEach(async () => {
    observations$ = new Subject();
    status$ = new Subject();
    alarms$ = new Subject();
    clock = new ManualClock(T0);
    server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$, status$, alarms$, logger: silentLogger(), clock,
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('greets a client with hello then a snapshot of every bed', async () => {
    observations$.next(observation({ value: 96 }));
    const c = await client();
    const hello = await c.next();
    expect(hello).toEqual({ v: 1, type: 'hello', protocol: 1, serverTime: T0 });
    const snap = await c.next();
    expect(snap.type).toBe('snapshot');
    if (snap.type !== 'snapshot') return;
    expect(snap.beds.map((b) => b.id)).toEqual(['bed-1', 'bed-2']);
    expect(snap.beds[0]?.observations.map((o) => o.value)).toEqual([96]);
    expect(c.invalid).toEqual([]);
  });

  it('forwards observations, device status and alarm phases to every client', async () => {
    const a = await client();
    const b = await client();
    await a.next('snapshot');
    await b.next('snapshot');
    observations$.next(observation({ value: 91 }));
    status$.next(status({ data: 'silent', lastError: 'timeout', deviceAlarm: { alarming: false, silenced: true } }));
    const cond = alarm();
    alarms$.next(alarmEvent('start', cond));
    alarms$.next(alarmEvent('end', cond));
    for (const c of [a, b]) {
      expect((await c.next('observation')).observation).toMatchObject({ bedId: 'bed-1', metric: 'spo2', value: 91 });
      expect((await c.next('device-status')).status).toMatchObject({ deviceId: 'ox-1', data: 'silent', lastError: 'timeout', deviceAlarm: { silenced: true } });
      const start = await c.next('alarm');
      expect(start).toMatchObject({ phase: 'start', alarm: { code: 'SPO2_LOW', priority: 'high', message: 'SpO2 84 % below 90 %' } });
      expect((await c.next('alarm')).phase).toBe('end');
      expect(c.invalid).toEqual([]);
    }
  });

  it('sends what one turn of the event loop produces as one batch, in order, to every client', async () => {
    await server.close();
    let flushes = 0;
    server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$, status$, alarms$, logger: silentLogger(), clock, onFlush: () => (flushes += 1),
    });
    const a = await client();
    const b = await client();
    await a.next('snapshot');
    await b.next('snapshot');
    const before = flushes;
    for (let v = 80; v < 100; v++) observations$.next(observation({ value: v }));
    expect(flushes).toBe(before); // nothing written yet: the batch goes out when this turn's work is done
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toBe(before + 1); // one batch for both clients' twenty messages
    for (const c of [a, b]) {
      const values: unknown[] = [];
      for (let i = 0; i < 20; i++) values.push((await c.next('observation')).observation.value);
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
    }
  });

  it('answers ping with pong and get-snapshot with the current state, echoing requestId', async () => {
    const c = await client();
    await c.next('snapshot');
    alarms$.next(alarmEvent('start', alarm()));
    clock.advance(5000);
    c.sendText(JSON.stringify({ v: 1, type: 'ping', requestId: 'p1' }));
    expect(await c.next('pong')).toEqual({ v: 1, type: 'pong', serverTime: T0 + 5000, requestId: 'p1' });
    c.sendText(JSON.stringify({ v: 1, type: 'get-snapshot', requestId: 's1' }));
    const snap = await c.next('snapshot');
    expect(snap.requestId).toBe('s1');
    expect(snap.beds[0]?.alarms.map((x) => x.code)).toEqual(['SPO2_LOW']);
  });

  it.each([
    ['not JSON', '{oops', 'MESSAGE_NOT_JSON', 'JSON'],
    ['an unknown type', '{"v":1,"type":"start-pump"}', 'UNKNOWN_TYPE', 'start-pump'],
    ['a field of the wrong type', '{"v":1,"type":"ping","requestId":7}', 'INVALID_MESSAGE', 'requestId'],
    ['a wrong version', '{"v":9,"type":"ping"}', 'UNSUPPORTED_VERSION', '9'],
  ])('replies to %s with an error naming it and keeps the connection working', async (_what, text, code, named) => {
    const c = await client();
    await c.next('snapshot');
    c.sendText(text);
    const error = await c.next('error');
    expect(error.code).toBe(code);
    expect(error.message).toContain(named);
    c.sendText(JSON.stringify({ v: 1, type: 'ping' }));
    expect((await c.next('pong')).type).toBe('pong');
  });

  it('rejects an over-long client message without closing the connection', async () => {
    const c = await client();
    await c.next('snapshot');
    c.sendText(JSON.stringify({ v: 1, type: 'ping', requestId: 'x'.repeat(20_000) }));
    expect((await c.next('error')).code).toBe('MESSAGE_TOO_LARGE');
    c.sendText(JSON.stringify({ v: 1, type: 'ping' }));
    expect((await c.next('pong')).type).toBe('pong');
  });

  it('serves the snapshot as JSON at /api/state and a health check at /healthz', async () => {
    alarms$.next(alarmEvent('start', alarm({ bedId: 'bed-2', deviceId: 'ox-2', code: 'SENSOR_OFF', kind: 'technical', priority: 'medium' })));
    const res = await rawGet(server.port, '/api/state');
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/json');
    const body = serverMessageSchema.parse(JSON.parse(res.body));
    expect(body.type === 'snapshot' && body.beds[1]?.alarms.map((a) => a.code)).toEqual(['SENSOR_OFF']);
    const health = await rawGet(server.port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', protocol: 1 });
  });

  it('serves the page, its stylesheet and 404 for anything else', async () => {
    const page = await rawGet(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('/app.js');
    expect((await rawGet(server.port, '/style.css')).type).toContain('text/css');
    expect((await rawGet(server.port, '/nope')).status).toBe(404);
  });

  it.each(['/../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/src/station/web/index.html', '/style.css/../../package.json'])(
    'answers 404 to the path traversal attempt %s',
    async (path) => {
      const res = await rawGet(server.port, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('"name"');
    },
  );

  it('refuses a WebSocket upgrade on another path', async () => {
    const socket = connect(server.port, '127.0.0.1');
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on('data', (d) => resolve(String(d)));
      socket.on('error', reject);
      socket.write('GET /other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    socket.destroy();
    expect(reply).toMatch(/^HTTP\/1\.1 404/);
  });

  it('closing the server closes its clients', async () => {
    const c = await client();
    await c.next('snapshot');
    await server.close();
    await c.closed();
    expect(c.ws.readyState).toBe(3);
  });
});

describe('station server and slow clients', () => {
  it('sends a snapshot larger than the client buffer limit whole to a client that keeps up', async () => {
    const beds = Array.from({ length: 400 }, (_, i) => ({
      id: `bed-${i + 1}`, label: `Bed ${i + 1} ${'·'.repeat(100)}`, session: 'iv-ketamine' as const,
      devices: [{ id: 'ox', driver: 'masimo-ascii', transport: `tcp://127.0.0.1:${5000 + i}` }],
    }));
    const observations$ = new Subject<Observation>();
    const server = await startStationServer({
      host: '127.0.0.1', port: 0, beds, observations$, status$: new Subject(), alarms$: new Subject(), logger: silentLogger(), maxClientBufferBytes: 64 * 1024,
    });
    const c = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    try {
      await c.opened();
      const snap = await c.next('snapshot');
      expect(JSON.stringify(snap).length).toBeGreaterThan(64 * 1024);
      expect(snap.beds).toHaveLength(400);
      observations$.next(observation({ bedId: 'bed-400', deviceId: 'ox', value: 93 }));
      expect((await c.next('observation')).observation).toMatchObject({ bedId: 'bed-400', value: 93 });
    } finally {
      c.close();
      await server.close();
    }
  });

  it('drops a client whose send buffer overflows while others keep receiving', async () => {
    const observations$ = new Subject<Observation>();
    const server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$, status$: new Subject(), alarms$: new Subject(),
      logger: silentLogger(), maxClientBufferBytes: 64 * 1024,
    });
    const slow = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    const good = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    try {
      await Promise.all([slow.opened(), good.opened()]);
      await slow.next('snapshot');
      await good.next('snapshot');
      // The slow client stops reading: the kernel buffers fill, then the server's own buffer grows.
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const big = 'x'.repeat(4000);
      let sent = 0;
      const clientCount = async (): Promise<number> => JSON.parse((await rawGet(server.port, '/healthz')).body).clients;
      const deadline = Date.now() + 10_000;
      while ((await clientCount()) === 2 && Date.now() < deadline) {
        for (let i = 0; i < 100; i++) observations$.next(observation({ deviceId: big, receivedAt: T0 + sent++ }));
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await clientCount()).toBe(1);
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await slow.closed();
      observations$.next(observation({ deviceId: 'after', value: 88, receivedAt: T0 + sent + 1 }));
      let seen = await good.next('observation');
      while (seen.observation.deviceId !== 'after') seen = await good.next('observation');
      expect(seen.observation.value).toBe(88);
    } finally {
      slow.close();
      good.close();
      await server.close();
    }
  });
});
