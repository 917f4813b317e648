import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { Clock } from '../../src/core/clock.js';
import { NoninSimulator, NONIN_BURST_INTERVAL_MS } from '../../simulators/nonin/nonin-simulator.js';
import { FormatCommandReceiver } from '../../simulators/nonin/format-command-receiver.js';
import { beatShape } from '../../simulators/nonin/pleth-model.js';
import type { DeviceReceiver } from '../../simulators/serve/device-output.js';
import { FixedVitals, RecordingOutput } from './helpers.js';

/**
 * Reads the simulator's bytes with a reference reading of device-protocols.md written
 * here, independent of both the simulator and the driver: frames of 5 bytes, CHK = sum of
 * the first four mod 256, 25-frame packets with the sync bit on frame 1.
 */
interface RefFrame {
  status: number;
  pleth: number;
  data: number;
  checksumOk: boolean;
}

function readFrames(bytes: Buffer, format: 2 | 7): RefFrame[] {
  const out: RefFrame[] = [];
  for (let i = 0; i + 5 <= bytes.length; i += 5) {
    const b = [...bytes.subarray(i, i + 5)] as [number, number, number, number, number];
    const checksumOk = ((b[0] + b[1] + b[2] + b[3]) & 0xff) === b[4];
    if (format === 2) {
      expect(b[0]).toBe(0x01);
      out.push({ status: b[1], pleth: b[2], data: b[3], checksumOk });
    } else out.push({ status: b[0], pleth: (b[1] << 8) | b[2], data: b[3], checksumOk });
  }
  return out;
}

/** An output that also keeps the receiver the device sets (what the host's bytes go to). */
class ReceivingOutput extends RecordingOutput {
  receiver: DeviceReceiver | null = null;
  override setReceiver(receiver?: DeviceReceiver | null): void {
    this.receiver = receiver ?? null;
  }
}

const clock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

