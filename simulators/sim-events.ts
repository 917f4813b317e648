import { z } from 'zod';
import { VigilError } from '../src/core/errors.js';
import { PUMP_EVENT_SCHEMAS, PUMP_EVENT_TYPES, type PumpEvent } from './alaris-asena/pump-events.js';
import { DEVICE_EVENT_SCHEMAS, DEVICE_EVENT_TYPES, type DeviceEvent } from './device/device-events.js';
import { MONITOR_EVENT_SCHEMAS, MONITOR_EVENT_TYPES } from './modbus-monitor/monitor-events.js';
import type { MonitorEvent } from './modbus-monitor/modbus-monitor-sim.js';
import { PATIENT_EVENT_SCHEMAS, PATIENT_EVENT_TYPES, type PatientEvent } from './patient/patient-events.js';
import { NONIN_EVENT_SCHEMAS, NONIN_EVENT_TYPES, type NoninEvent } from './nonin/nonin-events.js';

const EVENT_SCHEMAS = [...PATIENT_EVENT_SCHEMAS, ...DEVICE_EVENT_SCHEMAS, ...PUMP_EVENT_SCHEMAS, ...MONITOR_EVENT_SCHEMAS, ...NONIN_EVENT_SCHEMAS] as const;
const schema = z.discriminatedUnion('type', EVENT_SCHEMAS);

/**
 * A simulator event: patient events go to a bed's patient, device events (link faults)
 * to one device, pump events to one simulated pump.
 */
export type SimEvent = z.infer<typeof schema>;

/** Validates a simulator event (unknown parameters are rejected). */
export const simEventSchema: z.ZodType<SimEvent> = schema;

export const SIM_EVENT_TYPES: readonly SimEvent['type'][] = [
  ...PATIENT_EVENT_TYPES, ...DEVICE_EVENT_TYPES, ...PUMP_EVENT_TYPES, ...MONITOR_EVENT_TYPES, ...NONIN_EVENT_TYPES,
];

/** The link faults a pump shares with the other devices (a pump has no sensor). */
export const PUMP_LINK_EVENT_TYPES = ['silence', 'garbage', 'disconnect', 'resume'] as const;

/** An event a simulated pump accepts. */
export type PumpDeviceEvent = PumpEvent | Exclude<DeviceEvent, { type: 'sensor-off' }>;

/** True for `desaturation`, `pulse-change`, `recover`. */
export function isPatientEvent(event: SimEvent): event is PatientEvent {
  return (PATIENT_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** True for `sensor-off`, `silence`, `garbage`, `disconnect`, `resume`. */
export function isDeviceEvent(event: SimEvent): event is DeviceEvent {
  return (DEVICE_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** True for the pump's own events and the link faults a pump accepts. */
export function isPumpDeviceEvent(event: SimEvent): event is PumpDeviceEvent {
  return ([...PUMP_EVENT_TYPES, ...PUMP_LINK_EVENT_TYPES] as readonly string[]).includes(event.type);
}

function invalid(message: string, context: Record<string, unknown> = {}): VigilError {
  return new VigilError('SIMULATOR_EVENT_INVALID', message, context);
}

/**
 * Parses an event from untrusted input (JSON body, CLI). Throws VigilError
 * SIMULATOR_EVENT_INVALID whose message names the bad field and why.
 */
export function parseSimEvent(input: unknown): SimEvent {
  const expected = `expected one of: ${SIM_EVENT_TYPES.join(', ')}`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`event must be a JSON object such as {"type":"desaturation"}`);
  }
  const type: unknown = (input as Record<string, unknown>)['type'];
  if (typeof type !== 'string') throw invalid(`type: missing or not a string; ${expected}`);
  const eventSchema = EVENT_SCHEMAS.find((s) => s.shape.type.value === type);
  if (!eventSchema) throw invalid(`type: unknown event type "${type}"; ${expected}`, { type });
  const result = eventSchema.safeParse(input);
  if (result.success) return result.data;
  const allowed = Object.keys(eventSchema.shape).filter((k) => k !== 'type');
  const messages = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const list = allowed.length ? allowed.join(', ') : 'none';
      return `${issue.keys.join(', ')}: not a parameter of "${type}" (allowed: ${list})`;
    }
    return `${issue.path.join('.') || 'event'}: ${issue.message}`;
  });
  throw invalid(messages.join('; '), { type, issues: result.error.issues });
}

/** True for the Modbus monitor's own events and the device events it shares with the oximeters. */
export function isMonitorEvent(event: SimEvent): event is MonitorEvent {
  return ([...MONITOR_EVENT_TYPES, ...DEVICE_EVENT_TYPES] as readonly string[]).includes(event.type);
}

/** True for the Nonin oximeter's own events (`artifact`, `bad-checksum`). */
export function isNoninEvent(event: SimEvent): event is NoninEvent {
  return (NONIN_EVENT_TYPES as readonly string[]).includes(event.type);
}
