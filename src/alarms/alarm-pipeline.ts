import { asyncScheduler, filter, merge, share, type Observable, type SchedulerLike } from 'rxjs';
import type { BedConfig } from '../config/schema.js';
import { METRICS, type MetricId } from '../model/metrics.js';
import type { Observation } from '../model/observation.js';
import type { DeviceCondition, DeviceStatus } from '../model/device-events.js';
import type { AlarmEvent } from './alarm.js';
import { limitAlarm } from './limit-alarm.js';
import { communicationLostAlarm, deviceConditionAlarms, type DeviceNaming } from './technical-alarms.js';

/** The gateway streams the alarm stage reads. */
export interface AlarmInputs {
  readonly observations$: Observable<Observation>;
  readonly status$: Observable<DeviceStatus>;
  readonly conditions$: Observable<DeviceCondition>;
}

const CODE_STEMS: Partial<Record<MetricId, string>> = { spo2: 'SPO2', 'pulse-rate': 'PULSE_RATE', 'heart-rate': 'HEART_RATE' };

/**
 * All alarm rules of all beds, composed from one operator per rule and device,
 * merged into one hot stream of alarm events. This is the seam the full alarm
 * engine (profiles, latching, acknowledgement, escalation) replaces.
 */
export function createAlarmPipeline(
  beds: readonly BedConfig[],
  inputs: AlarmInputs,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<AlarmEvent> {
  const streams: Observable<AlarmEvent>[] = [];
  for (const bed of beds) {
    for (const device of bed.devices) {
      const naming: DeviceNaming = { bedId: bed.id, deviceId: device.id, label: device.label ?? device.id };
      const isThisDevice = <T extends { bedId: string; deviceId: string }>(e: T): boolean => e.bedId === bed.id && e.deviceId === device.id;
      streams.push(inputs.status$.pipe(filter(isThisDevice), communicationLostAlarm(naming, bed.alarms.communicationLostPriority, scheduler)));
      streams.push(
        inputs.conditions$.pipe(
          filter(isThisDevice),
          deviceConditionAlarms(
            naming,
            {
              sensorOff: bed.alarms.sensorOffPriority,
              technical: bed.alarms.deviceTechnicalPriority,
              physiological: bed.alarms.deviceAlarmPriority,
            },
            scheduler,
          ),
        ),
      );
      for (const [metric, rule] of Object.entries(bed.alarms.limits) as [MetricId, (typeof bed.alarms.limits)[MetricId]][]) {
        if (!rule) continue;
        const def = METRICS[metric];
        streams.push(
          inputs.observations$.pipe(
            filter((o) => o.metric === metric && isThisDevice(o)),
            limitAlarm(
              {
                bedId: bed.id,
                deviceId: device.id,
                codeStem: CODE_STEMS[metric] ?? metric.toUpperCase().replace(/-/g, '_'),
                label: def.label,
                unitLabel: def.unit === 'Cel' ? '°C' : def.unit === 'mm[Hg]' ? 'mmHg' : def.unit,
                low: rule.low,
                high: rule.high,
                priority: rule.priority,
                delayMs: rule.delayMs,
              },
              scheduler,
            ),
          ),
        );
      }
    }
  }
  return merge(...streams).pipe(share());
}
