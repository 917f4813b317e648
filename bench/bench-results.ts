/**
 * The results of a benchmark run (bench/results.json): raw measurements, the per-bed
 * costs derived from them against the no-bed baseline, and the targets with a
 * pass or miss each (null: not measured in this run).
 */
import type { BenchPlan } from './bench-plan.js';
import type { ProfileSummary } from './cpu-profile-summary.js';
import type { ThroughputResult } from './engine-throughput.js';
import type { ScenarioMeasurement } from './run-scenario.js';

export const RESULTS_VERSION = 1;

/** The targets. */
export const TARGETS = {
  engineObservationsPerSecond: 1_000_000,
  p99MsAt: [
    { beds: 100, p99Ms: 1 },
    { beds: 500, p99Ms: 5 },
  ],
  rssPerBedKB: 200,
  /** The cost per added bed over the last size step may be at most this multiple of that over the step before (sizes >= 10 beds). */
  linearityMaxRatio: 1.5,
} as const;

export interface EngineSeries {
  readonly beds: number;
  readonly runs: readonly ThroughputResult[];
  readonly medianObservationsPerSecond: number;
}

/** Cost of one bed: (scenario - baseline) / beds. */
export interface PerBedCost {
  readonly cpuPercentOfCore: number;
  readonly rssKB: number;
  readonly heapKB: number;
}

export interface ScenarioResult extends ScenarioMeasurement {
  readonly perBed: PerBedCost;
}

export interface TargetCheck {
  readonly id: string;
  readonly target: string;
  readonly measured: string;
  /** null: not measured in this run. */
  readonly pass: boolean | null;
}

/** Least-squares line cost = intercept + slope x beds over one variant's sizes. */
export interface LinearFit {
  readonly slopePerBed: number;
  readonly intercept: number;
  readonly r2: number;
}

export interface BenchResults {
  readonly version: typeof RESULTS_VERSION;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly platform: string; readonly loadAverageAtStart: readonly number[]; readonly loadAverageAtEnd: readonly number[] };
  /** Node flags of the gateway process (besides --expose-gc); absent when it ran in the bench process. */
  readonly gatewayNodeFlags?: readonly string[];
  readonly plan: BenchPlan;
  readonly engine: readonly EngineSeries[];
  readonly baseline: ScenarioMeasurement;
  readonly scenarios: readonly ScenarioResult[];
  readonly fits: { readonly variant: 'base' | 'waveform'; readonly cpuPercentOfCore: LinearFit; readonly rssKB: LinearFit }[];
  readonly targets: readonly TargetCheck[];
  /** Top functions of the gateway's CPU profile, when run with --profile. */
  readonly profile?: ProfileSummary;
}

const cpuOf = (m: ScenarioMeasurement) => m.gateway.cpuPercentOfCore;
const rssKBOf = (m: ScenarioMeasurement) => m.gateway.process.memory.rssBytes / 1024;
const heapKBOf = (m: ScenarioMeasurement) => m.gateway.process.memory.heapUsedBytes / 1024;

/** Cost per bed added from scenario `a` to the larger `b`. */
function marginal(a: ScenarioMeasurement, b: ScenarioMeasurement, cost: (m: ScenarioMeasurement) => number): number {
  return (cost(b) - cost(a)) / (b.scenario.beds - a.scenario.beds);
}

/** Per-bed costs of a scenario over the baseline. */
export function perBedCost(m: ScenarioMeasurement, baseline: ScenarioMeasurement): PerBedCost {
  const beds = m.scenario.beds;
  return {
    cpuPercentOfCore: (cpuOf(m) - cpuOf(baseline)) / beds,
    rssKB: (m.gateway.process.memory.rssBytes - baseline.gateway.process.memory.rssBytes) / beds / 1024,
    heapKB: (m.gateway.process.memory.heapUsedBytes - baseline.gateway.process.memory.heapUsedBytes) / beds / 1024,
  };
}

