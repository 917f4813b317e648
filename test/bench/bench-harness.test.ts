import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchPlan } from '../../bench/bench-plan.js';
import { writeBenchProfile } from '../../bench/bench-profile.js';
import { runBench, type BenchRunResults } from '../../bench/bench-runner.js';
import { inProcessGateway } from '../../bench/gateway-host.js';
import { formatResults } from '../../bench/results-table.js';
import type { LatencySummary } from '../../bench/latency-stats.js';

// A tiny plan: two beds and one bed with a Nonin, lines every 200 ms, windows of a second
// or so. Only the shape of the results is checked, never a duration or a rate.
const tinyPlan: BenchPlan = {
  engine: { observations: 20_000, beds: [3], repeats: 2 },
  baselineWindowMs: 300,
  warmup: { minMs: 400, maxMs: 400, lines: 0 },
  drainMs: 400,
  scenarios: [
    { beds: 2, nonin: false, windowMs: 1500 },
    { beds: 1, nonin: true, windowMs: 1000 },
  ],
  oximeterIntervalMs: 200,
  pumpPollMs: 500,
  logLevel: 'silent',
  connectTimeoutMs: 10_000,
};

function expectWellFormed(s: LatencySummary): void {
  expect(s.n).toBeGreaterThan(0);
  for (const v of [s.p50Ms, s.p90Ms, s.p99Ms, s.maxMs, s.meanMs]) {
    expect(v).not.toBeNull();
    expect(Number.isFinite(v)).toBe(true);
    expect(v!).toBeGreaterThanOrEqual(0);
  }
  expect(s.p50Ms!).toBeLessThanOrEqual(s.p90Ms!);
  expect(s.p90Ms!).toBeLessThanOrEqual(s.p99Ms!);
  expect(s.p99Ms!).toBeLessThanOrEqual(s.maxMs!);
}

describe('benchmark harness (tiny configuration, gateway in this process)', () => {
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let results: BenchRunResults;

  it('runs every step end to end and measures an alarm edge for the lines it sent', async () => {
    results = await runBench({ plan: tinyPlan, launch: inProcessGateway, profilePath: writeBenchProfile(work) });
    expect(results.failures).toEqual([]);
    expect(results.engine).toHaveLength(1);
    expect(results.engine[0]!.runs).toHaveLength(2);
    expect(results.engine[0]!.runs[0]!.observations).toBe(20_000);
    expect(results.engine[0]!.runs[0]!.dropped).toBe(0);
    expect(results.baseline.scenario.beds).toBe(0);
    expect(results.baseline.devices).toBe(0);
    expect(results.scenarios.map((s) => [s.scenario.beds, s.scenario.nonin, s.devices])).toEqual([
      [2, false, 4],
      [1, true, 3],
    ]);
    for (const s of results.scenarios) {
      expect(s.emulators.oximeterLines).toBeGreaterThan(0);
      expect(s.client.alarmEdges).toBeGreaterThan(0);
      expectWellFormed(s.latency.gateway);
      expectWellFormed(s.latency.endToEnd);
      const calm = s.latency.gatewayUndisturbed;
      expect(calm.n + calm.gcHits + calm.offCpu).toBeGreaterThanOrEqual(s.latency.gateway.n);
      expect(calm.n).toBeLessThanOrEqual(s.latency.gateway.n);
      // Queued is a point inside each edge's gateway interval: the part is never longer than the whole.
      const toQueue = s.latency.gatewayToQueue;
      expectWellFormed(toQueue);
      expect(toQueue.n).toBe(s.latency.gateway.n);
      expect(toQueue.maxMs!).toBeLessThanOrEqual(s.latency.gateway.maxMs!);
      expect(toQueue.p50Ms!).toBeLessThanOrEqual(s.latency.gateway.p50Ms!);
      expect(s.gateway.observations).toBeGreaterThan(0);
      expect(s.gateway.process.memory.rssBytes).toBeGreaterThan(0);
      expect(Number.isFinite(s.perBed.cpuPercentOfCore) && Number.isFinite(s.perBed.rssKB)).toBe(true);
    }
    expect(results.scenarios[1]!.gateway.waveformChunks).toBeGreaterThan(0);
    expect(results.scenarios[1]!.emulators.noninPackets).toBeGreaterThan(0);
  }, 60_000);

  it('checks every target, marking those of sizes it did not run as not measured', () => {
    expect(results.targets.map((t) => [t.id, t.pass === null])).toEqual([
      ['engine throughput, 3 beds', false],
      ['p99 latency, 100 beds', true],
      ['p99 latency, 500 beds', true],
      ['RSS per bed', true],
      ['cost linear in beds', true],
    ]);
  });

  it('produces results that survive JSON and a report that names each part', () => {
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    const text = formatResults(results);
    for (const heading of ['Alarm engine throughput', 'Gateway latency', 'Gateway cost', 'Targets']) expect(text).toContain(heading);
    expect(text).toContain('+waveform');
    expect(text).toContain('n/a');
  });
});
