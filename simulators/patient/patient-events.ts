import { z } from 'zod';

/** Defaults of the scripted patient events (physiological seconds). */
export const PATIENT_EVENT_DEFAULTS = {
  desaturationTargetSpo2: 82,
  rampSeconds: 20,
  holdSeconds: 120,
} as const;

const rampSeconds = z.number().min(0).max(3600).optional();
const holdSeconds = z.number().min(0).max(86_400).optional();

/** Ramp SpO2 to `targetSpo2` (default 82 %) over `rampSeconds`, hold, then recover. */
export const desaturationEventSchema = z.strictObject({
  type: z.literal('desaturation'),
  targetSpo2: z.number().min(40).max(100).optional(),
  rampSeconds,
  holdSeconds,
});

/** Ramp the pulse rate to `targetBpm` over `rampSeconds`, hold, then recover. */
export const pulseChangeEventSchema = z.strictObject({
  type: z.literal('pulse-change'),
  targetBpm: z.number().min(20).max(250),
  rampSeconds,
  holdSeconds,
});

/** Back to baseline now: every scripted patient effect ends (a drug in the blood keeps acting). */
export const recoverEventSchema = z.strictObject({ type: z.literal('recover') });

export const PATIENT_EVENT_SCHEMAS = [desaturationEventSchema, pulseChangeEventSchema, recoverEventSchema] as const;

export type PatientEvent =
  | z.infer<typeof desaturationEventSchema>
  | z.infer<typeof pulseChangeEventSchema>
  | z.infer<typeof recoverEventSchema>;

export const PATIENT_EVENT_TYPES = ['desaturation', 'pulse-change', 'recover'] as const;
