import { z } from 'zod';

/**
 * Faults a simulated device can be told to show. They act on the device and its link,
 * not on the patient. `seconds` is real (wall-clock) time; absent = until `resume`.
 */
const seconds = z.number().positive().max(86_400).optional();

/** Sensor off the finger: values unavailable (`--`), EXC 0x20. */
export const sensorOffEventSchema = z.strictObject({ type: z.literal('sensor-off'), seconds });
/** The device writes nothing at all (cable fine, no data). */
export const silenceEventSchema = z.strictObject({ type: z.literal('silence'), seconds });
/** Writes a garbled line once (`bytes` random bytes, default 40, then CR LF), then carries on normally. */
export const garbageEventSchema = z.strictObject({
  type: z.literal('garbage'),
  bytes: z.number().int().min(1).max(65_536).optional(),
});
/** The link goes down: TCP clients are dropped and new ones refused; serial stops writing. */
export const disconnectEventSchema = z.strictObject({ type: z.literal('disconnect'), seconds });
/** Ends any sensor-off, silence or disconnect now. */
export const resumeEventSchema = z.strictObject({ type: z.literal('resume') });

export const DEVICE_EVENT_SCHEMAS = [
  sensorOffEventSchema,
  silenceEventSchema,
  garbageEventSchema,
  disconnectEventSchema,
  resumeEventSchema,
] as const;

export type DeviceEvent =
  | z.infer<typeof sensorOffEventSchema>
  | z.infer<typeof silenceEventSchema>
  | z.infer<typeof garbageEventSchema>
  | z.infer<typeof disconnectEventSchema>
  | z.infer<typeof resumeEventSchema>;

export const DEVICE_EVENT_TYPES = ['sensor-off', 'silence', 'garbage', 'disconnect', 'resume'] as const;

export const DEFAULT_GARBAGE_BYTES = 40;
