import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import { createLogger, silentLogger, type Logger } from '../../../src/core/logger.js';
import type { Clock } from '../../../src/core/clock.js';
import type { DeviceCondition, DeviceStatus } from '../../../src/model/device-events.js';
import type { Observation } from '../../../src/model/observation.js';
import { MemoryTransport } from '../../../src/transport/memory-transport.js';
import { ne1000Driver, ne1000OptionsSchema, type Ne1000Driver, type Ne1000PumpState } from '../../../drivers/ne1000/ne1000-driver.js';
import { encodeSafeFrame, SafeDeframer } from '../../../drivers/ne1000/safe-frame-codec.js';

/** What the fake pump says. Reply DATA is written by hand here: `00` + status + body. */
interface FakePump {
  /** Prompt letter, or `A?<letter>` for an alarm. */
  status: string;
  rate: string;
  dis: string;
  saf: string;
  /** 'ok' answers; 'silent' says nothing; 'corrupt' answers with a bad CRC; 'com' answers `?COM`. */
  behaviour: 'ok' | 'silent' | 'corrupt' | 'com';
  /** Reply address (default `00`). */
  address?: string;
}

/** The packets every allowed query of address 0 makes (hex computed with Python's binascii.crc_hqx). */
const QUERY_PACKETS: Readonly<Record<string, string>> = {
  '0': '0205303653' + '03',
  '0VER': '020830564552480903',
  '0SAF': '0208305341463d8803',
  '0DIA': '020830444941023503',
  '0RAT': '02083052415438cb03',
  '0DIS': '020830444953304603',
};

/** A MemoryTransport whose far end is a fake NE-1000 in safe mode. */
class FakePumpTransport extends MemoryTransport {
  readonly deframer = new SafeDeframer();
  /** DATA of each packet the driver wrote, with the (fake) time it was written. */
  readonly commands: Array<{ data: string; at: number }> = [];
  constructor(readonly pump: FakePump) {
    super('memory://ne1000', () => Date.now());
  }
  override async write(bytes: Uint8Array): Promise<void> {
    await super.write(bytes);
    for (const out of this.deframer.push(bytes)) {
      if (out.kind !== 'frame') throw new Error(`driver wrote a bad packet: ${out.rejection.reason}`);
      this.commands.push({ data: out.data, at: Date.now() });
      const reply = this.answer(out.data);
      if (reply !== null) queueMicrotask(() => this.state === 'open' && this.inject(reply));
    }
  }
  private answer(command: string): Buffer | null {
    const p = this.pump;
    if (p.behaviour === 'silent') return null;
    const status = p.status;
    let body = '';
    if (p.behaviour === 'com') body = '?COM';
    else if (!status.startsWith('A?')) {
      const cmd = command.replace(/^\d+/, '');
      body = { '': '', VER: 'NE1000V3.928', SAF: p.saf, DIA: '26.59', RAT: p.rate, DIS: p.dis }[cmd] ?? '?';
    } else {
      p.status = 'S'; // reporting the alarm in a reply acknowledges it (NE-1000 manual)
    }
    const frame = encodeSafeFrame(`${p.address ?? '00'}${status}${body}`);
    if (p.behaviour === 'corrupt') frame[frame.length - 2] = (frame[frame.length - 2] as number) ^ 0x01;
    return frame;
  }
  commandData(): string[] {
    return this.commands.map((c) => c.data);
  }
}

const fakeClock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

