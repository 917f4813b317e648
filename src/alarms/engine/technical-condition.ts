import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { DeviceCondition, DeviceStatus } from '../../model/device-events.js';
import type { AlarmPriority } from '../alarm.js';
import { SENSOR_OFF_CODES } from '../condition-codes.js';
import { makeSignal, type ConditionSignal, type SignalTemplate } from './condition-signal.js';

/** The technical mapping of one device: its link/data state and its own conditions. */
export interface TechnicalSpec {
  readonly ruleId: string;
  readonly deviceId: string;
  readonly deviceLabel: string;
  readonly communicationLost: AlarmPriority;
  readonly sensorOff: AlarmPriority;
  readonly deviceTechnical: AlarmPriority;
  readonly deviceAlarm: AlarmPriority;
  /** Per-code priority of technical conditions, overriding sensorOff/deviceTechnical. */
  readonly codes: Readonly<Record<string, AlarmPriority>>;
}

/** What the technical mapping reads: the device's status and its conditions (not pump conditions). */
export type TechnicalInput = DeviceStatus | DeviceCondition;

function describeSilence(s: DeviceStatus): string {
  if (s.link !== 'open') return s.lastError ? `link ${s.link}: ${s.lastError}` : `link ${s.link}`;
  return s.lastDataAt === null ? 'connected, no valid data received' : 'connected, no valid data';
}

/**
 * Technical mapping of one device (docs/safety.md rule 3):
 * - `COMMUNICATION_LOST` while the driver reports its data `silent` (no valid data past its
 *   grace, whatever the link says); an update when the reason changes;
 * - the device's own technical conditions keep their code (SENSOR_OFF, LOW_PERFUSION...),
 *   with the sensor-off priority for codes that stop measurement, else the per-code or
 *   default technical priority;
 * - alarms the device raises from its own limits become `DEVICE_<code>`, physiological.
 */
export function technicalCondition(spec: TechnicalSpec, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<TechnicalInput, ConditionSignal> {
  const base = { ruleId: spec.ruleId, deviceId: spec.deviceId };
  const commTpl: SignalTemplate = { ...base, code: 'COMMUNICATION_LOST', kind: 'technical', priority: spec.communicationLost };
  return (source) =>
    new Observable<ConditionSignal>((subscriber) => {
      let commMessage: string | null = null;
      const active = new Set<string>();
      const onStatus = (status: DeviceStatus) => {
        if (status.data === 'silent') {
          const what = `${spec.deviceLabel}: communication lost (${describeSilence(status)})`;
          if (what === commMessage) return;
          commMessage = what;
          subscriber.next(makeSignal(commTpl, true, scheduler.now(), what));
        } else if (commMessage !== null) {
          subscriber.next(makeSignal(commTpl, false, scheduler.now(), commMessage));
          commMessage = null;
        }
      };
      const onCondition = (c: DeviceCondition) => {
        const physiological = c.kind === 'physiological';
        const code = physiological ? `DEVICE_${c.code}` : c.code;
        if (c.active === active.has(code)) return;
        if (c.active) active.add(code);
        else active.delete(code);
        const priority = physiological
          ? spec.deviceAlarm
          : (spec.codes[c.code] ?? (SENSOR_OFF_CODES.has(c.code) ? spec.sensorOff : spec.deviceTechnical));
        const tpl: SignalTemplate = { ...base, code, kind: c.kind, priority };
        subscriber.next(makeSignal(tpl, c.active, scheduler.now(), `${spec.deviceLabel}: ${c.label}`));
      };
      return source.subscribe({
        next: (input) => ('code' in input ? onCondition(input) : onStatus(input)),
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
