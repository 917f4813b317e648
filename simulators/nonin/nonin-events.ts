import { z } from 'zod';

/**
 * Faults only the simulated Nonin oximeter has, besides the shared device events
 * (sensor-off, silence, garbage, disconnect, resume). `seconds` is real time; absent =
 * until `resume`.
 */

/** STATUS artifact bit (0x20) on every frame and a noisy pleth. */
export const artifactEventSchema = z.strictObject({
  type: z.literal('artifact'),
  seconds: z.number().positive().max(86_400).optional(),
});

/** The next `frames` frames (default 1) go out with a wrong checksum, one in every 10 frames. */
export const badChecksumEventSchema = z.strictObject({
  type: z.literal('bad-checksum'),
  frames: z.number().int().min(1).max(10_000).optional(),
});

export const NONIN_EVENT_SCHEMAS = [artifactEventSchema, badChecksumEventSchema] as const;
export const NONIN_EVENT_TYPES = ['artifact', 'bad-checksum'] as const;

export type NoninEvent = z.infer<typeof artifactEventSchema> | z.infer<typeof badChecksumEventSchema>;
