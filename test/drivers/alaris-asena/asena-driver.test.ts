import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Clock } from '../../../src/core/clock.js';
import type { DeviceCondition, DeviceStatus } from '../../../src/model/device-events.js';
import type { Observation } from '../../../src/model/observation.js';
import { MemoryTransport } from '../../../src/transport/memory-transport.js';
import {
  alarisAsenaDriver, asenaOptionsSchema, type AsenaDriver, type AsenaPumpState, type PumpLocalChange,
} from '../../../drivers/alaris-asena/asena-driver.js';
import { AsenaDeframer, encodeFrame } from '../../../drivers/alaris-asena/frame-codec.js';

/** What the fake pump says; change it between polls. Reply bodies are written by hand here. */
interface FakePump {
  serial: string;
  infSerial?: string;
  alarm: string;
  mode: string;
  rate: string;
  volume: string;
  pressure: string;
  time: string;
  vtbi: string | null;
  /** 'ok' answers; 'silent' says nothing; 'corrupt' answers with a bad CRC; 'error' answers ERROR^BUSY. */
  behaviour: 'ok' | 'silent' | 'corrupt' | 'error';
}

/** A MemoryTransport whose far end is a fake pump answering each framed command. */
class FakePumpTransport extends MemoryTransport {
  readonly deframer = new AsenaDeframer();
  readonly commands: string[] = [];
  constructor(readonly pump: FakePump) {
    super('memory://asena', () => Date.now());
  }
  override async write(bytes: Uint8Array): Promise<void> {
    await super.write(bytes);
    for (const out of this.deframer.push(bytes)) {
      if (out.kind !== 'frame') continue;
      this.commands.push(out.body);
      const reply = this.answer(out.body);
      if (reply !== null) queueMicrotask(() => this.state === 'open' && this.inject(reply));
    }
  }
  private answer(command: string): Buffer | null {
    const p = this.pump;
    if (p.behaviour === 'silent') return null;
    if (p.behaviour === 'error') return encodeFrame('ERROR^BUSY');
    let body: string;
    if (command === 'INST_SERIALNO') body = `INST_SERIALNO^${p.serial}`;
    else if (command === 'INF') {
      body = `INF^${p.infSerial ?? p.serial}^${p.alarm}^${p.mode}^${p.rate}^ml/h^^${p.volume}^ml^${p.pressure}^mmHg^${p.time}^EVENT^42`;
    } else if (command === 'INF_VTBI') body = p.vtbi === null ? 'INF_VTBI^DEACT^^^' : `INF_VTBI^ACTIV^${p.vtbi}^ml^STOP`;
    else body = 'ERROR^UNKNOWN_COMMAND';
    const frame = encodeFrame(body);
    if (p.behaviour === 'corrupt') frame[frame.length - 2] = frame[frame.length - 2] === 0x30 ? 0x31 : 0x30;
    return frame;
  }
}

const fakeClock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

function setup(pumpOverrides: Partial<FakePump> = {}, options: Record<string, unknown> = {}) {
  const pump: FakePump = {
    serial: '8002-51740', alarm: '-', mode: 'INF', rate: '5.00', volume: '1.250', pressure: '17.91', time: '01:30:00',
    vtbi: '7.500', behaviour: 'ok', ...pumpOverrides,
  };
  const transport = new FakePumpTransport(pump);
  const bus = new GatewayBus();
  const observations: Observation[] = [];
  const conditions: DeviceCondition[] = [];
  const statuses: DeviceStatus[] = [];
  bus.observations$.subscribe((o) => observations.push(o));
  bus.conditions$.subscribe((c) => conditions.push(c));
  bus.status$.subscribe((s) => statuses.push(s));
  const driver = alarisAsenaDriver.create({
    bedId: 'bed-1', deviceId: 'pump-1', transport, bus, logger: silentLogger(), clock: fakeClock,
    options: asenaOptionsSchema.parse(options),
  });
  const states: AsenaPumpState[] = [];
  const changes: PumpLocalChange[] = [];
  driver.pumpState$.subscribe((s) => states.push(s));
  driver.localChanges$.subscribe((c) => changes.push(c));
  const last = <T>(list: T[]): T => {
    const v = list.at(-1);
    if (v === undefined) throw new Error('nothing published');
    return v;
  };
  return { pump, transport, driver, observations, conditions, statuses, states, changes, lastStatus: () => last(statuses), lastState: () => last(states) };
}

