import type { Observable } from 'rxjs';
import type { InfusionProgramme, PumpReading } from './order-types.js';
import type { PumpExecutor } from './pump-executor.js';

/** A change the pump reported that Vigil did not command (made at its keypad). */
export interface PumpLocalChangeInput {
  readonly kind: 'rate' | 'run-state';
  /** Human-readable values, e.g. `5.25 mL/h` / `running`. */
  readonly before: string;
  readonly after: string;
  /** The new rate in mL/h for a rate change (null otherwise), to tell commanded from local changes. */
  readonly rateAfterMlPerHour: number | null;
  readonly runStateAfter: PumpReading['runState'] | null;
  readonly at: number;
}

/**
 * One pump under the control module: what the daemon wiring hands it. `readings$` and
 * `localChanges$` come from the pump's read-side driver; `executor` is the only thing
 * that can program it, and exists only here.
 */
export interface ControlledPump {
  readonly bedId: string;
  readonly deviceId: string;
  readonly label: string;
  readonly programme: InfusionProgramme;
  /** Replays the current reading to each subscriber. */
  readonly readings$: Observable<PumpReading>;
  readonly localChanges$: Observable<PumpLocalChangeInput>;
  readonly executor: PumpExecutor;
}
