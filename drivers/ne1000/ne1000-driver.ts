import { z } from 'zod';
import type { Observable } from 'rxjs';
import type { DeviceDriver, DriverContext, DriverDefinition } from '../../src/device/device-driver.js';
import { NE1000_DRIVER_ID, Ne1000Session } from './ne1000-session.js';
import type { Ne1000PumpState } from './pump-state-tracker.js';

/**
 * Read-only driver of the New Era NE-1000 syringe pump in safe mode (device-protocols.md,
 * "New Era NE-1000 family"; docs/protocols/ne1000.md).
 * SAFETY: Vigil does not program this pump. The driver sends only the queries VER, SAF, DIA,
 * RAT, DIS and the status query; it never sends `SAF<n>` (safe mode and its watchdog are set at
 * the pump by the biomedical engineer), has no write method and never creates a command lane,
 * even when its context holds a grant (docs/safety.md).
 */

export type { Ne1000PumpState, Ne1000RunState } from './pump-state-tracker.js';
export { NE1000_DRIVER_ID } from './ne1000-session.js';

/** Driver options, validated by the daemon's config loader. */
export const ne1000OptionsSchema = z
  .strictObject({
    /** The pump's network address (set at the pump), 0-99. */
    address: z.number().int().min(0).max(99).default(0),
    /**
     * Time between poll cycles while the link is healthy. Must be below a third of the pump's
     * watchdog; when it is not, the driver warns and polls at just under a third of it.
     */
    pollIntervalMs: z.number().int().min(100).max(10_000).default(1000),
    /** How long to wait for the pump's reply to one query. */
    responseTimeoutMs: z.number().int().min(50).max(5000).default(500),
    /** No valid reply for this long: data state 'silent' (communication lost). */
    communicationLostAfterMs: z.number().int().min(1000).max(60_000).default(5000),
  })
  .refine((o) => o.communicationLostAfterMs > o.pollIntervalMs + o.responseTimeoutMs, {
    message: 'communicationLostAfterMs must be longer than pollIntervalMs + responseTimeoutMs',
    path: ['communicationLostAfterMs'],
  });

export type Ne1000Options = z.output<typeof ne1000OptionsSchema>;

/** A running NE-1000 driver: the DeviceDriver lifecycle plus the read-only pump state. No write method. */
export interface Ne1000Driver extends DeviceDriver {
  /** The pump state; replays the current state to each subscriber. Completes on stop(). */
  readonly pumpState$: Observable<Ne1000PumpState>;
}

/** Creates the read-only driver for one pump. */
export function createNe1000Driver(context: DriverContext<Ne1000Options>): Ne1000Driver {
  return new Ne1000Session(context);
}

export const ne1000Driver = {
  id: NE1000_DRIVER_ID,
  description: 'New Era NE-1000 syringe pump, safe mode (CRC-16/XMODEM, watchdog read and fed, never set); read-only',
  optionsSchema: ne1000OptionsSchema,
  serialDefaults: { baudRate: 19_200, dataBits: 8, parity: 'none', stopBits: 1 },
  create: createNe1000Driver,
} satisfies DriverDefinition<typeof ne1000OptionsSchema>;
