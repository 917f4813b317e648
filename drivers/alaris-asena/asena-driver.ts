import { z } from 'zod';
import type { Observable } from 'rxjs';
import type { DeviceDriver, DriverContext, DriverDefinition } from '../../src/device/device-driver.js';
import { ASENA_DRIVER_ID, AsenaSession } from './asena-session.js';
import type { AsenaPumpState, PumpLocalChange } from './pump-state-tracker.js';

/**
 * Read-side driver of the Alaris Asena GH syringe pump (device-protocols.md, Asena GH;
 * docs/protocols/asena-gh.md). It reads the serial number, then polls INF and INF_VTBI.
 * SAFETY: the driver object has no way to program the pump: it only ever sends the three read
 * queries, and it never imports programming-commands.ts. Only when the daemon passes a
 * `commandLaneGrant` (for a bed's infusion pump) does it create a command lane into its queue,
 * which it hands to that grant (src/control/) and keeps nowhere else (docs/safety.md).
 */

export type { AsenaPumpState, PumpLocalChange } from './pump-state-tracker.js';
export type { PumpRunState } from './pump-codes.js';

export { ASENA_DRIVER_ID } from './asena-session.js';

/** Driver options, validated by the daemon's config loader. */
export const asenaOptionsSchema = z
  .strictObject({
    /** Time between poll cycles (INF then INF_VTBI). */
    pollIntervalMs: z.number().int().min(500).max(10_000).default(2000),
    /** How long to wait for the pump's reply to one command. */
    responseTimeoutMs: z.number().int().min(100).max(5000).default(1000),
    /** No valid reply for this long: data state 'silent' (communication lost). */
    communicationLostAfterMs: z.number().int().min(1000).max(60_000).default(10_000),
  })
  .refine((o) => o.communicationLostAfterMs > o.pollIntervalMs + o.responseTimeoutMs, {
    message: 'communicationLostAfterMs must be longer than pollIntervalMs + responseTimeoutMs',
    path: ['communicationLostAfterMs'],
  });

export type AsenaOptions = z.output<typeof asenaOptionsSchema>;

/** A running Asena driver: the DeviceDriver lifecycle plus read-only pump streams. No write method. */
export interface AsenaDriver extends DeviceDriver {
  /** The pump state; replays the current state to each subscriber. Completes on stop(). */
  readonly pumpState$: Observable<AsenaPumpState>;
  /** Rate and run-state changes between consecutive status replies. Completes on stop(). */
  readonly localChanges$: Observable<PumpLocalChange>;
}

/** Creates the read-side driver for one pump. */
export function createAsenaDriver(context: DriverContext<AsenaOptions>): AsenaDriver {
  return new AsenaSession(context);
}

export const alarisAsenaDriver = {
  id: ASENA_DRIVER_ID,
  description: 'Alaris (CareFusion) Asena GH syringe pump, ASCII serial protocol (polling; programming only through src/control)',
  optionsSchema: asenaOptionsSchema,
  serialDefaults: { baudRate: 38_400, dataBits: 8, parity: 'none', stopBits: 1 },
  programmablePump: 'alaris-asena-gh',
  create: createAsenaDriver,
} satisfies DriverDefinition<typeof asenaOptionsSchema>;
