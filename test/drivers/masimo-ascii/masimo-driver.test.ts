import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { masimoAsciiDriver } from '../../../drivers/masimo-ascii/masimo-driver.js';
import { MemoryTransport } from '../../../src/transport/memory-transport.js';
import { LINES, radical7Line } from '../../fixtures/masimo/radical-lines.js';
import { createDriver, lastStatus } from '../../fixtures/masimo/driver-harness.js';

const START = Date.UTC(2026, 4, 14, 13, 45, 0);

function setup(options: unknown = {}) {
  const transport = new MemoryTransport('memory://masimo', () => Date.now());
  const { driver, published } = createDriver(transport, options);
  driver.start();
  return { transport, driver, published };
}

const edges = (list: { code: string; active: boolean }[]) => list.map((c) => `${c.active ? '+' : '-'}${c.code}`);

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('masimoAsciiDriver definition', () => {
  it('has the id, serial defaults and option defaults of the Masimo ASCII 1 output', () => {
    expect(masimoAsciiDriver.id).toBe('masimo-ascii');
    expect(masimoAsciiDriver.serialDefaults).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(masimoAsciiDriver.optionsSchema.parse({})).toEqual({ communicationLostAfterMs: 3000, deviceTimeZone: 'local' });
    expect(masimoAsciiDriver.optionsSchema.parse(undefined)).toEqual({ communicationLostAfterMs: 3000, deviceTimeZone: 'local' });
  });

  it.each([
    [{ communicationLostAfterMs: 1099 }],
    [{ communicationLostAfterMs: 60_001 }],
    [{ communicationLostAfterMs: 2000.5 }],
    [{ deviceTimeZone: 'Europe/Paris' }],
    [{ comunicationLostAfterMs: 3000 }],
  ])('rejects options %j', (options) => {
    expect(masimoAsciiDriver.optionsSchema.safeParse(options).success).toBe(false);
  });
});

