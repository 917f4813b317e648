import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { parseReferenceLine, waitFor } from './helpers.js';

interface Answer { status: number; body: unknown }
type ErrorBody = { error: { code: string; message: string } };

describe('simulator control API', () => {
  let host: SimulatorHost;
  let clock: ManualClock;
  let base: string;
  let devicePort: number;

  const request = async (method: string, path: string, body?: string): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, { method, body, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const post = (path: string, event: unknown): Promise<Answer> => request('POST', path, JSON.stringify(event));
  const errorOf = (a: Answer): ErrorBody['error'] => (a.body as ErrorBody).error;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    clock = new ManualClock();
    host = new SimulatorHost({ logger: silentLogger(), clock });
    host.addBed('bed-1', { seed: 3 });
    ({ port: devicePort = 0 } = await host.addDevice({
      bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-7', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    }));
    const port = await host.startControlServer('127.0.0.1', 0);
    base = `http://127.0.0.1:${port}`;
  });
  afterEach(async () => {
    await host.stop();
    vi.useRealTimers();
  });

  it('GET /simulators lists the devices', async () => {
    const a = await request('GET', '/simulators');
    expect(a.status).toBe(200);
    expect(a.body).toEqual([
      expect.objectContaining({ bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-7', state: 'streaming' }),
    ]);
  });

  it('valid events change what the device writes', async () => {
    const socket = connect(devicePort, '127.0.0.1');
    let text = '';
    socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
    try {
      await waitFor(() => (host.list()[0]?.detail === '1 client' ? true : undefined), 5000, 'client registered');
      const nextLine = async (): Promise<Record<string, string>> => {
        text = '';
        clock.advance(1000);
        vi.advanceTimersByTime(1000);
        const line = await waitFor(() => (text.endsWith('\r\n') ? text : undefined), 5000, 'a line');
        return parseReferenceLine('radical-7', line);
      };
      expect((await nextLine()).SPO2).not.toBe('---');
      expect((await post('/simulators/bed-1/oximeter/events', { type: 'sensor-off' })).status).toBe(200);
      expect(await nextLine()).toMatchObject({ SPO2: '---', BPM: '---', EXC: '000020' });
      expect((await post('/simulators/bed-1/oximeter/events', { type: 'resume' })).status).toBe(200);
      expect((await post('/simulators/bed-1/events', { type: 'pulse-change', targetBpm: 150, rampSeconds: 0 })).status).toBe(200);
      const line = await nextLine();
      expect(Math.abs(Number(line.BPM) - 150)).toBeLessThanOrEqual(3);
      expect(parseInt(line.ALARM as string, 16) & 0x4).toBe(0x4);
    } finally {
      socket.destroy();
    }
  });

  it('a device event changes the device state; a patient event changes the vitals', async () => {
    const a = await post('/simulators/bed-1/oximeter/events', { type: 'sensor-off', seconds: 30 });
    expect(a.status).toBe(200);
    const list = (await request('GET', '/simulators')).body as Array<{ state: string }>;
    expect(list[0]?.state).toBe('sensor-off');

    const b = await post('/simulators/bed-1/events', { type: 'desaturation', targetSpo2: 84, rampSeconds: 10 });
    expect(b).toMatchObject({ status: 200, body: { ok: true, bedId: 'bed-1', deviceId: null } });
    clock.advance(10_000);
    const bed = (await request('GET', '/simulators/bed-1')).body as { vitals: { spo2: number }; effects: string[] };
    expect(Math.abs(bed.vitals.spo2 - 84)).toBeLessThanOrEqual(1);
    expect(bed.effects[0]).toContain('desaturation to 84');
  });

  it('rejects bad requests with 400 and a message naming what was wrong, and keeps serving', async () => {
    const malformed = await request('POST', '/simulators/bed-1/events', '{"type": "desat');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toMatchObject({ code: 'REQUEST_INVALID' });
    expect(errorOf(malformed).message).toMatch(/malformed JSON/);

    const unknownType = await post('/simulators/bed-1/events', { type: 'explode' });
    expect(unknownType.status).toBe(400);
    expect(errorOf(unknownType)).toMatchObject({ code: 'SIMULATOR_EVENT_INVALID' });
    expect(errorOf(unknownType).message).toMatch(/^type: unknown event type "explode"/);

    const badValue = await post('/simulators/bed-1/events', { type: 'desaturation', targetSpo2: 200 });
    expect(badValue.status).toBe(400);
    expect(errorOf(badValue).message).toMatch(/^targetSpo2: /);

    const badType = await post('/simulators/bed-1/oximeter/events', { type: 'garbage', bytes: 'many' });
    expect(errorOf(badType).message).toMatch(/^bytes: /);

    const unknownKey = await post('/simulators/bed-1/events', { type: 'pulse-change', targetBpm: 120, target: 5 });
    expect(unknownKey.status).toBe(400);
    expect(errorOf(unknownKey).message).toMatch(/^target: not a parameter of "pulse-change"/);

    const missing = await post('/simulators/bed-1/events', { type: 'pulse-change' });
    expect(errorOf(missing).message).toMatch(/^targetBpm: /);

    const deviceEventOnBed = await post('/simulators/bed-1/events', { type: 'silence' });
    expect(deviceEventOnBed.status).toBe(400);
    expect(errorOf(deviceEventOnBed).message).toContain('needs a device id');

    const notObject = await post('/simulators/bed-1/events', [1, 2]);
    expect(errorOf(notObject).message).toContain('JSON object');

    expect((await request('GET', '/simulators')).status).toBe(200);
    expect(host.list()[0]?.state).toBe('streaming');
  });

  it('answers 404 for an unknown bed, device or route', async () => {
    const bed = await post('/simulators/bed-9/events', { type: 'recover' });
    expect(bed.status).toBe(404);
    expect(errorOf(bed)).toMatchObject({ code: 'SIMULATOR_UNKNOWN' });
    expect(errorOf(bed).message).toContain('"bed-9"');

    const device = await post('/simulators/bed-1/pump/events', { type: 'silence' });
    expect(device.status).toBe(404);
    expect(errorOf(device).message).toContain('"pump"');

    const route = await request('GET', '/nothing');
    expect(route.status).toBe(404);
    const method = await request('DELETE', '/simulators');
    expect(method.status).toBe(405);
    expect((await request('GET', '/simulators')).status).toBe(200);
  });
});
