import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { formatDurationMs, isNumber, makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import { formatMetricValue, metricLabel } from './metric-naming.js';

/** A fast fall (or rise) of one metric of one device. */
export interface RateOfChangeSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly metric: MetricId;
  readonly code: string;
  readonly priority: AlarmPriority;
  readonly direction: 'falling' | 'rising';
  /** The change, in the metric's unit, that makes the condition. */
  readonly delta: number;
  readonly windowMs: number;
}

/** Buckets of the sliding window: its precision is windowMs / BUCKETS. */
const BUCKETS = 20;

/**
 * Rate-of-change rule: the condition holds while the value is at least `delta` below the
 * highest value of the last `windowMs` (falling), or above the lowest (rising). It ends
 * when that is no longer so (the value recovered, or stayed level for a window).
 * The window is kept as BUCKETS time buckets of their extreme value in typed arrays:
 * nothing is allocated per observation and each costs O(1) (O(BUCKETS) once per bucket).
 * Missing values are skipped.
 */
export function rateOfChangeCondition(spec: RateOfChangeSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Observation, ConditionSignal> {
  const tpl: SignalTemplate = { ruleId: spec.ruleId, code: spec.code, deviceId: spec.deviceId, kind: 'physiological', priority: spec.priority };
  const falling = spec.direction === 'falling';
  const bucketMs = spec.windowMs / BUCKETS;
  const label = metricLabel(spec.metric);
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      const bucketOf = new Float64Array(BUCKETS).fill(-Infinity);
      const extremeOf = new Float64Array(BUCKETS);
      let currentBucket = -Infinity;
      let extreme = NaN;
      let active = false;
      let activeValue = NaN;

      const emit = (on: boolean, value: number) => {
        activeValue = value;
        const verb = falling ? 'fell' : 'rose';
        const change = Math.abs(extreme - value);
        const what = `${label} ${verb} ${formatMetricValue(spec.metric, change)} within ${formatDurationMs(spec.windowMs)} (from ${formatMetricValue(spec.metric, extreme)} to ${formatMetricValue(spec.metric, value)})`;
        subscriber.next(makeSignal(tpl, on, scheduler.now(), what, value, extreme));
      };
      const sub = source.subscribe({
        next: (obs) => {
          const v = obs.value;
          if (!isNumber(v)) return;
          const b = Math.floor(scheduler.now() / bucketMs);
          const slot = ((b % BUCKETS) + BUCKETS) % BUCKETS;
          if (b !== currentBucket) {
            currentBucket = b;
            bucketOf[slot] = b;
            extremeOf[slot] = v;
            extreme = v;
            for (let i = 0; i < BUCKETS; i++) {
              const e = extremeOf[i] ?? v;
              if (b - (bucketOf[i] ?? -Infinity) < BUCKETS) extreme = falling ? Math.max(extreme, e) : Math.min(extreme, e);
            }
          } else {
            extremeOf[slot] = falling ? Math.max(extremeOf[slot] ?? v, v) : Math.min(extremeOf[slot] ?? v, v);
            extreme = falling ? Math.max(extreme, v) : Math.min(extreme, v);
          }
          const holds = falling ? extreme - v >= spec.delta : v - extreme >= spec.delta;
          if (holds && !active) {
            active = true;
            emit(true, v);
          } else if (!holds && active) {
            active = false;
            emit(false, v);
          } else if (active && v !== activeValue) {
            emit(true, v);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return sub;
    });
}
