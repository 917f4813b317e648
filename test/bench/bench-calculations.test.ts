import { describe, expect, it } from 'vitest';
import { latenciesFromFrames, latestAtOrBefore, overlapsAny, percentile, summarizeNs } from '../../bench/latency-stats.js';
import { checkTargets, linearFit, type ScenarioResult } from '../../bench/bench-results.js';
import { parseBenchArgs, warmupMsFor } from '../../bench/bench-plan.js';

describe('latency statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('summarises nanoseconds in milliseconds, unsorted input', () => {
    const s = summarizeNs([3e6, 1e6, 2e6, 4e6]);
    expect(s).toEqual({ n: 4, p50Ms: 2, p90Ms: 4, p99Ms: 4, maxMs: 4, meanMs: 2.5 });
    expect(summarizeNs([]).p99Ms).toBeNull();
  });

  it('finds the latest frame at or before an event', () => {
    expect(latestAtOrBefore([10, 20, 30], 25)).toBe(20);
    expect(latestAtOrBefore([10, 20, 30], 30)).toBe(30);
    expect(latestAtOrBefore([10, 20, 30], 5)).toBeNull();
  });

  it('matches each edge to its bed and kind of frame, leaving out edges without one', () => {
    const frames: Record<string, number[]> = { '0:true': [100, 300], '0:false': [200], '1:true': [150] };
    const edges = { bedIndex: [0, 0, 1, 1], start: [true, false, true, false], atNs: [340, 260, 160, 170] };
    const result = latenciesFromFrames(edges, (bed, start) => frames[`${bed}:${start}`] ?? [], 1000);
    expect(result).toEqual({ latenciesNs: [40, 60, 10], unmatched: 1 });
    expect(latenciesFromFrames({ bedIndex: [0], start: [true], atNs: [2000] }, () => [100], 1000)).toEqual({ latenciesNs: [], unmatched: 1 });
  });

  it('tells whether a span overlaps a GC pause', () => {
    const pauses = [[10, 20], [50, 60]] as const;
    expect(overlapsAny(pauses, 0, 9)).toBe(false);
    expect(overlapsAny(pauses, 15, 30)).toBe(true);
    expect(overlapsAny(pauses, 21, 49)).toBe(false);
    expect(overlapsAny(pauses, 40, 55)).toBe(true);
  });

  it('fits a line to cost per bed', () => {
    const fit = linearFit([[0, 10], [100, 60], [500, 260]]);
    expect(fit.slopePerBed).toBeCloseTo(0.5);
    expect(fit.intercept).toBeCloseTo(10);
    expect(fit.r2).toBeCloseTo(1);
  });
});

describe('bench options', () => {
  it('builds scenarios from --sizes, both variants unless --no-waveforms', () => {
    const args = parseBenchArgs(['--sizes', '5,50', '--window-ms', '3000', '--no-pin'], '/tmp/r.json');
    expect(args.plan.scenarios).toEqual([
      { beds: 5, nonin: false, windowMs: 3000 },
      { beds: 50, nonin: false, windowMs: 3000 },
      { beds: 5, nonin: true, windowMs: 3000 },
      { beds: 50, nonin: true, windowMs: 3000 },
    ]);
    expect(args.pin).toBe(false);
    expect(parseBenchArgs(['--sizes', '5', '--no-waveforms'], '/tmp/r.json').plan.scenarios.every((s) => !s.nonin)).toBe(true);
  });

  it('warms each size up for a number of oximeter lines in all, within bounds; --warmup-ms fixes it', () => {
    const { plan } = parseBenchArgs([], '/tmp/r.json');
    expect([1, 10, 100, 500].map((beds) => warmupMsFor(plan, beds))).toEqual([30_000, 30_000, 30_000, 6000]);
    const fixed = parseBenchArgs(['--warmup-ms', '7000'], '/tmp/r.json').plan;
    expect([1, 500].map((beds) => warmupMsFor(fixed, beds))).toEqual([7000, 7000]);
  });

  it('takes other Node flags for the gateway process with --node-flags', () => {
    expect(parseBenchArgs([], '/tmp/r.json').nodeFlags).toBeUndefined();
    expect(parseBenchArgs(['--node-flags', '--max-semi-space-size=2  --optimize-for-size'], '/tmp/r.json').nodeFlags).toEqual(['--max-semi-space-size=2', '--optimize-for-size']);
  });

  it('refuses unknown options and bad sizes', () => {
    expect(() => parseBenchArgs(['--fast'], '/tmp/r.json')).toThrow(/unknown option --fast/);
    expect(() => parseBenchArgs(['--sizes', '0'], '/tmp/r.json')).toThrow(/positive integer/);
  });
});

/** The fields checkTargets reads; the rest of a measurement does not matter to it. */
function measured(beds: number, p99Ms: number, cpuPercentOfCore: number, rssMB: number, heapMB = beds / 4): ScenarioResult {
  return {
    scenario: { beds, nonin: false, windowMs: 1000 },
    latency: { gateway: { n: 100, p99Ms } },
    gateway: { cpuPercentOfCore, process: { memory: { rssBytes: rssMB * 2 ** 20, heapUsedBytes: heapMB * 2 ** 20 } } },
  } as unknown as ScenarioResult;
}

describe('target checks', () => {
  const engine = [{ beds: 50, runs: [], medianObservationsPerSecond: 1_200_000 }, { beds: 500, runs: [], medianObservationsPerSecond: 400_000 }];

  it('passes and misses each target from the measurements', () => {
    // RSS 100 -> 500 beds: +80 MB = 204.8 KB a bed (miss); CPU per added bed 0.05 then 0.05 (linear).
    const checks = checkTargets(engine, [measured(10, 3, 1.5, 100), measured(100, 0.9, 6, 120), measured(500, 6, 26, 200)]);
    expect(checks.map((c) => [c.id, c.pass])).toEqual([
      ['engine throughput, 50 beds', true],
      ['engine throughput, 500 beds', false],
      ['p99 latency, 100 beds', true],
      ['p99 latency, 500 beds', false],
      ['RSS per bed', false],
      ['cost linear in beds', true],
    ]);
  });

  it('calls a cost that grows faster than the beds not linear', () => {
    const cpuGrows = checkTargets(engine, [measured(10, 1, 1, 100), measured(100, 1, 2, 110), measured(500, 1, 20, 120)]);
    expect(cpuGrows.find((c) => c.id === 'RSS per bed')?.pass).toBe(true);
    expect(cpuGrows.find((c) => c.id === 'cost linear in beds')?.pass).toBe(false);
    // Heap per added bed: 10 -> 100: 10 MB / 90 beds; 100 -> 500: 100 MB / 400 beds (x2.25).
    const heapGrows = checkTargets(engine, [measured(10, 1, 1, 100, 10), measured(100, 1, 2, 110, 20), measured(500, 1, 6, 120, 120)]);
    expect(heapGrows.find((c) => c.id === 'cost linear in beds')?.pass).toBe(false);
  });

  it('marks targets of sizes not run as not measured', () => {
    const checks = checkTargets([], [measured(10, 1, 1, 100)]);
    expect(checks.every((c) => c.pass === null)).toBe(true);
  });
});