describe('alarisAsenaDriver definition', () => {
  it('has the id, serial defaults and option defaults of the Asena GH', () => {
    expect(alarisAsenaDriver.id).toBe('alaris-asena-gh');
    expect(alarisAsenaDriver.serialDefaults).toEqual({ baudRate: 38400, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(asenaOptionsSchema.parse({})).toEqual({ pollIntervalMs: 2000, responseTimeoutMs: 1000, communicationLostAfterMs: 10_000 });
  });

  it.each([
    { pollIntervalMs: 499 },
    { pollIntervalMs: 10_001 },
    { pollIntervalMs: 2000.5 },
    { communicationLostAfterMs: 2500 },
    { unknownOption: 1 },
  ])('rejects options %j', (options) => {
    expect(asenaOptionsSchema.safeParse(options).success).toBe(false);
  });
});

describe('Asena driver against a fake pump on MemoryTransport', () => {
  let driver: AsenaDriver | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
    vi.useRealTimers();
  });

  it('reads the serial number first, then polls INF and INF_VTBI every pollIntervalMs', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.commands).toEqual(['INST_SERIALNO', 'INF', 'INF_VTBI']);
    expect(h.lastStatus().identity).toEqual({ serial: '8002-51740', model: 'Alaris Asena GH' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.transport.commands).toEqual(['INST_SERIALNO', 'INF', 'INF_VTBI', 'INF', 'INF_VTBI']);
    await vi.advanceTimersByTimeAsync(8000);
    expect(h.transport.commands.filter((c) => c === 'INF')).toHaveLength(6);
  });

  it('publishes rate, volume, pressure, time remaining and VTBI with their units and codes', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    const byMetric = Object.fromEntries(h.observations.map((o) => [o.metric, o]));
    expect(byMetric['pump-rate']).toMatchObject({ value: 5, unit: 'mL/h', code: 157784, flags: [], bedId: 'bed-1', deviceId: 'pump-1' });
    expect(byMetric['volume-infused']).toMatchObject({ value: 1.25, unit: 'mL', code: 157864 });
    expect(byMetric['vtbi-remaining']).toMatchObject({ value: 7.5, unit: 'mL', code: 157872 });
    expect(byMetric['pump-pressure']).toMatchObject({ value: 17.91, unit: 'mm[Hg]' });
    expect(byMetric['infusion-time-remaining']).toMatchObject({ value: 5400, unit: 's' });
    expect(byMetric['pump-rate']?.receivedAt).toBe(Date.now());
  });

  it('no VTBI, no pressure and "24+" are published as unavailable, never 0', async () => {
    const h = setup({ vtbi: null, pressure: '', time: '24+' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    for (const metric of ['vtbi-remaining', 'pump-pressure', 'infusion-time-remaining']) {
      expect(h.observations.find((o) => o.metric === metric)).toMatchObject({ value: null, flags: ['unavailable'] });
    }
  });

  it('data state: awaiting -> receiving -> silent after communicationLostAfterMs -> receiving again', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    expect(h.statuses[0]).toMatchObject({ data: 'awaiting', driver: 'alaris-asena-gh' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.lastStatus()).toMatchObject({ link: 'open', data: 'receiving' });
    await vi.advanceTimersByTimeAsync(6000); // replies at 0, 2, 4 and 6 s keep it receiving
    const lastGood = Date.now();
    h.pump.behaviour = 'silent';
    await vi.advanceTimersByTimeAsync(9999);
    expect(h.lastStatus().data).toBe('receiving');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.lastStatus()).toMatchObject({ data: 'silent', lastDataAt: lastGood });
    expect(h.lastState().fresh).toBe(false);
    h.pump.behaviour = 'ok';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.lastStatus().data).toBe('receiving');
    expect(h.lastState().fresh).toBe(true);
  });

  it('a pump that never answers goes silent communicationLostAfterMs after start', async () => {
    const h = setup({ behaviour: 'silent' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(9999);
    expect(h.statuses.map((s) => s.data)).not.toContain('silent');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.lastStatus().data).toBe('silent');
  });

  it('corrupt replies are counted as rejected, are not data, and end in silence', async () => {
    const h = setup({ behaviour: 'corrupt' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.lastStatus().data).toBe('silent');
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.lastStatus().counters.messages).toBe(0);
    expect(h.lastStatus().counters.rejected).toBeGreaterThan(5);
    expect(h.observations).toEqual([]);
  });

  it('ERROR replies are not data', async () => {
    const h = setup({ behaviour: 'error' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.lastStatus().data).toBe('silent');
    expect(h.observations).toEqual([]);
  });

  it('raises and ends pump alarm conditions, and names unknown codes', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    h.pump.alarm = 'AL_OCCLU';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.conditions).toEqual([
      { bedId: 'bed-1', deviceId: 'pump-1', code: 'OCCLUSION', label: 'Pump occlusion', kind: 'technical', active: true, at: Date.now() },
    ]);
    h.pump.alarm = 'A';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.conditions.slice(1).map((c) => [c.code, c.active])).toEqual([
      ['OCCLUSION', false],
      ['PUMP_ALARM_UNKNOWN_A', true],
    ]);
    expect(h.lastState().activeConditions).toEqual(['PUMP_ALARM_UNKNOWN_A']);
  });

  it('ends active conditions when the pump goes silent and raises them again when it answers', async () => {
    const h = setup({ alarm: 'AL_LWBAT' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    h.pump.behaviour = 'silent';
    await vi.advanceTimersByTimeAsync(10_000);
    h.pump.behaviour = 'ok';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.conditions.map((c) => [c.code, c.active])).toEqual([
      ['LOW_BATTERY', true],
      ['LOW_BATTERY', false],
      ['LOW_BATTERY', true],
    ]);
  });

  it('exposes the pump state, with unknown modes as "unknown"', async () => {
    const h = setup({ mode: 'HLD' });
    driver = h.driver;
    expect(h.states).toEqual([expect.objectContaining({ run: 'unknown', fresh: false })]);
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.lastState()).toMatchObject({ run: 'stopped', rateMlPerHour: 5, vtbiRemainingMl: 7.5, serial: '8002-51740', fresh: true });
    h.pump.mode = 'XYZ';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.lastState().run).toBe('unknown');
    expect(h.conditions.at(-1)).toMatchObject({ code: 'PUMP_MODE_UNKNOWN_XYZ', active: true });
    const late: AsenaPumpState[] = [];
    driver.pumpState$.subscribe((s) => late.push(s));
    expect(late).toHaveLength(1);
    expect(late[0]?.run).toBe('unknown');
  });

  it('reports rate and running-state changes on localChanges$ with before/after', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.changes).toEqual([]);
    h.pump.rate = '7.00';
    await vi.advanceTimersByTimeAsync(2000);
    h.pump.mode = 'HLD';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.changes).toEqual([
      expect.objectContaining({ kind: 'rate', before: 5, after: 7, serial: '8002-51740', acrossGap: false }),
      expect.objectContaining({ kind: 'run-state', before: 'running', after: 'stopped' }),
    ]);
  });

  it('on link drop: aborts, stops polling, marks the state stale; on restore re-reads the serial', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    h.transport.drop('cable pulled');
    expect(h.lastStatus()).toMatchObject({ link: 'connecting', lastError: 'cable pulled' });
    expect(h.lastState().fresh).toBe(false);
    const before = h.transport.commands.length;
    await vi.advanceTimersByTimeAsync(6000);
    expect(h.transport.commands.length).toBe(before);
    h.transport.restore();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.commands.slice(before)).toEqual(['INST_SERIALNO', 'INF', 'INF_VTBI']);
    expect(h.lastStatus()).toMatchObject({ link: 'open', data: 'receiving' });
  });

  it('flags a pump whose INF serial differs from INST_SERIALNO and re-reads the serial', async () => {
    const h = setup({ infSerial: '9999-00001' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.conditions.map((c) => c.code)).toContain('PUMP_SERIAL_MISMATCH');
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.transport.commands.filter((c) => c === 'INST_SERIALNO')).toHaveLength(2);
  });

  it('publishes counters at most every 5 s when only counters move', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    const n = h.statuses.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.statuses.length - n).toBe(4);
    expect(h.lastStatus().counters.messages).toBeGreaterThan(20);
  });

  it('only ever sends the three read queries, whatever the pump does', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    const script: Array<Partial<FakePump>> = [
      { alarm: 'AL_OCCLU', mode: 'HLD' }, { rate: '9.00', mode: 'INF' }, { behaviour: 'corrupt' }, { behaviour: 'error' },
      { behaviour: 'silent' }, { behaviour: 'ok', mode: 'BOL' }, { vtbi: null },
    ];
    for (const step of script) {
      Object.assign(h.pump, step);
      await vi.advanceTimersByTimeAsync(3000);
      h.transport.drop();
      h.transport.restore();
    }
    const sent = new AsenaDeframer().push(Buffer.concat(h.transport.written));
    expect(sent.length).toBeGreaterThan(20);
    for (const out of sent) {
      expect(out.kind).toBe('frame');
      if (out.kind === 'frame') expect(['INF', 'INF_VTBI', 'INST_SERIALNO']).toContain(out.body);
    }
  });

  it('random bytes from the line never throw, are counted as rejected, and valid replies still get through', async () => {
    const h = setup({ behaviour: 'silent' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    for (const chunk of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), { numRuns: 300, seed: 7 })) {
      expect(() => h.transport.inject(chunk)).not.toThrow();
    }
    h.transport.inject('\r');
    h.pump.behaviour = 'ok';
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.lastStatus().data).toBe('receiving');
    expect(h.observations.some((o) => o.metric === 'pump-rate' && o.value === 5)).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.lastStatus().counters.rejected).toBeGreaterThan(0);
  });

  it('exposes no way to write: only lifecycle and read-only streams are reachable', () => {
    const h = setup();
    driver = h.driver;
    const names = new Set<string>();
    for (let o: object | null = driver; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.getOwnPropertyNames(o)) if (k !== 'constructor') names.add(k);
    }
    expect([...names].sort()).toEqual(['localChanges$', 'pumpState$', 'start', 'stop']);
  });
});
