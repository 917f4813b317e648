import { z } from 'zod';
import { SIM_RATE_LIMITS_ML_PER_HOUR } from './pump-model.js';

/**
 * Events of a simulated Asena GH pump (besides the link faults it shares with every
 * device: silence, garbage, disconnect, resume). Physical alarms stay until
 * `clear-alarms` and never restart the pump; keypad events are a nurse at the pump.
 * `seconds` is real (wall-clock) time; absent = until `resume`.
 */
const seconds = z.number().positive().max(86_400).optional();

/** The line is blocked: the pump stops with an occlusion alarm. */
export const occlusionEventSchema = z.strictObject({ type: z.literal('occlusion') });
/** Air in the line: the pump stops with an alarm. */
export const airInLineEventSchema = z.strictObject({ type: z.literal('air-in-line') });
/** Syringe clamp or door open: the pump stops with an alarm. */
export const doorOpenEventSchema = z.strictObject({ type: z.literal('door-open') });
/** Low battery: an alarm only, the pump keeps running. */
export const lowBatteryEventSchema = z.strictObject({ type: z.literal('low-battery') });
/** Ends occlusion, air-in-line, door-open and low-battery (the pump stays stopped). */
export const clearAlarmsEventSchema = z.strictObject({ type: z.literal('clear-alarms') });
/** Every reply carries a wrong CRC (commands are still executed). */
export const corruptRepliesEventSchema = z.strictObject({ type: z.literal('corrupt-replies'), seconds });
/**
 * The pump accepts a set-rate command, echoes the commanded rate, but runs rate x `factor`
 * (default 1.1, capped at 1200 mL/h). Lasts until `resume`.
 */
export const wrongRateEventSchema = z.strictObject({
  type: z.literal('wrong-rate'),
  factor: z
    .number()
    .min(0.1)
    .max(10)
    .refine((f) => f !== 1, 'must differ from 1 (1 would run the commanded rate)')
    .optional(),
});
/** A nurse sets the rate at the pump's keypad, mL/h. */
export const keypadRateEventSchema = z.strictObject({
  type: z.literal('keypad-rate'),
  rateMlPerHour: z.number().min(SIM_RATE_LIMITS_ML_PER_HOUR.min).max(SIM_RATE_LIMITS_ML_PER_HOUR.max),
});
/** A nurse presses stop at the pump. */
export const keypadStopEventSchema = z.strictObject({ type: z.literal('keypad-stop') });
/** A nurse presses start at the pump (refused while an alarm blocks it or nothing is left). */
export const keypadStartEventSchema = z.strictObject({ type: z.literal('keypad-start') });

export const PUMP_EVENT_SCHEMAS = [
  occlusionEventSchema,
  airInLineEventSchema,
  doorOpenEventSchema,
  lowBatteryEventSchema,
  clearAlarmsEventSchema,
  corruptRepliesEventSchema,
  wrongRateEventSchema,
  keypadRateEventSchema,
  keypadStopEventSchema,
  keypadStartEventSchema,
] as const;

export type PumpEvent = z.infer<(typeof PUMP_EVENT_SCHEMAS)[number]>;

export const PUMP_EVENT_TYPES = [
  'occlusion', 'air-in-line', 'door-open', 'low-battery', 'clear-alarms', 'corrupt-replies', 'wrong-rate',
  'keypad-rate', 'keypad-stop', 'keypad-start',
] as const satisfies readonly PumpEvent['type'][];

/** Default of `wrong-rate`'s factor. */
export const DEFAULT_WRONG_RATE_FACTOR = 1.1;
