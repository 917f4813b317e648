/**
 * What one benchmark run does: the engine throughput runs, the gateway baseline (no
 * beds) and the gateway scenarios (beds, waveform variant or not, measurement window).
 * The default plan takes about six minutes on two cores; `--quick` is a short
 * sanity run; single values can be overridden on the command line.
 */
import type { LogLevel } from '../src/core/logger.js';

/** One gateway measurement: `beds` simulated beds, with or without a Nonin waveform stream each. */
export interface GatewayScenario {
  readonly beds: number;
  readonly nonin: boolean;
  readonly windowMs: number;
}

export interface BenchPlan {
  readonly engine: {
    /** Observations per run. */
    readonly observations: number;
    /** One series of runs per bed count. */
    readonly beds: readonly number[];
    /** Runs per bed count; the median is reported. */
    readonly repeats: number;
  };
  readonly baselineWindowMs: number;
  /**
   * After every transport is open, before measuring: long enough for `lines` oximeter
   * lines in all (V8 optimises the per-line path after a few thousand; until then p99 at
   * 100 beds is 3-4 times its warm value, docs/benchmark.md), within [minMs, maxMs].
   */
  readonly warmup: { readonly minMs: number; readonly maxMs: number; readonly lines: number };
  /** After recording ends, before the gateway's window closes: lets the last frames' edges arrive. */
  readonly drainMs: number;
  readonly scenarios: readonly GatewayScenario[];
  /** Oximeter line period (the device: 1000 ms). */
  readonly oximeterIntervalMs: number;
  /** Asena poll cycle (the workload: a pump status every 2000 ms). */
  readonly pumpPollMs: number;
  /** The gateway's log level (the daemon's default: info). */
  readonly logLevel: LogLevel;
  /** Give up when the transports are not all open after this long. */
  readonly connectTimeoutMs: number;
}

const base = (beds: number, windowMs: number): GatewayScenario => ({ beds, nonin: false, windowMs });
const wave = (beds: number, windowMs: number): GatewayScenario => ({ beds, nonin: true, windowMs });

/** The full run of `npm run bench`. */
export function defaultPlan(): BenchPlan {
  return {
    engine: { observations: 1_000_000, beds: [50, 500], repeats: 3 },
    baselineWindowMs: 5000,
    warmup: { minMs: 5000, maxMs: 30_000, lines: 3000 },
    drainMs: 500,
    scenarios: [base(1, 30_000), base(10, 20_000), base(100, 20_000), base(500, 15_000), wave(1, 10_000), wave(10, 10_000), wave(100, 10_000), wave(500, 10_000)],
    oximeterIntervalMs: 1000,
    pumpPollMs: 2000,
    logLevel: 'info',
    connectTimeoutMs: 30_000,
  };
}

/** A short run (about 30 s): the same steps, fewer beds, short windows. Figures are indicative only. */
export function quickPlan(): BenchPlan {
  return {
    ...defaultPlan(),
    engine: { observations: 500_000, beds: [50], repeats: 1 },
    baselineWindowMs: 2000,
    warmup: { minMs: 2000, maxMs: 2000, lines: 0 },
    scenarios: [base(1, 5000), base(10, 5000), base(100, 5000), wave(10, 5000)],
  };
}

/** The warm-up of a scenario with `beds` beds. */
export function warmupMsFor(plan: BenchPlan, beds: number): number {
  const { minMs, maxMs, lines } = plan.warmup;
  const forLines = beds > 0 ? (lines / beds) * plan.oximeterIntervalMs : maxMs;
  return Math.round(Math.min(maxMs, Math.max(minMs, forLines)));
}

/** Command-line options of the bench runner. */
export interface BenchArgs {
  readonly plan: BenchPlan;
  /** Where results.json goes. */
  readonly out: string;
  /** Also write and summarise a CPU profile of the gateway process at the largest size. */
  readonly profile: boolean;
  /** Pin the gateway to the last CPU and the bench process to the others (Linux, >= 2 CPUs). */
  readonly pin: boolean;
  /** Node flags for the gateway process instead of the daemon's own (`--node-flags "..."`, e.g. to try --optimize-for-size). */
  readonly nodeFlags?: readonly string[];
}

/**
 * Parses `--quick`, `--sizes 1,10,100`, `--no-waveforms`, `--window-ms N`, `--no-pin`, `--profile`, `--out FILE`.
 * @throws Error on an unknown option or a bad value.
 */
export function parseBenchArgs(argv: readonly string[], defaultOut: string): BenchArgs {
  let plan = defaultPlan();
  let out = defaultOut;
  let profile = false;
  let pin = true;
  let sizes: number[] | null = null;
  let waveforms = true;
  let windowMs: number | null = null;
  let warmupMs: number | null = null;
  let nodeFlags: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') plan = quickPlan();
    else if (arg === '--profile') profile = true;
    else if (arg === '--no-waveforms') waveforms = false;
    else if (arg === '--no-pin') pin = false;
    else if (arg === '--out') out = value();
    else if (arg === '--sizes') sizes = value().split(',').map((s) => positiveInt(s, arg));
    else if (arg === '--window-ms') windowMs = positiveInt(value(), arg);
    else if (arg === '--warmup-ms') warmupMs = positiveInt(value(), arg);
    else if (arg === '--node-flags') nodeFlags = value().split(/\s+/).filter((f) => f !== '');
    else throw new Error(`unknown option ${arg} (known: --quick, --sizes 1,10,100,500, --no-waveforms, --window-ms N, --warmup-ms N, --node-flags "...", --no-pin, --profile, --out FILE)`);
  }
  let scenarios = plan.scenarios;
  if (sizes) {
    const wanted = sizes;
    const windowFor = (beds: number, nonin: boolean) => plan.scenarios.find((s) => s.beds === beds && s.nonin === nonin)?.windowMs ?? 10_000;
    scenarios = [...wanted.map((b) => base(b, windowFor(b, false))), ...wanted.map((b) => wave(b, windowFor(b, true)))];
  }
  if (!waveforms) scenarios = scenarios.filter((s) => !s.nonin);
  if (windowMs !== null) scenarios = scenarios.map((s) => ({ ...s, windowMs: windowMs! }));
  const warmup = warmupMs === null ? plan.warmup : { minMs: warmupMs, maxMs: warmupMs, lines: 0 };
  return { plan: { ...plan, scenarios, warmup }, out, profile, pin, ...(nodeFlags ? { nodeFlags } : {}) };
}

function positiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option}: expected a positive integer, got "${text}"`);
  return n;
}
