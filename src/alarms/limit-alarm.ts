import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Observation } from '../model/observation.js';
import type { AlarmCondition, AlarmEvent, AlarmPriority } from './alarm.js';

/** A low/high limit on one metric of one device of one bed. */
export interface LimitAlarmSpec {
  readonly bedId: string;
  readonly deviceId: string;
  /** Alarm code stem, e.g. `SPO2` gives `SPO2_LOW` and `SPO2_HIGH`. */
  readonly codeStem: string;
  /** Label for messages, e.g. `SpO2`. */
  readonly label: string;
  /** Unit for messages, e.g. `%`. */
  readonly unitLabel: string;
  readonly low: number | null;
  readonly high: number | null;
  readonly priority: AlarmPriority;
  /** Alarm condition delay: how long the violation must last before the alarm starts. */
  readonly delayMs: number;
}

type Side = 'LOW' | 'HIGH';

function violation(spec: LimitAlarmSpec, value: number | null): Side | null {
  if (value === null) return null;
  if (spec.low !== null && value < spec.low) return 'LOW';
  if (spec.high !== null && value > spec.high) return 'HIGH';
  return null;
}

/**
 * Turns one device's observations of one metric into limit-alarm events.
 * - A violation must persist for `delayMs` (the alarm condition delay) before `start`.
 * - While active, a changed value gives `update`; a value back inside the limits gives `end`.
 * - A missing value (`null`, the device has none) neither starts nor ends an alarm:
 *   it cancels a pending start, and an active alarm stays active (the device's own
 *   technical alarm says why there is no value).
 * Time comes from `scheduler`, so tests run in virtual time.
 */
export function limitAlarm(spec: LimitAlarmSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Observation, AlarmEvent> {
  return (source) =>
    new Observable<AlarmEvent>((subscriber) => {
      let pending: Subscription | null = null;
      let pendingSide: Side | null = null;
      let latest: Observation | null = null;
      let active: AlarmCondition | null = null;

      const cancelPending = () => {
        pending?.unsubscribe();
        pending = null;
        pendingSide = null;
      };
      const limitFor = (side: Side) => (side === 'LOW' ? spec.low : spec.high);
      const message = (side: Side, value: number | null) =>
        `${spec.label} ${value ?? '--'} ${spec.unitLabel} ${side === 'LOW' ? 'below' : 'above'} ${limitFor(side)} ${spec.unitLabel}`;

      const start = (side: Side) => {
        pending = null;
        pendingSide = null;
        const now = scheduler.now();
        const value = latest?.value ?? null;
        active = {
          id: `${spec.bedId}/${spec.deviceId}/${spec.codeStem}_${side}/${Math.round(now)}`,
          bedId: spec.bedId,
          deviceId: spec.deviceId,
          code: `${spec.codeStem}_${side}`,
          kind: 'physiological',
          priority: spec.priority,
          message: message(side, value),
          startedAt: now,
          updatedAt: now,
          endedAt: null,
          value,
          limit: limitFor(side),
        };
        subscriber.next({ phase: 'start', alarm: active });
      };

      const sub = source.subscribe({
        next: (obs) => {
          latest = obs;
          const side = violation(spec, obs.value);
          if (active) {
            const activeSide: Side = active.code.endsWith('_LOW') ? 'LOW' : 'HIGH';
            if (obs.value === null) return;
            if (side === activeSide) {
              if (obs.value !== active.value) {
                active = { ...active, value: obs.value, message: message(side, obs.value), updatedAt: scheduler.now() };
                subscriber.next({ phase: 'update', alarm: active });
              }
              return;
            }
            const now = scheduler.now();
            subscriber.next({ phase: 'end', alarm: { ...active, value: obs.value, updatedAt: now, endedAt: now } });
            active = null;
          }
          if (side === null) {
            cancelPending();
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
