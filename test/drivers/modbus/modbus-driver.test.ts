import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { Clock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { DeviceCondition, DeviceStatus } from '../../../src/model/device-events.js';
import type { Observation } from '../../../src/model/observation.js';
import { createModbusDriver, modbusOptionsSchema, type ModbusDriver } from '../../../drivers/modbus/modbus-driver.js';
import { withModbusCrc } from '../../../drivers/modbus/modbus-crc.js';
import { AnsweringTransport } from './answering-transport.js';
import { TestSlave } from './test-slave.js';

/**
 * The Modbus driver on an in-memory line, in virtual time (vi.useFakeTimers): a TestSlave
 * answers each request; faults are switched on the slave.
 */
const MAP = resolve(import.meta.dirname, '../../fixtures/modbus-maps/test-monitor.yaml');
const clock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };
const NIBP_TIME_S = 1_767_225_600; // 2026-01-01T00:00:00Z

/** The registers of test-monitor.yaml, with the values the tests expect. */
function loadSlave(slave: TestSlave): void {
  slave.set('holding', 100, [72, 975, 3685, 0x421a, 0x0000, 14, 0, 0, 2345, 0, 0x0001, 0]);
  slave.set('input', 200, [124, 0x8000, 92, 0, NIBP_TIME_S >>> 16, NIBP_TIME_S & 0xffff, 0, 0]);
}

let driver: ModbusDriver | null = null;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await driver?.stop();
  driver = null;
  vi.useRealTimers();
});

function setup(options: Record<string, unknown> = {}) {
  const transport = new AnsweringTransport();
  const slave = new TestSlave(17);
  loadSlave(slave);
  transport.answer = (req) => slave.answerRtu(req);
  const bus = new GatewayBus();
  const observations: Observation[] = [];
  const conditions: DeviceCondition[] = [];
  const statuses: DeviceStatus[] = [];
  bus.observations$.subscribe((o) => observations.push(o));
  bus.conditions$.subscribe((c) => conditions.push(c));
  bus.status$.subscribe((s) => statuses.push(s));
  driver = createModbusDriver({
    bedId: 'bed-1', deviceId: 'monitor', transport, bus, logger: silentLogger(), clock,
    options: modbusOptionsSchema.parse({ map: MAP, ...options }),
  });
  const latest = (metric: string) => observations.filter((o) => o.metric === metric).at(-1);
  const lastStatus = () => statuses.at(-1) as DeviceStatus;
  return { transport, slave, observations, conditions, statuses, latest, lastStatus, driver };
}

