import { describe, expect, it } from 'vitest';
import { WaveformStore, WaveformTrace, WAVEFORM_STALE_AFTER_MS } from '../../src/station/web/waveform-buffer.js';
import { nextScale, sweepGeometry, windowSamples } from '../../src/station/web/trace-geometry.js';
import { waveformToDto } from '../../src/station/station-protocol.js';
import type { WaveformChunkDto } from '../../src/station/web/protocol-types.js';
import { T0, plethChunk } from './fixtures.js';

const chunk = (first: number, overrides: Partial<WaveformChunkDto> = {}, count = 25): WaveformChunkDto =>
  ({ ...waveformToDto(plethChunk(first, {}, count)), ...overrides });

function traceOf(...chunks: WaveformChunkDto[]): WaveformTrace {
  const [head, ...rest] = chunks;
  if (!head) throw new Error('no chunk');
  const trace = new WaveformTrace(head);
  trace.add(head);
  for (const c of rest) trace.add(c);
  return trace;
}

const SCALE = { lo: 0, hi: 255 };

describe('WaveformTrace (browser waveform buffer)', () => {
  it('holds samples by index; lost, invalid and never-received samples are null', () => {
    const trace = traceOf(chunk(0), chunk(50, { samples: [10, null, 12] }));
    expect(trace.sample(24)).toBe(chunk(0).samples[24]);
    expect(trace.sample(25)).toBeNull(); // lost: the index jumped from 25 to 50
    expect(trace.sample(50)).toBe(10);
    expect(trace.sample(51)).toBeNull(); // marked invalid by the device
    expect(trace.sample(53)).toBeNull(); // not received yet
    expect(trace.lastIndex).toBe(52);
  });

  it('forgets samples older than it keeps and starts over when the index goes back (driver restart)', () => {
    const trace = traceOf(chunk(0), chunk(75 * 20));
    expect(trace.sample(0)).toBeNull();
    trace.add(chunk(0, { samples: [77] }));
    expect(trace.lastIndex).toBe(0);
    expect(trace.firstIndex).toBe(0);
    expect(trace.sample(75 * 20)).toBeNull();
    expect(trace.sample(0)).toBe(77);
  });

  it('ignores malformed chunks', () => {
    const trace = traceOf(chunk(0));
    expect(trace.add(chunk(25, { sampleRateHz: 0 }))).toBe(false);
    expect(trace.add(chunk(25, { firstSampleIndex: 2.5 }))).toBe(false);
    expect(trace.add(chunk(25, { sampleRateHz: 1e9 }))).toBe(false);
    expect(trace.lastIndex).toBe(24);
    expect(new WaveformStore().apply(chunk(0, { sampleRateHz: Number.NaN }))).toBe(false);
  });

  it('is live until no chunk arrived for 2 s of server time', () => {
    const trace = traceOf(chunk(0, { receivedAt: T0 }));
    expect(trace.state(T0 + WAVEFORM_STALE_AFTER_MS)).toBe('live');
    expect(trace.state(T0 + WAVEFORM_STALE_AFTER_MS + 1)).toBe('stale');
  });

  it('plays samples out at the sample rate between chunks, one chunk behind, and stops when chunks stop', () => {
    const trace = traceOf(chunk(0), chunk(25), chunk(50));
    const start = trace.advance(1000);
    expect(start).toBeCloseTo(74 - trace.targetLagSamples(), 6);
    // 200 ms later: about 15 samples further, within the few % the head may speed up or slow down.
    const later = trace.advance(1200);
    expect(later - start).toBeGreaterThan(15 * 0.94);
    expect(later - start).toBeLessThan(15 * 1.06);
    // No more chunks: the head never passes the newest sample.
    expect(trace.advance(60_000)).toBe(74);
    expect(trace.advance(61_000)).toBe(74);
  });

  it('jumps ahead when data resumes far ahead of the head, instead of replaying the backlog', () => {
    const trace = traceOf(chunk(0));
    trace.advance(0);
    trace.advance(10_000);
    trace.add(chunk(75 * 10));
    const head = trace.advance(10_016);
    expect(head).toBeCloseTo(75 * 10 + 24 - trace.targetLagSamples(), 6);
  });

  it('the store reports a new trace once per bed, device and metric', () => {
    const store = new WaveformStore();
    expect(store.apply(chunk(0))).toBe(true);
    expect(store.apply(chunk(25))).toBe(false);
    expect(store.apply(chunk(0, { deviceId: 'ox-9' }))).toBe(true);
    expect(store.apply(chunk(0, { bedId: 'bed-1' }))).toBe(true);
    expect(store.tracesOfBed('bed-2').map((t) => t.deviceId)).toEqual(['ox-2', 'ox-9']);
  });
});

