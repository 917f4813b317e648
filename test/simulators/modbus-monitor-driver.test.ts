import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modbusDriver, modbusOptionsSchema, type ModbusDriver } from '../../drivers/modbus/modbus-driver.js';
import { GatewayBus } from '../../src/bus/gateway-bus.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { DeviceCondition } from '../../src/model/device-events.js';
import type { Observation } from '../../src/model/observation.js';
import type { ByteTransport } from '../../src/transport/byte-transport.js';
import { createTransport } from '../../src/transport/create-transport.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';
import { until } from './modbus-client.js';

/**
 * Gateway level: Vigil's Modbus driver, with nothing but the map file
 * config/modbus-maps/reference-monitor.yaml, reads the simulated monitor over a real TCP
 * socket (Modbus TCP) and a socat pseudo-terminal (Modbus RTU), and publishes the patient's
 * vitals. The simulator's clock is frozen, so the patient holds still.
 */
describe('Vigil\'s Modbus driver reading the reference monitor', () => {
  let host: SimulatorHost;
  let pty: PtyPair;
  let tcpPort: number;
  let driver: ModbusDriver | null = null;
  let transport: ByteTransport | null = null;

  beforeEach(async () => {
    pty = await createPtyPair();
    host = new SimulatorHost({ logger: silentLogger(), clock: new ManualClock() });
    host.addBed('bed-1', { seed: 5 });
    tcpPort = (await host.addDevice({
      bedId: 'bed-1', deviceId: 'monitor', model: 'modbus-monitor', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    })).port as number;
    await host.addOutput('bed-1', 'monitor', { kind: 'serial', path: pty.a, baudRate: 19_200 });
  });
  afterEach(async () => {
    await driver?.stop();
    await transport?.stop();
    driver = null;
    transport = null;
    await host.stop();
    await pty.close();
  });

  function start(url: string, framing: 'tcp' | 'rtu') {
    const bus = new GatewayBus();
    const observations: Observation[] = [];
    const conditions: DeviceCondition[] = [];
    bus.observations$.subscribe((o) => observations.push(o));
    bus.conditions$.subscribe((c) => conditions.push(c));
    transport = createTransport(url, modbusDriver.serialDefaults, { logger: silentLogger() });
    driver = modbusDriver.create({
      bedId: 'bed-1', deviceId: 'monitor', transport, bus, logger: silentLogger(), clock: systemClock,
      options: modbusOptionsSchema.parse({ map: 'reference-monitor', framing }),
    });
    transport.start();
    driver.start();
    const latest = (metric: string): Observation | undefined => observations.filter((o) => o.metric === metric).at(-1);
    return { observations, conditions, latest };
  }

  for (const [framing, url] of [['tcp', () => `tcp://127.0.0.1:${tcpPort}`], ['rtu', () => `serial://${pty.b}`]] as const) {
    it(`publishes every metric of the map over Modbus ${framing.toUpperCase()}, NIBP with the cuff's time`, async () => {
      const { latest } = start(url(), framing);
      const metrics = ['heart-rate', 'spo2', 'pulse-rate', 'resp-rate', 'temp-body', 'etco2', 'perfusion-index', 'nibp-sys', 'nibp-dia', 'nibp-mean'];
      await until(() => metrics.every((m) => latest(m) !== undefined), 'one observation of every metric', 8000);
      const v = host.describeBed('bed-1').vitals;
      expect(latest('heart-rate')?.value).toBe(Math.round(v.pulseRate));
      expect(latest('spo2')?.value).toBe(Math.round(v.spo2));
      expect(latest('resp-rate')?.value).toBe(Math.round(v.respRate as number));
      expect(latest('temp-body')?.value).toBeCloseTo(v.temperatureC as number, 2);
      expect(latest('etco2')?.value).toBeCloseTo(v.etco2MmHg as number, 1);
      expect(latest('perfusion-index')?.value).toBeCloseTo(v.perfusionIndex, 3);
      expect(latest('nibp-sys')).toMatchObject({ value: Math.round(v.nibpSysMmHg as number), deviceTime: Date.UTC(2026, 0, 1) });
      expect(latest('nibp-dia')?.value).toBe(Math.round(v.nibpDiaMmHg as number));
    });
  }

  it('turns a status bit into a condition and a blanked value into "no value"', async () => {
    const { latest, conditions } = start(`tcp://127.0.0.1:${tcpPort}`, 'tcp');
    await until(() => latest('spo2')?.value !== undefined, 'a first SpO2', 8000);
    host.trigger('bed-1', 'monitor', { type: 'sensor-off' });
    await until(() => latest('spo2')?.value === null, 'SpO2 to become no value', 8000);
    await until(() => conditions.some((c) => c.code === 'SENSOR_OFF' && c.active), 'the SENSOR_OFF condition', 8000);
  });
});
