import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STATUS_INTERVAL_MS, noninDriver } from '../../../drivers/nonin/nonin-driver.js';
import { MemoryTransport } from '../../../src/transport/memory-transport.js';
import { createNoninDriver, lastStatus } from './nonin-harness.js';
import { badFrame, packet, packetFrames, packets, type PacketSpec } from './nonin-fixtures.js';

const START = Date.UTC(2026, 4, 14, 13, 45, 0);

function setup(options: Record<string, unknown> = {}) {
  const transport = new MemoryTransport('memory://nonin', () => Date.now());
  const { driver, published } = createNoninDriver(transport, options);
  driver.start();
  return { transport, driver, published };
}

const edges = (list: { code: string; active: boolean }[]) => list.map((c) => `${c.active ? '+' : '-'}${c.code}`);
const values = (published: ReturnType<typeof setup>['published'], metric: string) =>
  published.observations.filter((o) => o.metric === metric).map((o) => [o.value, o.flags]);

/** The counters of the next periodic status (counters alone do not force a status out). */
function countersSoon(published: ReturnType<typeof setup>['published']) {
  vi.advanceTimersByTime(STATUS_INTERVAL_MS);
  return lastStatus(published).counters;
}

/** Sends one packet per 1/3 s (as the device does), `count` times. */
function stream(transport: MemoryTransport, count: number, spec: PacketSpec = {}, format: 2 | 7 = 7): void {
  for (let i = 0; i < count; i++) {
    transport.inject(packet(format, spec));
    vi.advanceTimersByTime(333);
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('noninDriver definition', () => {
  it('has the id, serial defaults and option defaults', () => {
    expect(noninDriver.id).toBe('nonin');
    expect(noninDriver.serialDefaults).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    const defaults = { format: 7, communicationLostAfterMs: 2000, setFormatOnConnect: false };
    expect(noninDriver.optionsSchema.parse({})).toEqual(defaults);
    expect(noninDriver.optionsSchema.parse(undefined)).toEqual(defaults);
    expect(noninDriver.optionsSchema.parse({ format: 2 })).toMatchObject({ format: 2 });
  });

  it.each([[{ format: 3 }], [{ format: '7' }], [{ communicationLostAfterMs: 499 }], [{ setFormatOnConnect: 'yes' }], [{ formatt: 7 }]])(
    'rejects options %j',
    (options) => {
      expect(noninDriver.optionsSchema.safeParse(options).success).toBe(false);
    },
  );
});

describe('NoninDriver on a MemoryTransport', () => {
  it('publishes SpO2 and pulse rate of a packet, with units, codes and receive time', () => {
    const { transport, published } = setup();
    vi.advanceTimersByTime(250);
    transport.inject(packet(7, { hr: 130, spo2: 94 }));
    const byMetric = Object.fromEntries(published.observations.map((o) => [o.metric, o]));
    expect(Object.keys(byMetric).sort()).toEqual(['pulse-rate', 'spo2']);
    expect(byMetric.spo2).toMatchObject({ bedId: 'bed-2', deviceId: 'oxi', value: 94, unit: '%', code: 150456, flags: [], deviceTime: null });
    expect(byMetric['pulse-rate']).toMatchObject({ value: 130, unit: '/min', code: 149530, flags: [] });
    expect(byMetric.spo2?.receivedAt).toBe(START + 250);
    expect(lastStatus(published)).toMatchObject({
      driver: 'nonin', link: 'open', data: 'receiving', lastDataAt: START + 250, counters: { messages: 25, rejected: 0 },
      identity: { model: 'Nonin (format #7, firmware revision 42)' },
    });
  });

  it('reads format #2 when configured', () => {
    const { transport, published } = setup({ format: 2 });
    transport.inject(packet(2, { hr: 61, spo2: 99 }));
    expect(values(published, 'spo2')).toEqual([[99, []]]);
    expect(values(published, 'pulse-rate')).toEqual([[61, []]]);
    expect(published.waveforms[0]?.range).toEqual({ min: 0, max: 255 });
  });

  it('publishes an unchanged value once per second, a changed one at once', () => {
    const { transport, published } = setup();
    stream(transport, 3, { spo2: 97 });
    expect(values(published, 'spo2')).toEqual([[97, []]]);
    stream(transport, 1, { spo2: 97 }); // 999 ms after the first
    expect(values(published, 'spo2')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    stream(transport, 1, { spo2: 97 });
    expect(values(published, 'spo2')).toHaveLength(2);
    stream(transport, 1, { spo2: 96 });
    expect(values(published, 'spo2')).toEqual([
      [97, []],
      [97, []],
      [96, []],
    ]);
  });

  it('publishes one pleth chunk per packet: 25 samples at 75 Hz, consecutive sample indexes', () => {
    const { transport, published } = setup();
    stream(transport, 3, { pleth: (n) => 1000 + n });
    expect(published.waveforms.map((w) => [w.firstSampleIndex, w.samples.length])).toEqual([
      [0, 25],
      [25, 25],
      [50, 25],
    ]);
    expect(published.waveforms[0]).toMatchObject({
      bedId: 'bed-2', deviceId: 'oxi', metric: 'pleth', code: 150452, sampleRateHz: 75, range: { min: 0, max: 65_535 }, receivedAt: START,
    });
    expect(published.waveforms[0]?.samples.slice(0, 3)).toEqual([1001, 1002, 1003]);
  });

  it('counts garbled bytes as rejected frames, shows the lost samples as a gap, and never throws', () => {
    const { transport, published } = setup();
    transport.inject(packet(7));
    transport.inject(Buffer.alloc(20, 0x00)); // 4 frames of noise
    transport.inject(packets(7, 2));
    expect(published.waveforms.map((w) => [w.firstSampleIndex, w.samples.length])).toEqual([
      [0, 25],
      [29, 25],
      [54, 25],
    ]);
    expect(countersSoon(published)).toEqual({ messages: 75, rejected: 4 });
  });

  it('keeps a garbled frame as a null sample and still decodes the packet', () => {
    const { transport, published } = setup();
    const frames = packetFrames(7, { spo2: 92 });
    frames[7] = badFrame(7, 0x80, 80, 0);
    transport.inject(Buffer.concat([packet(7, { spo2: 93 }), ...frames]));
    expect(published.waveforms[1]?.samples[7]).toBeNull();
    expect(published.waveforms[1]?.firstSampleIndex).toBe(25);
    expect(values(published, 'spo2')).toEqual([
      [93, []],
      [92, []],
    ]);
    expect(countersSoon(published)).toEqual({ messages: 49, rejected: 1 });
  });

  it('sensor disconnect: a technical condition, values unavailable, pleth samples null; ends 2 s after', () => {
    const { transport, published } = setup();
    stream(transport, 1);
    stream(transport, 2, { hr: 511, spo2: 127, status: () => 0x40, pleth: () => 0 });
    expect(edges(published.conditions)).toEqual(['+SENSOR_DISCONNECT']);
    expect(published.conditions[0]).toMatchObject({ bedId: 'bed-2', deviceId: 'oxi', kind: 'technical', at: START + 333 });
    expect(values(published, 'spo2')).toEqual([
      [97, []],
      [null, ['unavailable']],
    ]);
    expect(values(published, 'pulse-rate').at(-1)).toEqual([null, ['unavailable']]);
    expect(published.waveforms[1]?.samples.every((s) => s === null)).toBe(true);
    stream(transport, 5);
    expect(edges(published.conditions)).toEqual(['+SENSOR_DISCONNECT']);
    stream(transport, 1); // the 150th clean frame
    expect(edges(published.conditions)).toEqual(['+SENSOR_DISCONNECT', '-SENSOR_DISCONNECT']);
  });

  it('artifact and out-of-track make the values questionable', () => {
    const { transport, published } = setup();
    stream(transport, 1, { spo2: 95, status: (n) => (n === 12 ? 0x20 : 0) });
    stream(transport, 1, { spo2: 94, status: (n) => (n === 3 ? 0x10 : 0) });
    expect(edges(published.conditions)).toEqual(['+ARTIFACT', '+OUT_OF_TRACK']);
    expect(values(published, 'spo2')).toEqual([
      [95, ['questionable']],
      [94, ['questionable']],
    ]);
  });

  it('goes silent after communicationLostAfterMs without a valid frame, ends the conditions, and recovers', () => {
    const { transport, published } = setup({ communicationLostAfterMs: 1000 });
    stream(transport, 1, { status: () => 0x08 });
    expect(edges(published.conditions)).toEqual(['+SENSOR_ALARM']);
    transport.inject(Buffer.alloc(300, 0x11)); // garbage is no sign of life
    vi.advanceTimersByTime(1000 - 333 - 1);
    expect(lastStatus(published).data).toBe('receiving');
    vi.advanceTimersByTime(1);
    expect(lastStatus(published)).toMatchObject({ data: 'silent', since: START + 1000, lastDataAt: START });
    expect(published.order.slice(-2)).toEqual(['status:silent', 'condition:-SENSOR_ALARM']);
    stream(transport, 2);
    expect(lastStatus(published)).toMatchObject({ data: 'receiving' });
  });

  it('a device that never speaks goes silent too', () => {
    const { published } = setup();
    vi.advanceTimersByTime(2000);
    expect(lastStatus(published)).toMatchObject({ link: 'open', data: 'silent', lastDataAt: null });
  });

  it('never writes to the oximeter by default, even across reconnects', () => {
    const { transport } = setup();
    stream(transport, 2);
    transport.drop();
    transport.restore();
    stream(transport, 2);
    expect(transport.written).toEqual([]);
  });

  it('with setFormatOnConnect, sends "set data format" on each connection; the ACK is not garbage', () => {
    const { transport, published } = setup({ setFormatOnConnect: true });
    expect(transport.written).toEqual([Buffer.from([0x02, 0x70, 0x02, 0x02, 0x07, 0x03])]);
    transport.inject(Buffer.concat([Buffer.from([0x06]), packet(7)]));
    expect(lastStatus(published).counters).toEqual({ messages: 25, rejected: 0 });
    transport.drop();
    transport.restore();
    expect(transport.written).toHaveLength(2);
    // A NAK is not garbage either; the frames that follow are still read.
    transport.inject(Buffer.concat([Buffer.from([0x15]), packet(7)]));
    expect(countersSoon(published)).toEqual({ messages: 50, rejected: 0 });
  });

  it('sends the format #2 command when configured for format #2', () => {
    const { transport } = setup({ format: 2, setFormatOnConnect: true });
    expect(transport.written).toEqual([Buffer.from([0x02, 0x70, 0x02, 0x02, 0x02, 0x03])]);
  });

  it('a stray 0x06 without a command sent is garbage', () => {
    const { transport, published } = setup();
    transport.inject(Buffer.concat([Buffer.from([0x06]), packet(7)]));
    expect(countersSoon(published)).toEqual({ messages: 25, rejected: 1 });
  });

  it('does not glue bytes from before a link drop to bytes after it', () => {
    const { transport, published } = setup();
    const two = packets(7, 2);
    transport.inject(two.subarray(0, 127)); // packet 1 and 2 bytes of frame 1 of packet 2
    transport.drop();
    expect(lastStatus(published).link).toBe('connecting');
    transport.restore();
    transport.inject(two.subarray(127)); // the rest of that frame, then frames 2-25
    // The 3 orphan bytes are discarded; frames 2-25 are read but not numbered (no sync frame):
    // their samples wait for a sync frame, and go out when the device falls silent.
    expect(published.waveforms.map((w) => w.samples.length)).toEqual([25]);
    expect(countersSoon(published)).toEqual({ messages: 49, rejected: 1 });
    expect(published.waveforms.map((w) => [w.firstSampleIndex, w.samples.length])).toEqual([
      [0, 25],
      [26, 24],
    ]);
    expect(values(published, 'spo2')).toHaveLength(1);
  });

  it('stop() ends the active conditions and is idempotent', async () => {
    const { transport, driver, published } = setup();
    stream(transport, 1, { status: () => 0x40 });
    await driver.stop();
    await driver.stop();
    expect(edges(published.conditions)).toEqual(['+SENSOR_DISCONNECT', '-SENSOR_DISCONNECT']);
    expect(transport.state).toBe('closed');
  });

  it('never throws on random bytes in random chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), fc.constantFrom(2, 7), (chunks, format) => {
        const { transport, driver } = setup({ format });
        for (const c of chunks) expect(() => transport.inject(c)).not.toThrow();
        void driver.stop();
      }),
      { numRuns: 100 },
    );
  });
});