describe('modbus driver (RTU framing, in-memory line)', () => {
  it('reads each poll group with its function and publishes the decoded observations', async () => {
    const t = setup();
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    // 0x11 = unit 17; FC3 from 100 (0x64) x 12; FC4 from 200 (0xC8) x 8; CRC low byte first.
    expect(t.transport.written.slice(0, 2)).toEqual([
      withModbusCrc(Buffer.from('11030064000c', 'hex')),
      withModbusCrc(Buffer.from('110400c80008', 'hex')),
    ]);
    const byMetric = Object.fromEntries(t.observations.map((o) => [o.metric, o]));
    expect(Object.keys(byMetric).sort()).toEqual(
      ['etco2', 'heart-rate', 'nibp-dia', 'nibp-mean', 'nibp-sys', 'perfusion-index', 'resp-rate', 'spo2', 'temp-body'].sort(),
    );
    expect(byMetric['heart-rate']).toMatchObject({ value: 72, unit: '/min', code: 147842, deviceTime: null, flags: [] });
    expect(byMetric['spo2']).toMatchObject({ value: 97.5, unit: '%' });
    expect(byMetric['temp-body']).toMatchObject({ value: 36.85, unit: 'Cel' });
    expect(byMetric['etco2']).toMatchObject({ value: 38.5, unit: 'mm[Hg]' });
    expect(byMetric['resp-rate']).toMatchObject({ value: 14, unit: '/min' });
    expect(byMetric['perfusion-index']).toMatchObject({ value: 2.345, unit: '%' });
    expect(byMetric['nibp-sys']).toMatchObject({ value: 124, unit: 'mm[Hg]', deviceTime: NIBP_TIME_S * 1000 });
    expect(byMetric['nibp-dia']).toMatchObject({ value: null, flags: ['unavailable'], deviceTime: NIBP_TIME_S * 1000 });
    expect(byMetric['nibp-mean']).toMatchObject({ value: 92 });
    expect(t.conditions).toEqual([expect.objectContaining({ code: 'SENSOR_OFF', label: 'SpO2 sensor off', kind: 'technical', active: true })]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.lastStatus()).toMatchObject({ driver: 'modbus', link: 'open', data: 'receiving', lastError: null, identity: { model: 'test-monitor' } });
    expect(t.lastStatus().counters.rejected).toBe(0);
  });

  it('polls each group at its own period, and a sentinel value becomes no value', async () => {
    const t = setup();
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.set('holding', 100, [0xffff]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.latest('heart-rate')).toMatchObject({ value: null, flags: ['unavailable'] });
    const reads = (fc: number) => t.slave.requests.filter((r) => r[1] === fc).length;
    await vi.advanceTimersByTimeAsync(3990);
    expect(reads(3)).toBe(6); // at 0, 1, 2, 3, 4, 5 s
    expect(reads(4)).toBe(3); // at 0, 2, 4 s
  });

  it('publishes a value with a measurement time once per measurement', async () => {
    const t = setup();
    t.driver.start();
    await vi.advanceTimersByTimeAsync(6000);
    expect(t.observations.filter((o) => o.metric === 'nibp-sys')).toHaveLength(1);
    const next = NIBP_TIME_S + 300;
    t.slave.set('input', 200, [131, 84, 99, 0, next >>> 16, next & 0xffff]);
    await vi.advanceTimersByTimeAsync(2000);
    const sys = t.observations.filter((o) => o.metric === 'nibp-sys');
    expect(sys.map((o) => [o.value, o.deviceTime])).toEqual([
      [124, NIBP_TIME_S * 1000],
      [131, next * 1000],
    ]);
    expect(t.latest('nibp-dia')).toMatchObject({ value: 84, deviceTime: next * 1000 });
  });

  it('turns status bits into condition start and end edges', async () => {
    const t = setup();
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.set('holding', 110, [0b1000]);
    await vi.advanceTimersByTimeAsync(1000);
    t.slave.set('holding', 110, [0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.conditions.map((c) => `${c.code}:${c.active}`)).toEqual(['SENSOR_OFF:true', 'SENSOR_OFF:false', 'LEADS_OFF:true', 'LEADS_OFF:false']);
  });

  it('rejects and counts a reply with a corrupted CRC, never uses it, and raises MODBUS_ERRORS after the threshold', async () => {
    const t = setup({ timeoutMs: 200 });
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    const before = t.observations.length;
    t.slave.set('holding', 100, [150]); // a value that must never appear
    t.slave.fault = 'bad-crc';
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.observations.slice(before)).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.observations.some((o) => o.metric === 'heart-rate' && o.value === 150)).toBe(false);
    expect(t.lastStatus().counters.rejected).toBeGreaterThanOrEqual(3);
    expect(t.lastStatus().lastError).toMatch(/no reply to read (vitals|nibp)/);
    const errors = t.conditions.filter((c) => c.code === 'MODBUS_ERRORS');
    expect(errors).toEqual([expect.objectContaining({ active: true, kind: 'technical', label: expect.stringContaining('3 failed reads in a row of "vitals"') })]);
    t.slave.fault = 'none';
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.latest('heart-rate')).toMatchObject({ value: 150 });
    expect(t.conditions.filter((c) => c.code === 'MODBUS_ERRORS').map((c) => c.active)).toEqual([true, false]);
  });

  it('counts exception replies as failures and names the exception', async () => {
    const t = setup({ errorThreshold: 2 });
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.fault = { exception: 2 };
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.conditions.filter((c) => c.code === 'MODBUS_ERRORS')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.conditions.filter((c) => c.code === 'MODBUS_ERRORS')).toEqual([
      expect.objectContaining({ active: true, label: expect.stringContaining('exception 2 (illegal data address)') }),
    ]);
    expect(t.lastStatus().data).toBe('receiving');
  });

  it('one failing group raises MODBUS_ERRORS even while another group reads fine', async () => {
    const t = setup();
    t.transport.answer = (req) => (req[1] === 4 ? withModbusCrc(Buffer.from([17, 0x84, 2])) : t.slave.answerRtu(req));
    t.driver.start();
    await vi.advanceTimersByTimeAsync(4010);
    expect(t.conditions.filter((c) => c.code === 'MODBUS_ERRORS')).toEqual([
      expect.objectContaining({ active: true, label: expect.stringContaining('of "nibp"') }),
    ]);
  });

  it('goes silent when no read succeeds for communicationLostAfterMs, ends the conditions, and recovers', async () => {
    const t = setup({ communicationLostAfterMs: 5000, timeoutMs: 200 });
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.fault = 'silent';
    await vi.advanceTimersByTimeAsync(4980);
    expect(t.lastStatus().data).toBe('receiving');
    expect(t.conditions.filter((c) => c.code === 'MODBUS_ERRORS').map((c) => c.active)).toEqual([true]);
    await vi.advanceTimersByTimeAsync(20);
    expect(t.lastStatus()).toMatchObject({ data: 'silent', link: 'open' });
    // Silence ends the device's conditions; COMMUNICATION_LOST (the alarm stage) takes over.
    expect(t.conditions.map((c) => `${c.code}:${c.active}`)).toEqual(['SENSOR_OFF:true', 'MODBUS_ERRORS:true', 'SENSOR_OFF:false', 'MODBUS_ERRORS:false']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.conditions).toHaveLength(4); // no MODBUS_ERRORS flapping while silent
    t.slave.fault = 'none';
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.lastStatus().data).toBe('receiving');
    expect(t.conditions.map((c) => `${c.code}:${c.active}`).slice(4)).toEqual(['SENSOR_OFF:true']);
  });

  it('a device that never answers goes silent too', async () => {
    const t = setup({ communicationLostAfterMs: 3000 });
    t.slave.fault = 'silent';
    t.driver.start();
    await vi.advanceTimersByTimeAsync(2999);
    expect(t.lastStatus().data).toBe('awaiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(t.lastStatus()).toMatchObject({ data: 'silent', lastDataAt: null });
  });

  it('resynchronises on noise before a reply and on a reply split into single bytes', async () => {
    const t = setup();
    t.transport.answer = (req) => {
      const reply = t.slave.answerRtu(req);
      if (!reply) return null;
      return req[1] === 3 ? [Buffer.from([0x00, 0xff, 0x11]), reply] : [...reply].map((b) => Buffer.from([b]));
    };
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.latest('heart-rate')).toMatchObject({ value: 72 });
    expect(t.latest('nibp-sys')).toMatchObject({ value: 124 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.lastStatus().counters.rejected).toBeGreaterThanOrEqual(1); // the noise, counted
  });

  it('a reply that comes after its request timed out is counted as rejected and not used', async () => {
    const t = setup({ timeoutMs: 200 });
    t.slave.set('holding', 100, [111]);
    t.transport.answer = (req) => {
      const reply = t.slave.answerRtu(req);
      // Vitals answer 300 ms late (after the 200 ms timeout, before the next request); NIBP at once.
      if (reply && req[1] === 3) setTimeout(() => t.transport.inject(reply), 300);
      return req[1] === 3 ? null : reply;
    };
    t.driver.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.observations.filter((o) => o.metric === 'heart-rate')).toEqual([]);
    expect(t.latest('nibp-sys')).toMatchObject({ value: 124 });
    expect(t.lastStatus().counters.rejected).toBeGreaterThanOrEqual(4);
    expect(t.lastStatus().lastError).toMatch(/no reply to read vitals/);
  });

  it('a link drop aborts the request in flight without counting it as a device error', async () => {
    const t = setup({ errorThreshold: 1 });
    t.slave.fault = 'silent';
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.transport.drop('cable pulled');
    await vi.advanceTimersByTimeAsync(10);
    expect(t.conditions).toEqual([]);
    expect(t.lastStatus()).toMatchObject({ link: 'connecting', lastError: 'cable pulled' });
    t.slave.fault = 'none';
    t.transport.restore();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.latest('heart-rate')).toMatchObject({ value: 72 });
  });
});

