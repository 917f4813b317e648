import { map, type Observable } from 'rxjs';
import type { AsenaPumpState, PumpLocalChange } from '../../../drivers/alaris-asena/asena-driver.js';
import type { PumpReading } from '../order-types.js';
import type { PumpLocalChangeInput } from '../controlled-pump.js';

/** The Asena driver's pump state as the control module reads it. KVO and bolus count as `unknown`. */
export function asenaReading(state: AsenaPumpState): PumpReading {
  return {
    rateMlPerHour: state.rateMlPerHour,
    runState: state.run === 'running' || state.run === 'stopped' ? state.run : 'unknown',
    serial: state.serial,
    volumeInfusedMl: state.volumeInfusedMl,
    vtbiRemainingMl: state.vtbiRemainingMl,
    fresh: state.fresh,
    readAt: state.updatedAt,
  };
}

export function asenaReadings(state$: Observable<AsenaPumpState>): Observable<PumpReading> {
  return state$.pipe(map(asenaReading));
}

/** The driver's change events in the control module's terms. */
export function asenaLocalChanges(changes$: Observable<PumpLocalChange>): Observable<PumpLocalChangeInput> {
  return changes$.pipe(
    map((c): PumpLocalChangeInput =>
      c.kind === 'rate'
        ? { kind: 'rate', before: `${c.before.toFixed(2)} mL/h`, after: `${c.after.toFixed(2)} mL/h`, rateAfterMlPerHour: c.after, runStateAfter: null, at: c.at }
        : {
            kind: 'run-state',
            before: c.before,
            after: c.after,
            rateAfterMlPerHour: null,
            runStateAfter: c.after === 'running' || c.after === 'stopped' ? c.after : 'unknown',
            at: c.at,
          },
    ),
  );
}
