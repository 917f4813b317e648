import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { isNumber, makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import { formatMetricValue, metricLabel } from './metric-naming.js';

/** A low/high limit on one metric of one device, with condition delay and hysteresis. */
export interface LimitConditionSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly metric: MetricId;
  /** `SPO2` gives `SPO2_LOW` and `SPO2_HIGH`. */
  readonly codeStem: string;
  readonly low: number | null;
  readonly high: number | null;
  /** The value must be at least this far back inside the limit to end the condition. */
  readonly hysteresis: number;
  /** Alarm condition delay: the violation must last this long (every reading violating). */
  readonly delayMs: number;
  readonly priority: AlarmPriority;
  /**
   * The condition held under the rule's previous definition (a runtime limit change): it
   * holds from the start, with this value, unless the value is back inside the new limit
   * (docs/alarms.md "Runtime changes").
   */
  readonly initial?: { readonly side: 'low' | 'high'; readonly value: number };
}

const LOW = 1;
const HIGH = 2;
type Side = 0 | typeof LOW | typeof HIGH;

/**
 * Limit rule (IEC 60601-1-8 alarm condition delay, plus hysteresis against flapping):
 * - onset: a value below `low` (or above `high`) on every reading for `delayMs`;
 * - end: a value at or above `low + hysteresis` (at or below `high - hysteresis`);
 *   a value in the hysteresis band keeps an active condition and cancels a pending one;
 * - a missing value (null) cancels a pending onset and leaves an active condition active;
 * - while active, a changed value is an update.
 * Allocates only when it emits. Time comes from `scheduler`.
 */
export function limitCondition(spec: LimitConditionSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Observation, ConditionSignal> {
  const templates = {
    [LOW]: { ruleId: spec.ruleId, code: `${spec.codeStem}_LOW`, deviceId: spec.deviceId, kind: 'physiological', priority: spec.priority },
    [HIGH]: { ruleId: spec.ruleId, code: `${spec.codeStem}_HIGH`, deviceId: spec.deviceId, kind: 'physiological', priority: spec.priority },
  } satisfies Record<number, SignalTemplate>;
  const low = spec.low ?? -Infinity;
  const high = spec.high ?? Infinity;
  const label = metricLabel(spec.metric);
  const limitOf = (side: Side) => (side === LOW ? spec.low : spec.high);
  const message = (side: Side, value: number) =>
    `${label} ${formatMetricValue(spec.metric, value)} ${side === LOW ? 'below' : 'above'} ${formatMetricValue(spec.metric, limitOf(side))}`;

  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      let active: Side = 0;
      let activeValue = NaN;
      let pendingSide: Side = 0;
      let pending: Subscription | null = null;
      let latest = NaN;

      const cancelPending = () => {
        pending?.unsubscribe();
        pending = null;
        pendingSide = 0;
      };
      const emit = (side: Side, on: boolean, value: number) => {
        if (side === 0) return;
        subscriber.next(makeSignal(templates[side], on, scheduler.now(), message(side, value), value, limitOf(side)));
      };
      const start = (side: Side) => {
        pending = null;
        pendingSide = 0;
        active = side;
        activeValue = latest;
        emit(side, true, latest);
      };

      const seed = spec.initial;
      if (seed) {
        const side: Side = seed.side === 'low' ? LOW : HIGH;
        const holds = side === LOW ? spec.low !== null && seed.value < low + spec.hysteresis : spec.high !== null && seed.value > high - spec.hysteresis;
        if (holds) {
          latest = seed.value;
          start(side);
        }
      }
      const sub = source.subscribe({
        next: (obs) => {
          const v = obs.value;
          if (!isNumber(v)) {
            cancelPending();
            return;
          }
          latest = v;
          if (active !== 0) {
            const cleared = active === LOW ? v >= low + spec.hysteresis : v <= high - spec.hysteresis;
            if (!cleared) {
              if (v !== activeValue) {
                activeValue = v;
                emit(active, true, v);
              }
              return;
            }
            emit(active, false, v);
            active = 0;
          }
          const side: Side = v < low ? LOW : v > high ? HIGH : 0;
          if (side === 0) {
            if (pendingSide !== 0) cancelPending();
          } else if (side !== pendingSide) {
            cancelPending();
            pendingSide = side;
            if (spec.delayMs === 0) start(side);
            else pending = scheduler.schedule(() => start(side), spec.delayMs);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        cancelPending();
        sub.unsubscribe();
      };
    });
}