describe('sweep geometry', () => {
  const window = windowSamples(75);

  it('spans 5 s across the width and puts sample i at the same x every sweep', () => {
    expect(window).toBe(375);
    const trace = traceOf(...Array.from({ length: 40 }, (_, k) => chunk(k * 25)));
    const g = sweepGeometry(trace, 999, 374, 100, SCALE);
    // The visible window minus the erased band ahead of the write position.
    expect(g.samplesDrawn).toBe(window - Math.round(75 * 0.2));
    expect(g.gaps).toBe(0);
    expect(g.cursorX).toBe(1000 % window);
    // Wrapping at the right edge splits the line in two: the new sweep and the rest of the old one.
    expect(g.paths).toHaveLength(2);
    expect(g.paths[0]?.[0]).toBeGreaterThan(g.cursorX);
    expect(g.paths[1]?.[0]).toBe(0);
  });

  it('breaks the line at lost and at invalid samples and counts each run once', () => {
    const trace = traceOf(chunk(0, {}, 100), chunk(130, {}, 20), chunk(150, { samples: [1, null, null, 4] }), chunk(154, {}, 40));
    const g = sweepGeometry(trace, 193, 374, 100, SCALE);
    expect(g.gaps).toBe(2);
    expect(g.samplesDrawn).toBe(100 + 20 + 2 + 40);
    expect(g.paths).toHaveLength(3);
  });

  it('does not count the time before the first sample as a gap', () => {
    const trace = traceOf(chunk(500));
    const g = sweepGeometry(trace, 524, 374, 100, SCALE);
    expect(g.gaps).toBe(0);
    expect(g.samplesDrawn).toBe(25);
  });

  it('maps values to the scale: low at the bottom, high at the top, clamped', () => {
    const trace = traceOf(chunk(0, { samples: [0, 255, 400] }));
    const g = sweepGeometry(trace, 2, 375, 100, SCALE);
    const [path] = g.paths;
    expect(path?.[1]).toBe(100);
    expect(path?.[3]).toBe(0);
    expect(path?.[5]).toBe(0);
    expect(g.extent).toEqual({ min: 0, max: 400 });
  });

  it('draws nothing before the first sample', () => {
    const trace = traceOf(chunk(0));
    expect(sweepGeometry(trace, -1, 375, 100, SCALE).paths).toEqual([]);
  });
});

describe('trace auto-scale', () => {
  it('starts at the extent with a margin, expands at once and shrinks slowly', () => {
    const first = nextScale(null, { min: 100, max: 200 }, 10, 0);
    expect(first?.lo).toBeCloseTo(92);
    expect(first?.hi).toBeCloseTo(208);
    const expanded = nextScale(first, { min: 50, max: 200 }, 10, 16);
    expect(expanded?.lo).toBeCloseTo(38);
    const shrinking = nextScale({ lo: 0, hi: 300 }, { min: 100, max: 200 }, 10, 100);
    expect(shrinking?.lo).toBeCloseTo(9.2);
    expect(shrinking?.hi).toBeCloseTo(290.8);
  });

  it('never magnifies a flat signal beyond the minimum span', () => {
    const s = nextScale(null, { min: 128, max: 129 }, 20, 0);
    expect((s?.hi ?? 0) - (s?.lo ?? 0)).toBeCloseTo(20 * 1.16);
  });
});