function setup(format: 2 | 7 = 7, vitals = new FixedVitals({ spo2: 96.4, pulseRate: 71.6, perfusionIndex: 3.5 })) {
  const sim = new NoninSimulator({ format, patient: vitals, clock, logger: silentLogger(), seed: 7 });
  const out = new RecordingOutput();
  sim.attach(out);
  sim.start();
  return { sim, out, vitals };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('NoninSimulator', () => {
  it.each([2, 7] as const)('writes format #%i frames at 75 frames/s in bursts, packets of 25 starting with the sync frame', (format) => {
    const { sim, out } = setup(format);
    vi.advanceTimersByTime(10_000);
    sim.stop();
    const bytes = Buffer.concat(out.chunks);
    const bursts = Math.floor(10_000 / NONIN_BURST_INTERVAL_MS);
    expect(out.chunks.length).toBe(bursts);
    // Every frame due by the last burst, at 75 per second of elapsed time.
    expect(bytes.length).toBe(Math.floor((bursts * NONIN_BURST_INTERVAL_MS * 75) / 1000) * 5);
    const frames = readFrames(bytes, format);
    expect(frames.every((f) => f.checksumOk && (f.status & 0x80) !== 0)).toBe(true);
    frames.forEach((f, i) => expect((f.status & 0x01) !== 0).toBe(i % 25 === 0));
  });

  it('puts HR and SpO2 in the DATA bytes by frame number', () => {
    const { sim, out } = setup(7, new FixedVitals({ spo2: 96.4, pulseRate: 200.2, perfusionIndex: 3.5 }));
    vi.advanceTimersByTime(1000);
    sim.stop();
    const data = readFrames(Buffer.concat(out.chunks), 7).slice(0, 25).map((f) => f.data);
    const hr = (msb: number, lsb: number) => ((msb & 0x03) << 7) | (lsb & 0x7f);
    expect(hr(data[0]!, data[1]!)).toBe(200);
    expect(hr(data[13]!, data[14]!)).toBe(200);
    expect([data[2], data[8], data[9], data[10]]).toEqual([96, 96, 96, 96]);
    expect(data[3]).toBe(0x2a);
  });

  it('draws a pleth with one systolic peak per beat at the patient pulse rate', () => {
    const { sim, out } = setup(7, new FixedVitals({ spo2: 97, pulseRate: 90, perfusionIndex: 4 }));
    vi.advanceTimersByTime(20_000);
    sim.stop();
    const pleth = readFrames(Buffer.concat(out.chunks), 7).map((f) => f.pleth);
    const max = Math.max(...pleth);
    const min = Math.min(...pleth);
    // Peaks: samples above 80 % of the swing that start a run (rising through the threshold).
    const threshold = min + 0.8 * (max - min);
    let peaks = 0;
    for (let i = 1; i < pleth.length; i++) if (pleth[i]! >= threshold && pleth[i - 1]! < threshold) peaks++;
    expect(peaks).toBeGreaterThanOrEqual(29);
    expect(peaks).toBeLessThanOrEqual(31);
    expect(max).toBeLessThanOrEqual(65_535);
    // Two Gaussians: the diastolic wave is a second, smaller hump after the peak.
    expect(beatShape(0.5)).toBeGreaterThan(beatShape(0.38));
    expect(beatShape(0.5)).toBeLessThan(beatShape(0.2));
  });

  it('marks the perfusion quality on the frames of a pulse, red when perfusion is very low', () => {
    const vitals = new FixedVitals({ spo2: 97, pulseRate: 60, perfusionIndex: 3 });
    const { sim, out } = setup(7, vitals);
    vi.advanceTimersByTime(3000);
    vitals.vitals = { spo2: 97, pulseRate: 60, perfusionIndex: 0.3 };
    vi.advanceTimersByTime(3000);
    sim.stop();
    const frames = readFrames(Buffer.concat(out.chunks), 7);
    const bits = (list: RefFrame[]) => new Set(list.map((f) => f.status & 0x06));
    expect(bits(frames.slice(0, 225))).toEqual(new Set([0x00, 0x06]));
    expect(bits(frames.slice(250))).toEqual(new Set([0x00, 0x02]));
  });

  it('sensor-off: SNSD bit, HR 511 and SpO2 127, a flat pleth; resume ends it', () => {
    const { sim, out } = setup();
    sim.handle({ type: 'sensor-off', seconds: 2 });
    expect(sim.mode()).toEqual({ mode: 'sensor-off', secondsLeft: 2 });
    vi.advanceTimersByTime(1000);
    const frames = readFrames(Buffer.concat(out.chunks), 7).slice(0, 25);
    expect(frames.every((f) => (f.status & 0x40) !== 0 && f.pleth === 0)).toBe(true);
    expect(((frames[0]!.data & 3) << 7) | frames[1]!.data).toBe(511);
    expect(frames[2]!.data).toBe(127);
    vi.advanceTimersByTime(1000);
    expect(sim.mode().mode).toBe('streaming');
    sim.stop();
  });

  it('artifact sets the ARTF bit until resume', () => {
    const { sim, out } = setup();
    sim.handle({ type: 'artifact' });
    vi.advanceTimersByTime(1000);
    sim.handle({ type: 'resume' });
    out.chunks.length = 0;
    vi.advanceTimersByTime(1000);
    sim.stop();
    expect(readFrames(Buffer.concat(out.chunks), 7).some((f) => (f.status & 0x20) !== 0)).toBe(false);
    expect(sim.mode().mode).toBe('streaming');
  });

  it('bad-checksum corrupts exactly that many frames, one in every 10', () => {
    const { sim, out } = setup();
    sim.handle({ type: 'bad-checksum', frames: 4 });
    vi.advanceTimersByTime(2000);
    sim.stop();
    const frames = readFrames(Buffer.concat(out.chunks), 7);
    const bad = frames.flatMap((f, i) => (f.checksumOk ? [] : [i]));
    expect(bad).toEqual([0, 10, 20, 30]);
  });

  it('garbage writes random bytes between frames; silence writes nothing; disconnect drops the link', () => {
    const { sim, out } = setup();
    vi.advanceTimersByTime(1000);
    const before = Buffer.concat(out.chunks).length;
    sim.handle({ type: 'garbage', bytes: 13 });
    expect(Buffer.concat(out.chunks).length).toBe(before + 13);
    sim.handle({ type: 'silence', seconds: 1 });
    vi.advanceTimersByTime(900);
    expect(Buffer.concat(out.chunks).length).toBe(before + 13);
    sim.handle({ type: 'disconnect' });
    expect(out.connected).toBe(false);
    sim.handle({ type: 'resume' });
    expect(out.connected).toBe(true);
    vi.advanceTimersByTime(1000);
    sim.stop();
    // Time went on while silent: frames resume at the device's own pace, no backlog.
    expect(Buffer.concat(out.chunks).length).toBeLessThanOrEqual(before + 13 + 80 * 5);
  });
});

describe('FormatCommandReceiver ("set data format")', () => {
  const run = (bytes: number[]) => {
    const formats: number[] = [];
    const replies: number[] = [];
    const receiver = new FormatCommandReceiver((f) => formats.push(f));
    receiver.receive(Buffer.from(bytes), (b) => replies.push(...b));
    return { formats, replies };
  };

  it('acknowledges formats 2 and 7, even after noise and split anyhow', () => {
    expect(run([0x02, 0x70, 0x02, 0x02, 0x02, 0x03])).toEqual({ formats: [2], replies: [0x06] });
    expect(run([0xff, 0x00, 0x02, 0x70, 0x02, 0x02, 0x07, 0x03])).toEqual({ formats: [7], replies: [0x06] });
    const formats: number[] = [];
    const replies: number[] = [];
    const receiver = new FormatCommandReceiver((f) => formats.push(f));
    for (const b of [0x02, 0x70, 0x02, 0x02, 0x07, 0x03]) receiver.receive(Buffer.from([b]), (r) => replies.push(...r));
    expect({ formats, replies }).toEqual({ formats: [7], replies: [0x06] });
  });

  it('refuses another format, another opcode or a missing ETX with NAK', () => {
    expect(run([0x02, 0x70, 0x02, 0x02, 0x08, 0x03])).toEqual({ formats: [], replies: [0x15] });
    expect(run([0x02, 0x72, 0x02, 0x02, 0x07, 0x03])).toEqual({ formats: [], replies: [0x15] });
    expect(run([0x02, 0x70, 0x02, 0x02, 0x07, 0x04])).toEqual({ formats: [], replies: [0x15] });
  });

  it('the simulator switches format at the next packet after an ACK', () => {
    const sim = new NoninSimulator({ format: 2, patient: new FixedVitals(), clock, logger: silentLogger(), seed: 7 });
    const out = new ReceivingOutput();
    sim.attach(out);
    sim.start();
    vi.advanceTimersByTime(400); // one burst: 24 frames of format #2
    const replies: number[] = [];
    const receiver = out.receiver;
    if (receiver === null) throw new Error('the simulator set no receiver');
    receiver.receive(Buffer.from([0x02, 0x70, 0x02, 0x02, 0x07, 0x03]), (b) => replies.push(...b));
    expect(replies).toEqual([0x06]);
    expect(sim.outputFormat).toBe(2);
    vi.advanceTimersByTime(800);
    sim.stop();
    expect(sim.outputFormat).toBe(7);
    const bytes = Buffer.concat(out.chunks);
    expect(readFrames(bytes.subarray(0, 125), 2)).toHaveLength(25);
    const after = readFrames(bytes.subarray(125), 7);
    expect(after.every((f) => f.checksumOk)).toBe(true);
    expect(after[0]!.status & 0x01).toBe(1);
  });
});
