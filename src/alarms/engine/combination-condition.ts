import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Observation } from '../../model/observation.js';
import type { AlarmPriority } from '../alarm.js';
import { isNumber, makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';
import type { CodeTerm, MetricTerm } from './rule-schemas.js';
import { TermValues } from './term-values.js';

/** A bed-level condition made of other conditions: all (or any) of them. */
export interface CombinationSpec {
  readonly ruleId: string;
  readonly code: string;
  readonly priority: AlarmPriority;
  readonly mode: 'all' | 'any';
  readonly terms: readonly (MetricTerm | CodeTerm)[];
  /** Condition delay: the combination must hold this long. */
  readonly delayMs: number;
}

/** What a combination reads: the bed's observations of its metrics and the signals of the codes it names. */
export type CombinationInput = Observation | ConditionSignal;

/**
 * Combination rule, e.g. SpO2 < 92 % and respiration rate < 8 /min (ketamine-clinical:
 * respiratory depression). Metric terms compare the bed's latest value of the metric
 * (from whichever device sent it); code terms hold while any device has that condition
 * (the raw condition from its rule, before latching or alarm off). After `delayMs` of
 * holding it starts; it ends when it no longer holds. A missing value makes its term
 * unknown (not holding) unless the combination is already active.
 */
export function combinationCondition(spec: CombinationSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<CombinationInput, ConditionSignal> {
  const tpl: SignalTemplate = { ruleId: spec.ruleId, code: spec.code, deviceId: null, kind: 'physiological', priority: spec.priority };
  const metricTerms = spec.terms.filter((t): t is MetricTerm => 'metric' in t);
  const codes = spec.terms.filter((t): t is CodeTerm => 'code' in t).map((t) => t.code);
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      const tv = new TermValues(metricTerms);
      const activeByCode = codes.map(() => new Set<string>());
      let active = false;
      let pending: Subscription | null = null;
      const cancel = () => {
        pending?.unsubscribe();
        pending = null;
      };
      const holds = (): boolean => {
        let codeCount = 0;
        for (let i = 0; i < activeByCode.length; i++) if ((activeByCode[i]?.size ?? 0) > 0) codeCount++;
        if (spec.mode === 'all') return (metricTerms.length === 0 || tv.evaluate('all')) && codeCount === codes.length;
        return (metricTerms.length > 0 && tv.evaluate('any')) || codeCount > 0;
      };
      const emit = (on: boolean) => {
        const parts = [tv.describe(), ...codes.filter((_, i) => (activeByCode[i]?.size ?? 0) > 0)].filter((p) => p !== '');
        const held = tv.firstHoldingValue();
        const what = on ? parts.join(', ') : `${spec.code}: combination ended`;
        subscriber.next(makeSignal(tpl, on, scheduler.now(), what, on ? (held?.value ?? null) : null, on ? (held?.limit ?? null) : null));
      };
      const evaluate = () => {
        const now = holds();
        if (active) {
          if (!now) {
            active = false;
            emit(false);
          }
        } else if (!now) {
          cancel();
        } else if (pending === null) {
          const start = () => {
            pending = null;
            active = true;
            emit(true);
          };
          if (spec.delayMs === 0) start();
          else pending = scheduler.schedule(start, spec.delayMs);
        }
      };
      const sub = source.subscribe({
        next: (input) => {
          if ('ruleId' in input) {
            const i = codes.indexOf(input.code);
            const set = activeByCode[i];
            if (!set) return;
            const key = input.deviceId ?? '';
            if (input.active === set.has(key)) return;
            if (input.active) set.add(key);
            else set.delete(key);
            evaluate();
            return;
          }
          const i = tv.indexOf(input.metric);
          if (i < 0) return;
          if (isNumber(input.value)) tv.set(i, input.value);
          else if (!active) tv.set(i, NaN);
          else return;
          evaluate();
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