function captureLogger(): { logger: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

function setup(pumpOverrides: Partial<FakePump> = {}, options: Record<string, unknown> = {}, logger: Logger = silentLogger()) {
  const pump: FakePump = { status: 'I', rate: '5.000MH', dis: 'I1.250W0.000ML', saf: '10', behaviour: 'ok', ...pumpOverrides };
  const transport = new FakePumpTransport(pump);
  const bus = new GatewayBus();
  const observations: Observation[] = [];
  const conditions: DeviceCondition[] = [];
  const statuses: DeviceStatus[] = [];
  bus.observations$.subscribe((o) => observations.push(o));
  bus.conditions$.subscribe((c) => conditions.push(c));
  bus.status$.subscribe((s) => statuses.push(s));
  const grant = vi.fn();
  const driver = ne1000Driver.create({
    bedId: 'bed-2', deviceId: 'pump-ne', transport, bus, logger, clock: fakeClock,
    options: ne1000OptionsSchema.parse(options), commandLaneGrant: grant, registerLaneGrant: grant,
  });
  const states: Ne1000PumpState[] = [];
  driver.pumpState$.subscribe((s) => states.push(s));
  const last = <T>(list: T[]): T => {
    const v = list.at(-1);
    if (v === undefined) throw new Error('nothing published');
    return v;
  };
  const active = (code: string): boolean => {
    const edges = conditions.filter((c) => c.code === code);
    return edges.at(-1)?.active === true;
  };
  return { pump, transport, driver, grant, observations, conditions, statuses, states, active, lastStatus: () => last(statuses), lastState: () => last(states) };
}

/** Gaps between consecutive writes, ms. */
const gaps = (at: number[]): number[] => at.slice(1).map((t, i) => t - (at[i] as number));

describe('ne1000Driver definition', () => {
  it('has the id, 19200 8N1, option defaults, and is not programmable', () => {
    expect(ne1000Driver.id).toBe('ne1000');
    expect(ne1000Driver.serialDefaults).toEqual({ baudRate: 19_200, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(ne1000OptionsSchema.parse({})).toEqual({ address: 0, pollIntervalMs: 1000, responseTimeoutMs: 500, communicationLostAfterMs: 5000 });
    expect('programmablePump' in ne1000Driver).toBe(false);
  });

  it.each([{ address: 100 }, { address: -1 }, { address: 1.5 }, { pollIntervalMs: 99 }, { communicationLostAfterMs: 1200 }, { writes: true }])(
    'rejects options %j', (options) => {
      expect(ne1000OptionsSchema.safeParse(options).success).toBe(false);
    },
  );
});

describe('NE-1000 driver against a fake pump on MemoryTransport', () => {
  let driver: Ne1000Driver | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
    vi.useRealTimers();
  });

  it('reads VER, SAF (query form) and DIA, then polls RAT and DIS: it writes exactly these query packets and nothing else', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.commandData()).toEqual(['0VER', '0SAF', '0DIA', '0RAT', '0DIS']);
    await vi.advanceTimersByTimeAsync(30_000);
    const allowed = new Set(Object.values(QUERY_PACKETS));
    for (const bytes of h.transport.written) expect(allowed.has(bytes.toString('hex'))).toBe(true);
    expect(Buffer.concat(h.transport.written.slice(0, 5)).toString('hex')).toBe(
      ['0VER', '0SAF', '0DIA', '0RAT', '0DIS'].map((d) => QUERY_PACKETS[d]).join(''),
    );
    expect(h.grant).not.toHaveBeenCalled();
    expect(h.lastState()).toMatchObject({ run: 'infusing', watchdogSeconds: 10, syringeDiameterMm: 26.59, model: 'NE-1000', firmware: '3.928' });
  });

  it('publishes the rate in mL/h and the volume infused', async () => {
    const h = setup({ rate: '12.50UM', dis: 'I250.0W0.000UL' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    const byMetric = Object.fromEntries(h.observations.map((o) => [o.metric, o]));
    expect(byMetric['pump-rate']).toMatchObject({ value: 0.75, unit: 'mL/h', code: 157784, flags: [], bedId: 'bed-2', deviceId: 'pump-ne' });
    expect(byMetric['volume-infused']).toMatchObject({ value: 0.25, unit: 'mL', code: 157864 });
    expect(h.lastStatus()).toMatchObject({ driver: 'ne1000', link: 'open', data: 'receiving' });
  });

  it('with a 10 s watchdog it polls every pollIntervalMs (below 10/3 s)', async () => {
    const h = setup({ saf: '10' }, { pollIntervalMs: 1000 });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(10_000);
    const rat = h.transport.commands.filter((c) => c.data === '0RAT').map((c) => c.at);
    expect(gaps(rat).every((g) => g === 1000)).toBe(true);
    expect(rat).toHaveLength(11);
  });

  it('with a watchdog too short for pollIntervalMs it warns and polls under a third of the watchdog', async () => {
    const { logger, lines } = captureLogger();
    const h = setup({ saf: '2' }, { pollIntervalMs: 2000, communicationLostAfterMs: 5000 }, logger);
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const at = h.transport.commands.map((c) => c.at);
    expect(Math.max(...gaps(at))).toBeLessThan(2000 / 3);
    expect(lines.some((l) => l.level === 40 && /third of the pump watchdog/.test(l.msg))).toBe(true);
  });

  it('data state: awaiting -> receiving -> silent after communicationLostAfterMs -> receiving again', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    expect(h.statuses[0]).toMatchObject({ data: 'awaiting', driver: 'ne1000' });
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.lastStatus().data).toBe('receiving');
    const lastGood = Date.now();
    h.pump.behaviour = 'silent';
    await vi.advanceTimersByTimeAsync(4999);
    expect(h.lastStatus().data).toBe('receiving');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.lastStatus()).toMatchObject({ data: 'silent', lastDataAt: lastGood });
    expect(h.lastState().fresh).toBe(false);
    h.pump.behaviour = 'ok';
    await vi.advanceTimersByTimeAsync(12_000);
    expect(h.lastStatus().data).toBe('receiving');
    expect(h.lastState().fresh).toBe(true);
  });

  it('when replies stop it does not hammer the pump: after two failures it only probes, more slowly than the watchdog', async () => {
    const h = setup({ saf: '3' }, { pollIntervalMs: 500 });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(5000);
    h.pump.behaviour = 'silent';
    const from = h.transport.commands.length;
    await vi.advanceTimersByTimeAsync(60_000);
    const probes = h.transport.commands.slice(from + 2); // the two failed polls, then probes only
    expect(probes.length).toBeGreaterThan(3);
    expect(probes.every((c) => c.data === '0')).toBe(true);
    expect(Math.min(...gaps(probes.map((c) => c.at)))).toBeGreaterThan(3000);
    // Healthy again at the first answered probe: polling at the fast rate resumes.
    h.pump.behaviour = 'ok';
    await vi.advanceTimersByTimeAsync(4000);
    const after = h.transport.commands.filter((c) => c.at > Date.now() - 2000).map((c) => c.data);
    expect(after.filter((d) => d === '0RAT').length).toBeGreaterThanOrEqual(3);
  });

  it('garbled replies are counted as rejected, are not data, and make the driver stop feeding the watchdog', async () => {
    const h = setup({ behaviour: 'corrupt', saf: '10' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.lastStatus()).toMatchObject({ data: 'silent', counters: { messages: 0 } });
    expect(h.lastStatus().counters.rejected).toBeGreaterThan(3);
    expect(h.observations).toEqual([]);
    const at = h.transport.commands.slice(2).map((c) => c.at);
    expect(Math.min(...gaps(at))).toBeGreaterThan(5000); // watchdog unknown: probes every communicationLostAfterMs
  });

  it('"?COM" replies (the pump got garbled packets) are failures, not data', async () => {
    const h = setup({ behaviour: 'com' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.lastStatus().data).toBe('silent');
    expect(h.transport.commands.slice(2).every((c) => c.data === '0')).toBe(true);
  });

  it('raises PUMP_WATCHDOG_STOPPED when the pump reports A?T, keeps it while the pump is stopped, ends it when the pump runs again', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.active('PUMP_WATCHDOG_STOPPED')).toBe(false);
    h.pump.status = 'A?T';
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.conditions.find((c) => c.code === 'PUMP_WATCHDOG_STOPPED')).toMatchObject({
      active: true, kind: 'technical', bedId: 'bed-2', deviceId: 'pump-ne', label: expect.stringMatching(/watchdog/),
    });
    expect(h.pump.status).toBe('S'); // the fake pump was acknowledged by the poll and now reports "stopped"
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.active('PUMP_WATCHDOG_STOPPED')).toBe(true);
    expect(h.lastState()).toMatchObject({ run: 'stopped', activeConditions: ['PUMP_WATCHDOG_STOPPED'] });
    h.pump.status = 'I'; // a nurse restarted the pump at its keypad
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.active('PUMP_WATCHDOG_STOPPED')).toBe(false);
    expect(h.conditions.filter((c) => c.code === 'PUMP_WATCHDOG_STOPPED').map((c) => c.active)).toEqual([true, false]);
    const allowed = new Set(Object.keys(QUERY_PACKETS));
    expect(h.transport.commandData().every((d) => allowed.has(d))).toBe(true);
  });

  it('an automatic alarm packet raises its condition at once', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(100);
    h.transport.inject(encodeSafeFrame('00A?S'));
    expect(h.active('PUMP_STALLED')).toBe(true);
    expect(h.lastState().run).toBe('alarm');
  });

  it('an unknown status or alarm letter becomes a technical condition naming it', async () => {
    const h = setup({ status: 'Q' });
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.active('PUMP_STATUS_UNKNOWN_Q')).toBe(true);
    h.transport.inject(encodeSafeFrame('00A?Z'));
    expect(h.active('PUMP_ALARM_UNKNOWN_Z')).toBe(true);
  });

  it('replies from another address and partial packets older than 0.5 s are rejected and counted', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(100);
    const before = h.lastStatus().counters.rejected;
    h.transport.inject(encodeSafeFrame('03A?T'));
    expect(h.active('PUMP_WATCHDOG_STOPPED')).toBe(false);
    h.transport.inject(encodeSafeFrame('00A?T').subarray(0, 4));
    await vi.advanceTimersByTimeAsync(5000); // the inter-byte timer drops the half packet; the heartbeat publishes
    expect(h.lastStatus().counters.rejected).toBe(before + 2);
    expect(h.active('PUMP_WATCHDOG_STOPPED')).toBe(false);
  });

  it('re-reads VER, SAF and DIA after the link comes back', async () => {
    const h = setup();
    driver = h.driver;
    driver.start();
    await vi.advanceTimersByTimeAsync(1500);
    h.transport.drop('cable pulled');
    expect(h.lastState().fresh).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    const during = h.transport.commands.length;
    h.transport.restore();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.commandData().slice(during)).toEqual(['0VER', '0SAF', '0DIA', '0RAT', '0DIS']);
  });
});
