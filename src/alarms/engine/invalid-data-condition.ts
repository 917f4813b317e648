import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import { PHYSICAL_RANGES, formatMetricValue, metricCodeStem, metricLabel } from './metric-naming.js';

/** Values no device can report, from one device (every metric). */
export interface InvalidDataSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly deviceLabel: string;
  readonly priority: AlarmPriority;
}

/** Whether `value` is a value a device can report for `metric` (null is "no value", not invalid). */
export function isPlausible(metric: MetricId, value: number | null): boolean {
  if (value === null) return true;
  const [min, max] = PHYSICAL_RANGES[metric];
  return Number.isFinite(value) && value >= min && value <= max;
}

/**
 * Invalid data (technical rule): `<STEM>_INVALID` while a device reports values of a
 * metric outside its physical range (PHYSICAL_RANGES) or not finite; ends with the next
 * plausible value of that metric. One operator per device serves every metric (the
 * engine sends it only implausible values and the first plausible one after them), so a
 * bed costs three of them, not one per metric and device. Such values never reach the
 * other rules (the engine drops them there).
 */
export function invalidDataCondition(spec: InvalidDataSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Observation, ConditionSignal> {
  const templates = new Map<MetricId, SignalTemplate>();
  const templateOf = (metric: MetricId): SignalTemplate => {
    let tpl = templates.get(metric);
    if (tpl === undefined) {
      tpl = { ruleId: spec.ruleId, code: `${metricCodeStem(metric)}_INVALID`, deviceId: spec.deviceId, kind: 'technical', priority: spec.priority };
      templates.set(metric, tpl);
    }
    return tpl;
  };
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      const active = new Set<MetricId>();
      return source.subscribe({
        next: (obs) => {
          if (obs.value === null) return;
          const { metric } = obs;
          const plausible = isPlausible(metric, obs.value);
          if (plausible === !active.has(metric)) return;
          if (plausible) active.delete(metric);
          else active.add(metric);
          const shown = Number.isFinite(obs.value) ? formatMetricValue(metric, obs.value) : String(obs.value);
          const what = `${spec.deviceLabel}: invalid ${metricLabel(metric)} value ${shown}`;
          subscriber.next(makeSignal(templateOf(metric), !plausible, scheduler.now(), what, Number.isFinite(obs.value) ? obs.value : null));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
