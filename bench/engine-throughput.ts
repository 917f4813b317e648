/**
 * Micro-benchmark of the alarm engine's hot path: observations dispatched to the rules of
 * many beds (ketamine IV profile, three devices a bed). Values wander inside the limits
 * with an occasional dip below, so limit, combination, stale and invalid-data rules all
 * see traffic and some alarms start and end. Observations are pre-built and reused: the
 * benchmark measures the engine, not the producer.
 *
 * Import `measureEngineThroughput(n)`, or run this file after compiling it:
 *   node <compiled>/bench/engine-throughput.js [observations] [beds]
 */
import { NEVER, Subject, asyncScheduler } from 'rxjs';
import { pathToFileURL } from 'node:url';
import { createAlarmEngine, type AlarmEngineBed } from '../src/alarms/engine/alarm-engine.js';
import { loadAlarmProfiles } from '../src/alarms/engine/profile-loader.js';
import type { AlarmProfile } from '../src/alarms/engine/profile-schema.js';
import { METRICS, type MetricId } from '../src/model/metrics.js';
import type { Observation } from '../src/model/observation.js';

export interface ThroughputResult {
  readonly observations: number;
  readonly beds: number;
  readonly elapsedMs: number;
  readonly observationsPerSecond: number;
  /** Alarm edges the run produced (proves the rules were exercised). */
  readonly alarmEvents: number;
  /** Observations the engine dropped (unknown bed or device): 0 for this workload. */
  readonly dropped: number;
}

const POOL = 4096;

const idCache = new Map<number, string[]>();
function bedIds(beds: number): string[] {
  let ids = idCache.get(beds);
  if (!ids) {
    ids = Array.from({ length: beds }, (_, i) => `bed-${i}`);
    idCache.set(beds, ids);
  }
  return ids;
}

function pool(beds: number): Observation[] {
  const streams: [string, MetricId, number][] = [
    ['oximeter', 'spo2', 97],
    ['oximeter', 'pulse-rate', 80],
    ['monitor', 'resp-rate', 14],
    ['monitor', 'heart-rate', 80],
    ['monitor', 'nibp-sys', 120],
  ];
  // One id string per bed, shared by its observations and its engine bed, as in the daemon
  // (drivers and engine take the bed id from the same configuration object).
  const ids = bedIds(beds);
  const out: Observation[] = [];
  for (let i = 0; i < POOL; i++) {
    const [deviceId, metric, base] = streams[i % streams.length]!;
    // Each bed in turn gets one reading of every stream (bed-0's five, then bed-1's, ...).
    const bed = Math.floor(i / streams.length) % beds;
    // Now and then SpO2 dips to 86 % (a limit violation the next reading cancels before
    // its delay) and a systolic of 205 mmHg starts NIBP_SYS_HIGH at once (no delay).
    const turn = Math.floor(i / streams.length);
    const value =
      metric === 'spo2' && turn % 128 === 0 ? 86 : metric === 'nibp-sys' && turn % 64 === 0 ? 205 : base + ((i * 7) % 5) - 2;
    const def = METRICS[metric];
    out.push({ bedId: ids[bed]!, deviceId, metric, code: def.code, value, unit: def.unit, deviceTime: null, receivedAt: 0, flags: [] });
  }
  return out;
}

/** Pushes `n` observations through an engine of `beds` beds and measures the rate. */
export function measureEngineThroughput(n: number, beds = 50, profile?: AlarmProfile): ThroughputResult {
  const chosen = profile ?? loadAlarmProfiles().get('ketamine-iv');
  if (!chosen) throw new Error('ketamine-iv profile not found');
  const bedList: AlarmEngineBed[] = bedIds(beds).map((bedId) => ({
    bedId,
    profile: chosen,
    devices: [{ deviceId: 'oximeter' }, { deviceId: 'monitor' }, { deviceId: 'pump', pump: true }],
  }));
  const observations$ = new Subject<Observation>();
  const engine = createAlarmEngine({ beds: bedList, inputs: { observations$, status$: NEVER, conditions$: NEVER }, scheduler: asyncScheduler });
  let alarmEvents = 0;
  engine.alarmEvents$.subscribe(() => alarmEvents++);
  const items = pool(beds);
  const mask = POOL - 1;
  for (let i = 0; i < Math.min(n, 100_000); i++) observations$.next(items[i & mask]!); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) observations$.next(items[i & mask]!);
  const elapsedMs = performance.now() - t0;
  const { dropped } = engine.stats();
  engine.stop();
  return { observations: n, beds, elapsedMs, observationsPerSecond: Math.round(n / (elapsedMs / 1000)), alarmEvents, dropped };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(measureEngineThroughput(Number(process.argv[2] ?? 2_000_000), Number(process.argv[3] ?? 50))));
}
