import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import { PHYSICAL_RANGES, formatMetricValue, metricCodeStem, metricLabel } from './metric-naming.js';

/** Values of one metric of one device that no device can report. */
export interface InvalidDataSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly deviceLabel: string;
  readonly metric: MetricId;
  readonly priority: AlarmPriority;
}

/** Whether `value` is a value a device can report for `metric` (null is "no value", not invalid). */
export function isPlausible(metric: MetricId, value: number | null): boolean {
  if (value === null) return true;
  const [min, max] = PHYSICAL_RANGES[metric];
  return Number.isFinite(value) && value >= min && value <= max;
}

/**
 * Invalid data (technical rule): `<STEM>_INVALID` while a device reports values outside
 * the metric's physical range (PHYSICAL_RANGES) or not finite; ends with the next
 * plausible value. Such values never reach the other rules (the engine drops them there).
 */
export function invalidDataCondition(spec: InvalidDataSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Observation, ConditionSignal> {
  const tpl: SignalTemplate = {
    ruleId: spec.ruleId,
    code: `${metricCodeStem(spec.metric)}_INVALID`,
    deviceId: spec.deviceId,
    kind: 'technical',
    priority: spec.priority,
  };
  const label = metricLabel(spec.metric);
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      let active = false;
      return source.subscribe({
        next: (obs) => {
          if (obs.value === null) return;
          const plausible = isPlausible(spec.metric, obs.value);
          if (plausible === !active) return;
          active = !plausible;
          const shown = Number.isFinite(obs.value) ? formatMetricValue(spec.metric, obs.value) : String(obs.value);
          const what = `${spec.deviceLabel}: invalid ${label} value ${shown}`;
          subscriber.next(makeSignal(tpl, active, scheduler.now(), what, Number.isFinite(obs.value) ? obs.value : null));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
