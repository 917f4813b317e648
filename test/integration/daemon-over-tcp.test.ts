import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { CONFIG_INPUTS } from '../../src/config/vigil-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { freePort } from '../helpers/free-port.js';
import { StationClient } from '../helpers/station-client.js';

/**
 * The whole path over real sockets: simulated Masimo oximeters on loopback TCP ->
 * TCP transport -> Masimo driver -> bus -> alarms -> station WebSocket -> a client.
 * Patient physiology runs 10x faster so a desaturation takes seconds.
 */
describe('daemon with simulated oximeters over TCP', () => {
  let daemon: RunningDaemon;
  let client: StationClient;

  async function simEvent(path: string, event: object): Promise<void> {
    const res = await fetch(`${daemon.simulationControlUrl}/simulators/${path}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }

  beforeAll(async () => {
    const [sim1, sim2] = [await freePort(), await freePort()];
    const config = parseConfigText(
      `
station: { port: 0 }
demoUsers: true
storage: { databasePath: "${join(mkdtempSync(join(tmpdir(), 'vigil-it-')), 'vigil.sqlite')}" }
logging: { level: silent }
simulation: { enabled: true, controlPort: 0 }
beds:
  - id: bed-1
    label: Bed 1
    session: iv-ketamine
    devices:
      - { id: oximeter, label: Oximeter, driver: masimo-ascii, transport: "tcp://127.0.0.1:${sim1}",
          simulator: { model: masimo-radical-7 }, options: { communicationLostAfterMs: 1500 } }
    alarms:
      limits:
        spo2: { low: 90, priority: high, delayMs: 1000 }
    patient: { seed: 7, timeScale: 10 }
  - id: bed-2
    label: Bed 2
    devices:
      - { id: oximeter, driver: masimo-ascii, transport: "tcp://127.0.0.1:${sim2}", simulator: { model: masimo-rad-8 } }
`,
      'test.yaml',
      CONFIG_INPUTS,
    );
    daemon = await startDaemon({ config, logger: silentLogger() });
    client = await StationClient.connect(daemon.stationUrl);
  });

  afterAll(async () => {
    client?.close();
    await daemon?.stop();
  });

  it('shows both beds with live SpO2 and pulse rate', async () => {
    const snapshot = await client.next('snapshot', () => true, 5000, 'the first snapshot');
    expect(snapshot.beds.map((b) => b.id)).toEqual(['bed-1', 'bed-2']);
    for (const bed of ['bed-1', 'bed-2']) {
      const spo2 = await client.next('observation', (m) => m.observation.bedId === bed && m.observation.metric === 'spo2' && m.observation.value !== null, 8000, `${bed} SpO2`);
      expect(spo2.observation.value).toBeGreaterThanOrEqual(90);
      expect(spo2.observation.unit).toBe('%');
      expect(spo2.observation.code).toBe(150456);
      await client.next('observation', (m) => m.observation.bedId === bed && m.observation.metric === 'pulse-rate' && m.observation.value !== null, 8000, `${bed} pulse rate`);
    }
  });

  it('a desaturation raises the high-priority SpO2 alarm after the condition delay', async () => {
    await simEvent('bed-1', { type: 'desaturation', targetSpo2: 82, rampSeconds: 10, holdSeconds: 600 });
    const alarm = await client.next('alarm', (m) => m.phase === 'start' && m.alarm.code === 'SPO2_LOW', 20000, 'the SPO2_LOW alarm');
    expect(alarm.alarm).toMatchObject({ bedId: 'bed-1', deviceId: 'oximeter', priority: 'high', kind: 'physiological', limit: 90 });
    expect(alarm.alarm.value).toBeLessThan(90);
    expect(alarm.alarm.message).toMatch(/^SpO2 \d+ % below 90 %$/);
    await simEvent('bed-1', { type: 'recover' });
    // A high alarm latches in the ketamine IV profile: it stays, marked latched, until acknowledged.
    const latched = await client.next('alarm', (m) => m.alarm.code === 'SPO2_LOW' && (m.alarm as { latched?: boolean }).latched === true, 20000, 'SPO2_LOW latched');
    expect(latched.phase).toBe('update');
    const login = await fetch(new URL('/api/login', daemon.stationUrl), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ana', password: 'demo-nurse-ana' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const ack = await fetch(new URL(`/api/beds/bed-1/alarms/${encodeURIComponent(latched.alarm.id)}/acknowledge`, daemon.stationUrl), {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
    });
    expect(ack.status, await ack.clone().text()).toBe(200);
    await client.next('alarm', (m) => m.phase === 'end' && m.alarm.code === 'SPO2_LOW', 5000, 'the latched SPO2_LOW alarm to end on acknowledgement');
  });

  it('garbage on the line is counted and skipped; the next good lines still arrive', async () => {
    const before = await client.next('device-status', (m) => m.status.bedId === 'bed-2', 10000, 'a bed-2 status');
    await simEvent('bed-2/oximeter', { type: 'garbage', bytes: 64 });
    const after = await client.next(
      'device-status',
      (m) => m.status.bedId === 'bed-2' && m.status.counters.rejected > before.status.counters.rejected,
      15000,
      'the rejected counter to grow',
    );
    expect(after.status.data).toBe('receiving');
    const t = Date.now();
    await client.next('observation', (m) => m.observation.bedId === 'bed-2' && m.observation.receivedAt > t && m.observation.metric === 'spo2', 5000, 'SpO2 after the garbage');
  });

  it('a lost device raises COMMUNICATION_LOST and recovers on its own when it returns', async () => {
    await simEvent('bed-2/oximeter', { type: 'disconnect' });
    const lost = await client.next('alarm', (m) => m.phase === 'start' && m.alarm.code === 'COMMUNICATION_LOST' && m.alarm.bedId === 'bed-2', 10000, 'COMMUNICATION_LOST');
    expect(lost.alarm.kind).toBe('technical');
    expect(lost.alarm.message).toContain('communication lost');
    await simEvent('bed-2/oximeter', { type: 'resume' });
    await client.next('alarm', (m) => m.phase === 'end' && m.alarm.code === 'COMMUNICATION_LOST' && m.alarm.bedId === 'bed-2', 20000, 'COMMUNICATION_LOST to end');
    await client.next('device-status', (m) => m.status.bedId === 'bed-2' && m.status.link === 'open' && m.status.data === 'receiving', 10000, 'bed-2 receiving again');
  });

  it('a sensor taken off is shown as the device technical alarm', async () => {
    await simEvent('bed-2/oximeter', { type: 'sensor-off', seconds: 30 });
    const off = await client.next('alarm', (m) => m.phase === 'start' && m.alarm.code === 'SENSOR_OFF' && m.alarm.bedId === 'bed-2', 10000, 'SENSOR_OFF');
    expect(off.alarm.priority).toBe('medium');
    const unavailable = await client.next('observation', (m) => m.observation.bedId === 'bed-2' && m.observation.metric === 'spo2' && m.observation.value === null, 5000, 'SpO2 without value');
    expect(unavailable.observation.flags).toContain('unavailable');
    await simEvent('bed-2/oximeter', { type: 'resume' });
    await client.next('alarm', (m) => m.phase === 'end' && m.alarm.code === 'SENSOR_OFF', 10000, 'SENSOR_OFF to end');
  });
});
