import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { formatDurationMs, isNumber, makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import { metricCodeStem, metricLabel } from './metric-naming.js';

/** No valid value of one metric from one device for too long. */
export interface StaleMetricSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly deviceLabel: string;
  readonly metric: MetricId;
  readonly priority: AlarmPriority;
  readonly afterMs: number;
  /** The metric was stale under the rule's previous definition (a runtime change): it stays stale until a valid value. */
  readonly initiallyStale?: boolean;
}

/**
 * Stale metric rule (docs/safety.md rule 3: staleness is an alarm): `<STEM>_STALE` when a
 * device that has sent the metric sends no valid (non-null) value of it for `afterMs`,
 * whether it sends nulls (`--`) or nothing at all. The clock starts at the device's first
 * observation of the metric (so a device that never measures it is not stale); the
 * condition ends with the next valid value. One timer per `afterMs` at most, not one per
 * observation: the check reschedules itself to the last valid value's deadline.
 */
export function staleMetricCondition(spec: StaleMetricSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Observation, ConditionSignal> {
  const tpl: SignalTemplate = {
    ruleId: spec.ruleId,
    code: `${metricCodeStem(spec.metric)}_STALE`,
    deviceId: spec.deviceId,
    kind: 'technical',
    priority: spec.priority,
  };
  const what = `${spec.deviceLabel}: no valid ${metricLabel(spec.metric)} for ${formatDurationMs(spec.afterMs)}`;
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      let referenceAt = NaN;
      let stale = false;
      let timer: Subscription | null = null;
      if (spec.initiallyStale === true) {
        referenceAt = scheduler.now();
        stale = true;
        subscriber.next(makeSignal(tpl, true, referenceAt, what));
      }
      const check = () => {
        timer = null;
        const dueIn = referenceAt + spec.afterMs - scheduler.now();
        if (dueIn > 0) {
          timer = scheduler.schedule(check, dueIn);
          return;
        }
        stale = true;
        subscriber.next(makeSignal(tpl, true, scheduler.now(), what));
      };
      const sub = source.subscribe({
        next: (obs) => {
          const valid = isNumber(obs.value);
          if (Number.isNaN(referenceAt) || valid) referenceAt = scheduler.now();
          if (valid && stale) {
            stale = false;
            subscriber.next(makeSignal(tpl, false, referenceAt, what, obs.value));
          }
          if (!stale && timer === null) timer = scheduler.schedule(check, spec.afterMs);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