describe('modbus driver (Modbus TCP framing, in-memory line)', () => {
  it('wraps requests in an MBAP header with increasing transaction ids and reads the replies', async () => {
    const t = setup({ framing: 'tcp' });
    t.transport.answer = (req) => t.slave.answerTcp(req);
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.transport.written.slice(0, 2).map((b) => b.toString('hex'))).toEqual([
      '0001000000061103' + '0064000c',
      '0002000000061104' + '00c80008',
    ]);
    expect(t.latest('heart-rate')).toMatchObject({ value: 72 });
    expect(t.latest('nibp-mean')).toMatchObject({ value: 92 });
  });

  it('rejects a reply to another transaction and one from another unit', async () => {
    const t = setup({ framing: 'tcp', timeoutMs: 300 });
    t.slave.set('holding', 100, [88]);
    let mode: 'wrong-tid' | 'wrong-unit' = 'wrong-tid';
    t.transport.answer = (req) => {
      const reply = t.slave.answerTcp(req) as Buffer;
      if (mode === 'wrong-tid') reply.writeUInt16BE(reply.readUInt16BE(0) + 7, 0);
      else reply[6] = 18;
      return reply;
    };
    t.driver.start();
    await vi.advanceTimersByTimeAsync(500);
    mode = 'wrong-unit';
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.observations).toEqual([]);
    expect(t.lastStatus().counters).toMatchObject({ messages: 0 });
    expect(t.lastStatus().counters.rejected).toBeGreaterThanOrEqual(4);
  });
});
