/**
 * zod schemas of the alarm-control API's request bodies (docs/station-api.md). Strict
 * objects: an unknown field is an error. They check shape and sanity; the alarm
 * profile schema (through AlarmControl) judges the limits themselves.
 */
import { z } from 'zod';
import type { AlarmOffBody, AudioPauseBody, LimitChangeBody, ProfileSwitchBody } from './web/api-types.js';

const ruleOrProfileId = z.string().trim().min(1).max(48);
const limitValue = z.number().finite().min(-1_000_000).max(1_000_000).nullable();

/** Optional body: none, `{}` or `{ ms }` (1 s to 15 min; the bed's profile sets the real maximum). */
export const audioPauseSchema = z.strictObject({ ms: z.number().int().min(1000).max(900_000).optional() }).optional() satisfies z.ZodType<AudioPauseBody | undefined>;

export const alarmOffSchema = z.strictObject({ ruleId: ruleOrProfileId, off: z.boolean() }) satisfies z.ZodType<AlarmOffBody>;

export const profileSwitchSchema = z.strictObject({ profileId: ruleOrProfileId }) satisfies z.ZodType<ProfileSwitchBody>;

export const limitChangeSchema = z
  .strictObject({
    low: limitValue.optional(),
    high: limitValue.optional(),
    priority: z.enum(['high', 'medium', 'low']).optional(),
    delayMs: z.number().int().min(0).max(120_000).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of low, high, priority and delayMs' }) satisfies z.ZodType<LimitChangeBody>;

/** For commands that take no body: nothing, or an empty object. */
export const noBodySchema = z.strictObject({}).optional();
