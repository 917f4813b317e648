import { z } from 'zod';

/**
 * Options of the `nonin` driver (docs/protocols/nonin.md, "Options").
 * - `format`: the serial data format the oximeter is set to, 2 or 7 (default 7).
 * - `communicationLostAfterMs`: no valid frame for this long means the device is silent.
 *   The device sends 75 frames/s; terminal servers may batch them, hence the 500 ms floor.
 * - `setFormatOnConnect`: on each connection, send the documented "set data format"
 *   command for `format` (the only bytes this driver ever writes). Default false: the
 *   driver never writes.
 */
export const noninOptionsSchema = z
  .strictObject({
    format: z.union([z.literal(2), z.literal(7)]).default(7),
    communicationLostAfterMs: z.number().int().min(500).max(60_000).default(2000),
    setFormatOnConnect: z.boolean().default(false),
  })
  .prefault({});

/** Validated options, defaults filled in. */
export type NoninOptions = z.output<typeof noninOptionsSchema>;
