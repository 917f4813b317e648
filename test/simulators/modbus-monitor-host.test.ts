import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRegisterMap } from '../../drivers/modbus/map-loader.js';
import { decodeValue } from '../../drivers/modbus/register-codec.js';
import type { RegisterMap } from '../../drivers/modbus/register-map.js';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { withModbusCrc } from '../../drivers/modbus/modbus-crc.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';
import { closeClient, rawPort, rtuClient, tcpClient, until, type ModbusRTU } from './modbus-client.js';

const MAP: RegisterMap = loadRegisterMap('reference-monitor').map;

/** Reads every poll group of the map and decodes every metric as Vigil would (null = no value). */
async function readByMap(client: ModbusRTU): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const g of MAP.pollGroups) {
    const block = (g.table === 'input' ? await client.readInputRegisters(g.start, g.count) : await client.readHoldingRegisters(g.start, g.count)).data;
    for (const m of MAP.metrics.filter((x) => x.group === g.id)) {
      const d = decodeValue(block, g.start, m, m.invalid);
      out[m.metric] = d.ok ? d.value : null;
    }
    for (const b of MAP.statusBits.filter((x) => x.group === g.id)) {
      out[b.code] = ((block[b.register - g.start] as number) >> b.bit) & 1;
    }
  }
  return out;
}

describe('modbus-monitor in the SimulatorHost', () => {
  let host: SimulatorHost;
  let pty: PtyPair;
  const clients: ModbusRTU[] = [];
  let tcpPort: number;

  beforeEach(async () => {
    pty = await createPtyPair();
    // A frozen clock: the patient's vitals (noise included) stay put while the test reads them.
    host = new SimulatorHost({ logger: silentLogger(), clock: new ManualClock() });
    host.addBed('bed-1', { seed: 7 });
    tcpPort = (await host.addDevice({
      bedId: 'bed-1', deviceId: 'monitor', model: 'modbus-monitor', unitId: 3,
      listen: { kind: 'tcp', host: '127.0.0.1', port: 0 }, monitor: { nibpIntervalSeconds: 120 },
    })).port as number;
    await host.addOutput('bed-1', 'monitor', { kind: 'serial', path: pty.a, baudRate: 19_200 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeClient));
    await host.stop();
    await pty.close();
  });

  it('the map describes the device: decoded by the map, the registers are the patient\'s vitals', async () => {
    const client = await tcpClient(tcpPort, 3);
    clients.push(client);
    const v = host.describeBed('bed-1').vitals;
    const got = await readByMap(client);
    expect(got['heart-rate']).toBe(Math.round(v.pulseRate));
    expect(got['spo2']).toBe(Math.round(v.spo2));
    expect(got['pulse-rate']).toBe(Math.round(v.pulseRate));
    expect(got['resp-rate']).toBe(Math.round(v.respRate as number));
    expect(got['temp-body']).toBeCloseTo(v.temperatureC as number, 2);
    expect(got['etco2']).toBeCloseTo(v.etco2MmHg as number, 1);
    expect(got['perfusion-index']).toBeCloseTo(v.perfusionIndex, 3);
    expect(got['nibp-sys']).toBe(Math.round(v.nibpSysMmHg as number));
    expect(got['nibp-dia']).toBe(Math.round(v.nibpDiaMmHg as number));
    expect(Math.abs((got['nibp-mean'] as number) - (v.nibpMeanMmHg as number))).toBeLessThanOrEqual(1);
    expect([got['SENSOR_OFF'], got['ECG_LEADS_OFF'], got['NIBP_CUFF_ERROR'], got['CO2_LINE_OCCLUDED']]).toEqual([0, 0, 0, 0]);
    expect((await client.readHoldingRegisters(0, 1)).data).toEqual([120]);
  });

  it('serves the same registers over Modbus RTU on the serial line', async () => {
    const tcp = await tcpClient(tcpPort, 3);
    const rtu = await rtuClient(pty.b, 3);
    clients.push(tcp, rtu);
    const viaTcp = (await tcp.readInputRegisters(0, 22)).data;
    expect((await rtu.readInputRegisters(0, 22)).data).toEqual(viaTcp);
    expect(viaTcp[1]).toBeGreaterThan(0);
  });

  it('routes events through the host: leads-off shows as a status bit and no heart rate', async () => {
    const client = await tcpClient(tcpPort, 3);
    clients.push(client);
    host.trigger('bed-1', 'monitor', { type: 'leads-off' });
    host.trigger('bed-1', 'monitor', { type: 'cuff-error', seconds: 30 });
    const got = await readByMap(client);
    expect(got['ECG_LEADS_OFF']).toBe(1);
    expect(got['NIBP_CUFF_ERROR']).toBe(1);
    expect(got['heart-rate']).toBeNull();
    expect(got['spo2']).not.toBeNull();
    expect(host.list()[0]).toMatchObject({
      bedId: 'bed-1', deviceId: 'monitor', model: 'modbus-monitor', state: 'answering',
      listen: expect.stringMatching(/^modbus-tcp:\/\/127\.0\.0\.1:\d+, modbus-rtu:\/\/.+@19200-8E1#3$/),
      detail: expect.stringMatching(
        /^30 s left; unit 3; NIBP every 120 s, last \d+\/\d+ \(\d+\) at 2026-01-01T00:00:00.000Z; leads-off; cuff-error; 2 requests, 0 exceptions, 0 rejected frames; 1 client, open$/,
      ),
    });
    expect(() => host.trigger('bed-1', 'monitor', { type: 'occlusion' })).toThrow(/not an event of bed-1\/monitor \(modbus-monitor, a monitor\)/);
  });

  it('does not answer an RTU request with a bad CRC, and the disconnect event stops the serial line', async () => {
    const { port, received } = await rawPort(pty.b);
    try {
      const request = withModbusCrc(Buffer.from('030400010001', 'hex'));
      const bad = Buffer.from(request);
      bad[2] = 0x7f; // corrupted in transit: the CRC no longer matches
      port.write(bad);
      await until(() => /1 rejected frames/.test(host.list()[0]?.detail ?? ''), 'the bad frame to be rejected');
      port.write(request);
      await until(() => Buffer.concat(received).length >= 7, 'the reply to the good request');
      const reply = Buffer.concat(received);
      expect(reply.subarray(0, 3).toString('hex')).toBe('030402');
      expect(reply).toHaveLength(7);
      host.trigger('bed-1', 'monitor', { type: 'disconnect' });
      expect(host.list()[0]?.state).toBe('disconnected');
    } finally {
      await new Promise((r) => port.close(r));
    }
  });

  it('validates monitor specs with CONFIG_INVALID', async () => {
    const listen = { kind: 'tcp' as const, host: '127.0.0.1', port: 0 };
    const bad = [
      { bedId: 'bed-2', deviceId: 'm', model: 'modbus-monitor' as const, listen, monitor: { nibpIntervalSeconds: 30 } },
      { bedId: 'bed-2', deviceId: 'm', model: 'modbus-monitor' as const, listen, unitId: 248 },
      { bedId: 'bed-2', deviceId: 'o', model: 'masimo-radical-7' as const, listen, unitId: 2 },
      { bedId: 'bed-2', deviceId: 'o', model: 'masimo-radical-7' as const, listen, monitor: {} },
    ];
    for (const spec of bad) {
      await expect(host.addDevice(spec)).rejects.toSatisfy((e) => isVigilError(e, 'CONFIG_INVALID'));
    }
  });
});
