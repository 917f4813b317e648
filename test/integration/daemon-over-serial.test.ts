import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { CONFIG_INPUTS } from '../../src/config/vigil-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';
import { StationClient } from '../helpers/station-client.js';

/**
 * The serial path with real parts: a Masimo simulator writes to one end of a socat
 * pseudo-terminal pair, the daemon reads the other end through the real serialport
 * binding (serial:// transport), and a WebSocket client of the station sees the result.
 */
describe('daemon reading a simulated oximeter over a serial line', () => {
  let pty: PtyPair;
  let sims: SimulatorHost;
  let daemon: RunningDaemon;
  let client: StationClient;

  beforeAll(async () => {
    pty = await createPtyPair();
    sims = new SimulatorHost({ logger: silentLogger(), serialReopenDelayMs: 200 });
    sims.addBed('bed-1', { seed: 3, timeScale: 10 });
    await sims.addDevice({ bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-7', listen: { kind: 'serial', path: pty.b, baudRate: 9600 } });
    const config = parseConfigText(
      `
station: { port: 0 }
storage: { databasePath: "${join(mkdtempSync(join(tmpdir(), 'vigil-it-')), 'vigil.sqlite')}" }
beds:
  - id: bed-1
    label: Bed 1
    devices:
      - id: oximeter
        driver: masimo-ascii
        transport: "serial://${pty.a}?baudRate=9600"
        options: { communicationLostAfterMs: 1500 }
    alarms:
      limits:
        spo2: { low: 90, priority: high, delayMs: 1000 }
`,
      'serial.yaml',
      CONFIG_INPUTS,
    );
    daemon = await startDaemon({ config, logger: silentLogger() });
    client = await StationClient.connect(daemon.stationUrl);
  });

  afterAll(async () => {
    client?.close();
    await daemon?.stop();
    await sims?.stop();
    await pty?.close();
  });

  it('delivers observations read from the serial port', async () => {
    const m = await client.next('observation', (o) => o.observation.metric === 'spo2' && o.observation.value !== null, 8000, 'SpO2 over serial');
    expect(m.observation).toMatchObject({ bedId: 'bed-1', deviceId: 'oximeter', unit: '%' });
    const status = await client.next('device-status', (s) => s.status.data === 'receiving', 5000, 'receiving status');
    expect(status.status.identity?.serial).toMatch(/^\d+$/);
  });

  it('a scripted desaturation gives the SpO2 alarm', async () => {
    sims.trigger('bed-1', null, { type: 'desaturation', targetSpo2: 84, rampSeconds: 10, holdSeconds: 600 });
    const alarm = await client.next('alarm', (a) => a.phase === 'start' && a.alarm.code === 'SPO2_LOW', 20000, 'SPO2_LOW');
    expect(alarm.alarm.priority).toBe('high');
    sims.trigger('bed-1', null, { type: 'recover' });
  });

  it('a device that stops sending gives COMMUNICATION_LOST, cleared without a restart when it resumes', async () => {
    sims.trigger('bed-1', 'oximeter', { type: 'disconnect' });
    await client.next('alarm', (a) => a.phase === 'start' && a.alarm.code === 'COMMUNICATION_LOST', 10000, 'COMMUNICATION_LOST');
    sims.trigger('bed-1', 'oximeter', { type: 'resume' });
    await client.next('alarm', (a) => a.phase === 'end' && a.alarm.code === 'COMMUNICATION_LOST', 10000, 'COMMUNICATION_LOST to end');
  });
});
