import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { DeviceCondition } from '../../model/device-events.js';
import { PRIORITY_ORDER, type AlarmEvent, type AlarmPriority } from '../alarm.js';
import { makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';

/** The pump condition mapping of one pump device. */
export interface PumpConditionSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly deviceLabel: string;
  /** Condition code -> priority (alarms-and-standards "Infusion-pump alarms"). */
  readonly conditions: Readonly<Record<string, AlarmPriority>>;
}

/**
 * Pump alarms: a pump's conditions whose code the rule lists (occlusion, air in line,
 * infusion complete, near end, door, low battery...) become technical alarms with the
 * rule's priority; other codes are left to the technical mapping.
 */
export function pumpCondition(spec: PumpConditionSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<DeviceCondition, ConditionSignal> {
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      const active = new Set<string>();
      return source.subscribe({
        next: (c) => {
          const priority = spec.conditions[c.code];
          if (priority === undefined || c.active === active.has(c.code)) return;
          if (c.active) active.add(c.code);
          else active.delete(c.code);
          const tpl: SignalTemplate = { ruleId: spec.ruleId, code: c.code, deviceId: spec.deviceId, kind: 'technical', priority };
          subscriber.next(makeSignal(tpl, c.active, scheduler.now(), `${spec.deviceLabel}: ${c.label}`));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * An alarm raised outside the engine (e.g. the control module's RATE_CHANGE_NOT_VERIFIED)
 * as a condition signal. It keeps its id and message; a pump rule listing its code may
 * raise its priority, never lower it. Its end comes from its source only.
 */
export function externalAlarmSignal(event: AlarmEvent, at: number, pumpRule: { id: string; conditions: Readonly<Record<string, AlarmPriority>> } | null): ConditionSignal {
  const { alarm } = event;
  const mapped = pumpRule?.conditions[alarm.code];
  const priority = mapped !== undefined && PRIORITY_ORDER[mapped] > PRIORITY_ORDER[alarm.priority] ? mapped : alarm.priority;
  const tpl: SignalTemplate = {
    ruleId: mapped !== undefined && pumpRule ? pumpRule.id : 'external',
    code: alarm.code,
    deviceId: alarm.deviceId,
    kind: alarm.kind,
    priority,
    alarmId: alarm.id,
  };
  return makeSignal(tpl, event.phase !== 'end', at, alarm.message, alarm.value ?? null, alarm.limit ?? null);
}
