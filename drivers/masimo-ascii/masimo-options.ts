import { z } from 'zod';

/**
 * Options of the `masimo-ascii` driver (docs/protocols/masimo-ascii.md, "Options").
 * - `communicationLostAfterMs`: no valid line for this long means the device is silent.
 *   The device sends one line per second, so the floor is 1100 ms (device-protocols.md).
 * - `deviceTimeZone`: how to read the line timestamp, which carries no zone.
 */
export const masimoAsciiOptionsSchema = z
  .strictObject({
    communicationLostAfterMs: z.number().int().min(1100).max(60_000).default(3000),
    deviceTimeZone: z.enum(['local', 'utc']).default('local'),
  })
  .prefault({});

/** Validated options, defaults filled in. */
export type MasimoAsciiOptions = z.output<typeof masimoAsciiOptionsSchema>;
