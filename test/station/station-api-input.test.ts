/**
 * Bad input to the station HTTP API: every malformed body is a 400 naming what was
 * wrong, the control module is never called with it, no password reaches the log,
 * and the server keeps serving (rule 4).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { Writable } from 'node:stream';
import { connect } from 'node:net';
import fc from 'fast-check';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { BEDS, T0 } from './fixtures.js';
import { FakeControl, USERS } from './fake-control.js';
import { http } from './http-helpers.js';

const SECRET = USERS.ana?.password ?? '';

describe('station HTTP API input checking', () => {
  let control: FakeControl;
  let server: StationServer;
  let token: string;
  let logText = '';
  const call = (method: string, path: string, options?: Parameters<typeof http>[3]) => http(server.port, method, path, options);

  beforeAll(async () => {
    const clock = new ManualClock(T0);
    control = new FakeControl(clock);
    const sink = new Writable({ write: (chunk, _enc, done) => ((logText += String(chunk)), done()) });
    server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$: new Subject(), status$: new Subject(), alarms$: new Subject(),
      logger: createLogger({ level: 'debug' }, sink), clock, control,
    });
    token = (await call('POST', '/api/login', { body: { username: 'ana', password: SECRET } })).json.token;
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    control.calls.length = 0;
  });

  const order = { bedId: 'bed-1', deviceId: 'pump-1', value: 0.5, unit: 'mg/kg/h' };
  it.each([
    ['not JSON', '{"bedId": "bed-1",', 'BODY_NOT_JSON', 'body'],
    ['an empty body', '', 'REQUEST_INVALID', 'body'],
    ['a JSON array', '[1,2]', 'REQUEST_INVALID', 'body'],
    ['a missing field', { ...order, unit: undefined }, 'REQUEST_INVALID', 'unit'],
    ['a value of the wrong type', { ...order, value: 'fast' }, 'REQUEST_INVALID', 'value'],
    ['a negative value', { ...order, value: -1 }, 'REQUEST_INVALID', 'value'],
    ['an unknown unit', { ...order, unit: 'mg/h' }, 'REQUEST_INVALID', 'unit'],
    ['a misspelt field', { ...order, overideReason: 'x' }, 'REQUEST_INVALID', 'overideReason'],
    ['an empty bed id', { ...order, bedId: '' }, 'REQUEST_INVALID', 'bedId'],
    ['a body over 16 KiB', { ...order, overrideReason: 'x'.repeat(20_000) }, 'BODY_TOO_LARGE', 'body'],
  ])('answers a rate-change request with %s by 400 naming it', async (_what, body, code, field) => {
    const res = await call('POST', '/api/orders', { token, body });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code, field });
    expect(res.json.error.message).toContain(field);
    expect(control.calls).toEqual([]);
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('answers a double check with a non-numeric value by 400 naming enteredValue', async () => {
    const res = await call('POST', '/api/orders/ord-1/double-check', { body: { username: 'ben', password: 'x', enteredValue: '0.5' } });
    // The order does not exist: 404 comes first. Create one and try again.
    expect(res.status).toBe(404);
    const created = (await call('POST', '/api/orders', { token, body: order })).json.order;
    const bad = await call('POST', `/api/orders/${created.id}/double-check`, { body: { username: 'ben', password: 'x', enteredValue: '0.5' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('enteredValue');
    await call('POST', `/api/orders/${created.id}/cancel`, { token, body: { reason: 'test done' } });
  });

  it('answers a body that declares more than 16 KiB before sending it, then keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(`POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"username":`);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(reply).toContain('BODY_TOO_LARGE');
    expect((await call('GET', '/api/pumps')).status).toBe(200);
  });

  it('answers a chunked body that grows past 16 KiB with 400 BODY_TOO_LARGE', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(`POST /api/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = 'x'.repeat(4096);
      for (let i = 0; i < 6; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      socket.write('0\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(reply).toContain('BODY_TOO_LARGE');
    expect(control.calls).toEqual([]);
  });

  it('never writes a password to the log, even from a failed or malformed request', async () => {
    logText = '';
    await call('POST', '/api/login', { body: { username: 'ana', password: 'Wrong-Secret-Typed-9' } });
    await call('POST', '/api/login', { body: `{"username":"ana","password":"Wrong-Secret-Typed-9"` });
    await call('POST', '/api/login', { body: { username: 'ana', password: 'Wrong-Secret-Typed-9', extra: 1 } });
    await call('POST', '/api/orders/ord-1/confirm', { body: { username: 'ana', password: SECRET } });
    control.pumps = () => {
      throw new Error('boom');
    };
    await call('GET', '/api/pumps');
    expect(logText).toContain('boom'); // the log is really captured
    expect(logText).not.toContain('Wrong-Secret-Typed-9');
    expect(logText).not.toContain(SECRET);
  });

  it('answers any JSON body on every POST route with a 4xx, never a 5xx, and keeps serving', async () => {
    const routes = ['/api/login', '/api/orders', '/api/orders/stop', '/api/orders/ord-1/confirm', '/api/orders/ord-1/double-check', '/api/orders/ord-1/cancel', '/api/orders/ord-1/acknowledge', '/api/logout'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue(), fc.boolean(), async (path, body, withToken) => {
        const res = await call('POST', path, { body: JSON.stringify(body), ...(withToken ? { token } : {}) });
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.json.error.message).toBe('string');
      }),
      { numRuns: 150 },
    );
    expect((await call('GET', '/healthz')).status).toBe(200);
  });
});
