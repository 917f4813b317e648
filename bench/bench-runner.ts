/**
 * Runs a benchmark plan: the engine throughput series, the gateway baseline (no beds),
 * every gateway scenario, optionally a profiled re-run of the largest one, and derives
 * per-bed costs, linear fits and the target checks. A scenario that fails is reported
 * as a failure and the run goes on.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchPlan, GatewayScenario } from './bench-plan.js';
import { checkTargets, linearFit, perBedCost, RESULTS_VERSION, type BenchResults, type EngineSeries, type ScenarioResult } from './bench-results.js';
import { summarizeCpuProfileFile, type ProfileSummary } from './cpu-profile-summary.js';
import { measureEngineThroughput } from './engine-throughput.js';
import type { GatewayLauncher } from './gateway-host.js';
import { runScenario, type ScenarioMeasurement } from './run-scenario.js';

export interface RunBenchOptions {
  readonly plan: BenchPlan;
  readonly launch: GatewayLauncher;
  /** The bench alarm profile file (bench-profile.ts). */
  readonly profilePath: string;
  /** Where a CPU profile goes; set to profile the largest base scenario once more. */
  readonly cpuProfileDir?: string;
  /** Progress lines. Default: none. */
  readonly progress?: (line: string) => void;
  /** Node flags the launcher gives the gateway process, for the record. */
  readonly gatewayNodeFlags?: readonly string[];
}

/** Results plus the scenarios that could not be measured. */
export type BenchRunResults = BenchResults & { readonly failures: readonly { readonly scenario: GatewayScenario; readonly error: string }[] };

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const describe = (s: GatewayScenario) => `${s.beds} bed${s.beds === 1 ? '' : 's'}${s.nonin ? ' + waveform' : ''}`;

/** Runs `plan`. */
export async function runBench(options: RunBenchOptions): Promise<BenchRunResults> {
  const { plan, launch, profilePath } = options;
  const progress = options.progress ?? (() => undefined);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();

  const engine: EngineSeries[] = plan.engine.beds.map((beds) => {
    const runs = Array.from({ length: plan.engine.repeats }, () => measureEngineThroughput(plan.engine.observations, beds));
    const series = { beds, runs, medianObservationsPerSecond: Math.round(median(runs.map((r) => r.observationsPerSecond))) };
    progress(`engine, ${beds} beds: ${series.medianObservationsPerSecond.toLocaleString('en-US')} obs/s (median of ${runs.length})`);
    return series;
  });

  const baseline = await runScenario({ beds: 0, nonin: false, windowMs: plan.baselineWindowMs }, plan, launch, profilePath);
  progress(`baseline (0 beds): RSS ${(baseline.gateway.process.memory.rssBytes / 2 ** 20).toFixed(1)} MB, CPU ${baseline.gateway.cpuPercentOfCore.toFixed(2)} %`);

  const scenarios: ScenarioResult[] = [];
  const failures: { scenario: GatewayScenario; error: string }[] = [];
  for (const scenario of plan.scenarios) {
    try {
      const m = await runScenario(scenario, plan, launch, profilePath);
      scenarios.push({ ...m, perBed: perBedCost(m, baseline) });
      const g = m.latency.gateway;
      progress(`${describe(scenario)}: p50 ${g.p50Ms} ms, p99 ${g.p99Ms} ms, max ${g.maxMs} ms (n=${g.n}), CPU ${m.gateway.cpuPercentOfCore.toFixed(1)} %, RSS ${(m.gateway.process.memory.rssBytes / 2 ** 20).toFixed(1)} MB`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ scenario, error });
      progress(`${describe(scenario)}: FAILED: ${error}`);
    }
  }

  let profile: ProfileSummary | undefined;
  const largest = [...scenarios].filter((s) => !s.scenario.nonin).sort((a, b) => b.scenario.beds - a.scenario.beds)[0];
  if (options.cpuProfileDir && largest) {
    const file = join(options.cpuProfileDir, `gateway-${largest.scenario.beds}-beds.cpuprofile`);
    await runScenario(largest.scenario, plan, launch, profilePath, { cpuProfilePath: file });
    profile = summarizeCpuProfileFile(file);
    progress(`profiled ${describe(largest.scenario)} again: ${file} (open it in Chrome DevTools)`);
  }

  const fitOf = (nonin: boolean) => {
    const points = (f: (m: ScenarioMeasurement) => number) => [[0, f(baseline)] as const, ...scenarios.filter((s) => s.scenario.nonin === nonin).map((s) => [s.scenario.beds, f(s)] as const)];
    return {
      variant: nonin ? ('waveform' as const) : ('base' as const),
      cpuPercentOfCore: linearFit(points((m) => m.gateway.cpuPercentOfCore)),
      rssKB: linearFit(points((m) => m.gateway.process.memory.rssBytes / 1024)),
    };
  };
  const fits = [false, true].filter((nonin) => scenarios.filter((s) => s.scenario.nonin === nonin).length >= 2).map(fitOf);
  const cpu = cpus();
  return {
    version: RESULTS_VERSION,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, platform: process.platform, loadAverageAtStart, loadAverageAtEnd: loadavg() },
    ...(options.gatewayNodeFlags ? { gatewayNodeFlags: options.gatewayNodeFlags } : {}),
    plan,
    engine,
    baseline,
    scenarios,
    fits,
    targets: checkTargets(engine, scenarios),
    failures,
    ...(profile ? { profile } : {}),
  };
}
