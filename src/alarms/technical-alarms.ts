import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { DeviceCondition, DeviceStatus } from '../model/device-events.js';
import type { AlarmCondition, AlarmEvent, AlarmPriority } from './alarm.js';

/** How one device is named in alarm messages, e.g. `Oximeter`. */
export interface DeviceNaming {
  readonly bedId: string;
  readonly deviceId: string;
  readonly label: string;
}

function describeSilence(s: DeviceStatus): string {
  if (s.link !== 'open') return s.lastError ? `link ${s.link}: ${s.lastError}` : `link ${s.link}`;
  return s.lastDataAt === null ? 'connected, no valid data received' : 'connected, no valid data';
}

/**
 * COMMUNICATION_LOST: a technical alarm while a device's data state is `silent`
 * (the driver found no valid data for longer than its grace, whatever the link does).
 * Starts and ends with the status; an update follows when the reason changes.
 */
export function communicationLostAlarm(
  device: DeviceNaming,
  priority: AlarmPriority,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<DeviceStatus, AlarmEvent> {
  return (source) =>
    new Observable<AlarmEvent>((subscriber) => {
      let active: AlarmCondition | null = null;
      return source.subscribe({
        next: (status) => {
          const now = scheduler.now();
          const message = `${device.label}: communication lost (${describeSilence(status)})`;
          if (status.data === 'silent') {
            if (!active) {
              active = {
                id: `${device.bedId}/${device.deviceId}/COMMUNICATION_LOST/${Math.round(now)}`,
                bedId: device.bedId,
                deviceId: device.deviceId,
                code: 'COMMUNICATION_LOST',
                kind: 'technical',
                priority,
                message,
                startedAt: now,
                updatedAt: now,
                endedAt: null,
              };
              subscriber.next({ phase: 'start', alarm: active });
            } else if (active.message !== message) {
              active = { ...active, message, updatedAt: now };
              subscriber.next({ phase: 'update', alarm: active });
            }
          } else if (active) {
            subscriber.next({ phase: 'end', alarm: { ...active, updatedAt: now, endedAt: now } });
            active = null;
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** Device technical codes that mean the device cannot measure at all. */
export const SENSOR_OFF_CODES: ReadonlySet<string> = new Set(['SENSOR_OFF', 'NO_SENSOR', 'NO_CABLE', 'DEFECTIVE_SENSOR', 'SENSOR_DISCONNECT']);

/**
 * Pump alarm conditions and their priority (IEC 60601-1-8 assignment: an occlusion or
 * air stops or endangers the infusion now -> high; a finished infusion or an open door
 * needs a prompt response -> medium; near end and low battery leave time -> low).
 */
export const PUMP_CONDITION_PRIORITIES: Readonly<Record<string, AlarmPriority>> = {
  OCCLUSION: 'high',
  AIR_IN_LINE: 'high',
  INFUSION_COMPLETE: 'medium',
  SYRINGE_OR_DOOR: 'medium',
  NEAR_END: 'low',
  LOW_BATTERY: 'low',
  // NE-1000: a pump that stopped on its safe-mode watchdog (Vigil's link failed) or stalled
  // no longer infuses -> high; a pump that reset after a power loss -> medium.
  PUMP_WATCHDOG_STOPPED: 'high',
  PUMP_STALLED: 'high',
  PUMP_RESET: 'medium',
};

export interface DeviceConditionPriorities {
  readonly sensorOff: AlarmPriority;
  readonly technical: AlarmPriority;
  readonly physiological: AlarmPriority;
}

/**
 * The device's own conditions as alarms: technical ones keep their code (SENSOR_OFF,
 * LOW_PERFUSION...), physiological ones from the device's own limits get `DEVICE_`
 * before their code so they are not confused with Vigil's limit alarms.
 */
export function deviceConditionAlarms(
  device: DeviceNaming,
  priorities: DeviceConditionPriorities,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<DeviceCondition, AlarmEvent> {
  return (source) =>
    new Observable<AlarmEvent>((subscriber) => {
      const active = new Map<string, AlarmCondition>();
      return source.subscribe({
        next: (c) => {
          const now = scheduler.now();
          const code = c.kind === 'physiological' ? `DEVICE_${c.code}` : c.code;
          const current = active.get(code);
          if (c.active && !current) {
            const priority =
              c.kind === 'physiological'
                ? priorities.physiological
                : SENSOR_OFF_CODES.has(c.code)
                  ? priorities.sensorOff
                  : (PUMP_CONDITION_PRIORITIES[c.code] ?? priorities.technical);
            const alarm: AlarmCondition = {
              id: `${device.bedId}/${device.deviceId}/${code}/${Math.round(now)}`,
              bedId: device.bedId,
              deviceId: device.deviceId,
              code,
              kind: c.kind,
              priority,
              message: `${device.label}: ${c.label}`,
              startedAt: now,
              updatedAt: now,
              endedAt: null,
            };
            active.set(code, alarm);
            subscriber.next({ phase: 'start', alarm });
          } else if (!c.active && current) {
            active.delete(code);
            subscriber.next({ phase: 'end', alarm: { ...current, updatedAt: now, endedAt: now } });
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