describe('MasimoAsciiDriver on a MemoryTransport', () => {
  it('publishes one observation per metric field, with values, units, codes and times', () => {
    const { transport, published } = setup();
    vi.advanceTimersByTime(250);
    transport.inject(`${LINES.radical7}\r\n`);
    const byMetric = Object.fromEntries(published.observations.map((o) => [o.metric, o]));
    expect(Object.keys(byMetric).sort()).toEqual(['perfusion-index', 'pulse-rate', 'pvi', 'spco', 'spmet', 'spo2']);
    expect(byMetric.spo2).toMatchObject({ bedId: 'bed-1', deviceId: 'oxi-1', value: 98, unit: '%', code: 150456, flags: [] });
    expect(byMetric['pulse-rate']).toMatchObject({ value: 72, unit: '/min', code: 149530, flags: [] });
    expect(byMetric['perfusion-index']).toMatchObject({ value: 3.45, unit: '%', flags: [] });
    for (const m of ['spco', 'spmet', 'pvi']) expect(byMetric[m]).toMatchObject({ value: null, flags: ['unavailable'] });
    expect(byMetric.spo2?.receivedAt).toBe(START + 250);
    expect(byMetric.spo2?.deviceTime).toBe(new Date(2026, 4, 14, 13, 45, 1).getTime());
  });

  it('reads the device time as UTC when told to', () => {
    const { transport, published } = setup({ deviceTimeZone: 'utc' });
    transport.inject(`${LINES.radical7}\r\n`);
    expect(published.observations[0]?.deviceTime).toBe(Date.UTC(2026, 4, 14, 13, 45, 1));
  });

  it('stamps receivedAt when the line end arrives, not when the line began', () => {
    const { transport, published } = setup();
    transport.inject(LINES.radical5.slice(0, 20));
    vi.advanceTimersByTime(40);
    transport.inject(`${LINES.radical5.slice(20)}\r\n`);
    expect(published.observations.map((o) => o.receivedAt)).toEqual([START + 40, START + 40, START + 40]);
  });

  it('publishes only the fields a Radical-5 line carries', () => {
    const { transport, published } = setup();
    transport.inject(`${LINES.radical5}\r\n`);
    expect(published.observations.map((o) => [o.metric, o.value])).toEqual([
      ['spo2', 97],
      ['pulse-rate', 64],
      ['perfusion-index', 11.82],
    ]);
  });

  it('flags values questionable while EXC reports low perfusion, and starts/ends conditions', () => {
    const { transport, published } = setup();
    transport.inject(`${LINES.spo2Low}\r\n`);
    expect(edges(published.conditions)).toEqual(['+SPO2_LOW', '+LOW_PERFUSION']);
    expect(published.conditions[0]).toMatchObject({ bedId: 'bed-1', deviceId: 'oxi-1', kind: 'physiological', at: START });
    expect(published.conditions[1]).toMatchObject({ kind: 'technical' });
    expect(published.observations.find((o) => o.metric === 'spo2')).toMatchObject({ value: 84, flags: ['questionable'] });

    vi.advanceTimersByTime(1000);
    transport.inject(`${radical7Line(4, 96, '0000', '000000')}\r\n`);
    expect(edges(published.conditions)).toEqual(['+SPO2_LOW', '+LOW_PERFUSION', '-SPO2_LOW', '-LOW_PERFUSION']);
    expect(published.conditions[3]?.at).toBe(START + 1000);
    expect(published.observations.at(-6)).toMatchObject({ metric: 'spo2', value: 96, flags: [] });
  });

  it('does not repeat a start edge while a condition stays active', () => {
    const { transport, published } = setup();
    transport.inject(`${LINES.sensorOff}\r\n${LINES.sensorOff}\r\n`);
    expect(edges(published.conditions)).toEqual(['+SENSOR_OFF']);
    expect(published.observations.filter((o) => o.metric === 'spo2').map((o) => [o.value, o.flags])).toEqual([
      [null, ['unavailable']],
      [null, ['unavailable']],
    ]);
  });

  it('reports link, awaiting -> receiving, serial and the device alarm-system state in its status', () => {
    const { transport, published } = setup();
    expect(lastStatus(published)).toMatchObject({ driver: 'masimo-ascii', link: 'open', data: 'awaiting', lastDataAt: null });
    vi.advanceTimersByTime(100);
    transport.inject(`${LINES.radical5}\r\n`);
    expect(lastStatus(published)).toMatchObject({
      data: 'receiving',
      since: START + 100,
      lastDataAt: START + 100,
      counters: { messages: 1, rejected: 0 },
      deviceAlarm: { alarming: false, silenced: true },
    });
    transport.inject(`${LINES.radical7}\r\n`);
    expect(lastStatus(published)).toMatchObject({ identity: { serial: '0000012345' }, deviceAlarm: { alarming: false, silenced: false } });
    // Status goes out before the observations of the line that changed it.
    const firstObservation = published.events.findIndex((e) => e.type === 'observation');
    const receiving = published.events.findIndex((e) => e.type === 'status' && e.e.data === 'receiving');
    expect(receiving).toBeLessThan(firstObservation);
  });

  it('counts garbage and over-long lines as rejected, not as data', () => {
    const { transport, published } = setup();
    transport.inject('\u0000\u00ff garbage\r\n05/14/26 13:45:01 SPO2=250%\r\n');
    transport.inject(`${'Z'.repeat(600)}\r\n`);
    expect(published.observations).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(lastStatus(published)).toMatchObject({ data: 'silent', counters: { messages: 0, rejected: 3 } });
  });

  it('goes silent after communicationLostAfterMs without a valid line, from start even if never spoken', () => {
    const { published } = setup({ communicationLostAfterMs: 2000 });
    vi.advanceTimersByTime(1999);
    expect(lastStatus(published).data).toBe('awaiting');
    vi.advanceTimersByTime(1);
    expect(lastStatus(published)).toMatchObject({ data: 'silent', since: START + 2000 });
  });

  it('on silence: status silent first, then every active condition ends; resume restarts them', () => {
    const { transport, published } = setup();
    transport.inject(`${LINES.spo2Low}\r\n`);
    vi.advanceTimersByTime(1000);
    transport.inject(`${LINES.spo2Low}\r\n`);
    vi.advanceTimersByTime(2999);
    expect(lastStatus(published).data).toBe('receiving');
    const before = published.events.length;
    vi.advanceTimersByTime(1);
    const after = published.events.slice(before);
    expect(after.map((e) => (e.type === 'status' ? `status:${e.e.data}` : `${e.type}`))).toEqual([
      'status:silent',
      'condition',
      'condition',
    ]);
    expect(edges(published.conditions.slice(-2))).toEqual(['-SPO2_LOW', '-LOW_PERFUSION']);
    expect(published.conditions.at(-1)?.at).toBe(START + 4000);
    expect(lastStatus(published).deviceAlarm).toBeUndefined();

    vi.advanceTimersByTime(10_000);
    transport.inject(`${LINES.spo2Low}\r\n`);
    expect(lastStatus(published)).toMatchObject({ data: 'receiving', since: START + 14_000 });
    expect(edges(published.conditions.slice(-2))).toEqual(['+SPO2_LOW', '+LOW_PERFUSION']);
  });

  it('garbage alone does not keep a device from going silent', () => {
    const { transport, published } = setup();
    transport.inject(`${LINES.radical7}\r\n`);
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(1000);
      transport.inject('05/14/26 13:45:0x SPO2=098%\r\n');
    }
    expect(lastStatus(published).data).toBe('silent');
  });

  it('re-publishes status every 5 s only when counters changed', () => {
    const { transport, published } = setup({ communicationLostAfterMs: 60_000 });
    transport.inject(`${LINES.radical7}\r\n`);
    const count = published.statuses.length;
    vi.advanceTimersByTime(1000);
    transport.inject(`${LINES.radical7}\r\n`);
    expect(published.statuses.length).toBe(count);
    vi.advanceTimersByTime(4000);
    expect(published.statuses.length).toBe(count + 1);
    expect(lastStatus(published)).toMatchObject({ counters: { messages: 2, rejected: 0 }, lastDataAt: START + 1000 });
    vi.advanceTimersByTime(15_000);
    expect(published.statuses.length).toBe(count + 1);
  });

  it('reports a link drop with its error and does not glue a partial line across it', () => {
    const { transport, published } = setup({ communicationLostAfterMs: 60_000 });
    // Without a reset, these two pieces would join into a valid line.
    transport.inject(LINES.radical7.slice(0, 30));
    transport.drop('ECONNRESET');
    expect(lastStatus(published)).toMatchObject({ link: 'connecting', lastError: 'ECONNRESET' });
    transport.restore();
    transport.inject(`${LINES.radical5.slice(17)}\r\n`);
    expect(published.observations).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(lastStatus(published)).toMatchObject({ link: 'open', data: 'awaiting', counters: { messages: 0, rejected: 1 } });
  });

  it('never writes to the device', () => {
    const { transport } = setup();
    transport.inject(`${LINES.radical7}\r\n${LINES.sensorOff}\r\n`);
    vi.advanceTimersByTime(20_000);
    expect(transport.written).toEqual([]);
  });

  it('stop() ends active conditions, stops the timers and closes the transport', async () => {
    const { transport, driver, published } = setup();
    transport.inject(`${LINES.sensorOff}\r\n`);
    await driver.stop();
    expect(edges(published.conditions)).toEqual(['+SENSOR_OFF', '-SENSOR_OFF']);
    expect(transport.state).toBe('closed');
    const count = published.statuses.length;
    vi.advanceTimersByTime(60_000);
    expect(published.statuses.length).toBe(count);
    await driver.stop();
  });
});