/** Least squares over (beds, cost) points, the baseline included as 0 beds. */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const ssTot = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const ssRes = points.reduce((s, [x, y]) => s + (y - (intercept + slope * x)) ** 2, 0);
  return { slopePerBed: slope, intercept, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

const fmt = (v: number, digits = 2) => v.toLocaleString('en-US', { maximumFractionDigits: digits });

/** Checks the targets against a run's results. */
export function checkTargets(engine: readonly EngineSeries[], scenarios: readonly ScenarioResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const e of engine) {
    checks.push({
      id: `engine throughput, ${e.beds} beds`,
      target: `>= ${fmt(TARGETS.engineObservationsPerSecond)} obs/s`,
      measured: `${fmt(e.medianObservationsPerSecond, 0)} obs/s (median of ${e.runs.length})`,
      pass: e.medianObservationsPerSecond >= TARGETS.engineObservationsPerSecond,
    });
  }
  if (engine.length === 0) checks.push({ id: 'engine throughput', target: `>= ${fmt(TARGETS.engineObservationsPerSecond)} obs/s`, measured: 'not run', pass: null });
  const base = scenarios.filter((s) => !s.scenario.nonin).sort((a, b) => a.scenario.beds - b.scenario.beds);
  for (const { beds, p99Ms } of TARGETS.p99MsAt) {
    const s = base.find((x) => x.scenario.beds === beds);
    const p99 = s?.latency.gateway.p99Ms ?? null;
    checks.push({
      id: `p99 latency, ${beds} beds`,
      target: `<= ${p99Ms} ms`,
      measured: p99 === null ? 'not run' : `${fmt(p99, 3)} ms (n=${s!.latency.gateway.n})`,
      pass: p99 === null ? null : p99 <= p99Ms,
    });
  }
  // Per-bed costs from differences between sizes: the process's fixed memory (V8 spaces,
  // malloc arenas) varies by several MB from one process to the next, which the baseline
  // would spread over the beds; a difference of two large sizes does not carry it.
  const sized = base.filter((s) => s.scenario.beds >= 10);
  const [first, prev, last] = sized.length >= 3 ? sized.slice(-3) : [undefined, ...sized.slice(-2)];
  const rss = prev && last ? marginal(prev, last, rssKBOf) : null;
  checks.push({
    id: 'RSS per bed',
    target: `<= ${TARGETS.rssPerBedKB} KB`,
    measured: rss === null ? 'not run (needs two sizes >= 10 beds)' : `${fmt(rss, 1)} KB (RSS difference ${prev!.scenario.beds} -> ${last!.scenario.beds} beds, per bed)`,
    pass: rss === null ? null : rss <= TARGETS.rssPerBedKB,
  });
  if (first && prev && last) {
    // Memory by the live JS heap after a full GC: RSS also carries the per-process noise above.
    const ratio = (cost: (m: ScenarioMeasurement) => number) => marginal(prev, last, cost) / marginal(first, prev, cost);
    const cpuRatio = ratio(cpuOf);
    const heapRatio = ratio(heapKBOf);
    const steps = `${first.scenario.beds} -> ${prev.scenario.beds} -> ${last.scenario.beds}`;
    checks.push({
      id: 'cost linear in beds',
      target: `CPU and live heap per added bed, last step <= ${TARGETS.linearityMaxRatio} x the step before (${steps})`,
      measured: `CPU x${fmt(cpuRatio)}, heap x${fmt(heapRatio)} (RSS x${fmt(ratio(rssKBOf))})`,
      pass: cpuRatio <= TARGETS.linearityMaxRatio && heapRatio <= TARGETS.linearityMaxRatio,
    });
  } else {
    checks.push({ id: 'cost linear in beds', target: `cost per added bed ratio <= ${TARGETS.linearityMaxRatio}`, measured: 'not run (needs three sizes >= 10 beds)', pass: null });
  }
  return checks;
}
