import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { formatDurationMs, isNumber, makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import type { MetricTerm } from './rule-schemas.js';
import { TermValues } from './term-values.js';

/** A condition on one device's latest values: any (or all) of some comparisons. */
export interface SustainedConditionSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly code: string;
  readonly priority: AlarmPriority;
  readonly mode: 'any' | 'all';
  readonly terms: readonly MetricTerm[];
}

function template(spec: SustainedConditionSpec): SignalTemplate {
  return { ruleId: spec.ruleId, code: spec.code, deviceId: spec.deviceId, kind: 'physiological', priority: spec.priority };
}

/**
 * Duration-based sustained rule, e.g. heart rate > 120 /min for 5 min (ketamine-clinical
 * "HR > 120 sustained 5 min"): the condition must hold on every reading for `durationMs`.
 * A reading where it does not hold restarts the wait and ends an active condition; a
 * missing value cancels the wait and leaves an active condition active.
 */
export function sustainedDurationCondition(
  spec: SustainedConditionSpec & { readonly durationMs: number },
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Observation, ConditionSignal> {
  const tpl = template(spec);
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      const tv = new TermValues(spec.terms);
      let active = false;
      let lastValue = NaN;
      let pending: Subscription | null = null;
      const cancel = () => {
        pending?.unsubscribe();
        pending = null;
      };
      const emit = (on: boolean, endValue: number | null = null) => {
        const held = tv.firstHoldingValue();
        lastValue = held?.value ?? NaN;
        const what = on ? `${tv.describe()} for ${formatDurationMs(spec.durationMs)}` : `${spec.code}: condition ended`;
        subscriber.next(makeSignal(tpl, on, scheduler.now(), what, held?.value ?? endValue, held?.limit ?? null));
      };
      const sub = source.subscribe({
        next: (obs) => {
          const i = tv.indexOf(obs.metric);
          if (i < 0) return;
          if (!isNumber(obs.value)) {
            if (!active) {
              tv.set(i, NaN);
              cancel();
            }
            return;
          }
          tv.set(i, obs.value);
          const holds = tv.evaluate(spec.mode);
          if (active) {
            if (!holds) {
              active = false;
              emit(false, obs.value);
            } else if (tv.firstHoldingValue()?.value !== lastValue) {
              emit(true);
            }
          } else if (!holds) {
            cancel();
          } else if (pending === null) {
            pending = scheduler.schedule(() => {
              pending = null;
              active = true;
              emit(true);
            }, spec.durationMs);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        cancel();
        sub.unsubscribe();
      };
    });
}

/** Readings-based: `count` violating readings, each `minSpacingMs` after the previous counted one. */
export interface ReadingsSpec {
  readonly count: number;
  readonly minSpacingMs: number;
  /** Values of the rule's metrics within this window are one reading (one NIBP measurement). */
  readonly groupWindowMs: number;
}

/**
 * Readings-based sustained rule, e.g. systolic > 180 or diastolic > 110 on two readings at
 * least 5 min apart (ketamine-clinical, clinic rule of thumb). The values of the rule's
 * metrics that arrive together (all of them, or within `groupWindowMs`) form one reading.
 * A violating reading counts when it is `minSpacingMs` after the previous counted one
 * (one in between does not reset the run); a reading with no violation resets the run and
 * ends an active condition; a reading with no value at all is ignored.
 */
export function sustainedReadingsCondition(
  spec: SustainedConditionSpec & { readonly readings: ReadingsSpec },
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Observation, ConditionSignal> {
  const tpl = template(spec);
  const { count, minSpacingMs, groupWindowMs } = spec.readings;
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      const tv = new TermValues(spec.terms);
      const fullMask = (1 << tv.metrics.length) - 1;
      let open = false;
      let seenMask = 0;
      let readingAt = 0;
      let closer: Subscription | null = null;
      let run = 0;
      let lastCountedAt = 0;
      let active = false;
      let lastValue = NaN;

      const emit = (on: boolean) => {
        const held = tv.firstHoldingValue();
        lastValue = held?.value ?? NaN;
        const what = on
          ? `${tv.describe()} on ${count} readings at least ${formatDurationMs(minSpacingMs)} apart`
          : `${spec.code}: a reading within limits`;
        subscriber.next(makeSignal(tpl, on, scheduler.now(), what, held?.value ?? tv.firstKnownValue(), held?.limit ?? null));
      };
      const close = () => {
        open = false;
        if (tv.empty()) return;
        if (!tv.evaluate(spec.mode)) {
          run = 0;
          if (active) {
            active = false;
            emit(false);
          }
          return;
        }
        if (run === 0 || readingAt - lastCountedAt >= minSpacingMs) {
          run += 1;
          lastCountedAt = readingAt;
        }
        if (run < count) return;
        if (!active) {
          active = true;
          emit(true);
        } else if (tv.firstHoldingValue()?.value !== lastValue) {
          emit(true);
        }
      };
      /** The group window of the open reading ends: close it, or wait on for a later reading's window. */
      const onWindowEnd = () => {
        closer = null;
        if (!open) return;
        const dueIn = readingAt + groupWindowMs - scheduler.now();
        if (dueIn > 0) closer = scheduler.schedule(onWindowEnd, dueIn);
        else close();
      };
      const sub = source.subscribe({
        next: (obs) => {
          const i = tv.indexOf(obs.metric);
          if (i < 0) return;
          const bit = 1 << i;
          if (open && (seenMask & bit) !== 0) close();
          if (!open) {
            open = true;
            seenMask = 0;
            readingAt = scheduler.now();
            tv.clear();
            // One timer at a time: a timer still running for an earlier reading moves on to this one's deadline when it fires.
            if (groupWindowMs > 0 && fullMask !== 1 && closer === null) closer = scheduler.schedule(onWindowEnd, groupWindowMs);
          }
          tv.set(i, isNumber(obs.value) ? obs.value : NaN);
          seenMask |= bit;
          if (seenMask === fullMask || groupWindowMs === 0) close();
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        closer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
