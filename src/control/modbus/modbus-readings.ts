import { map, type Observable } from 'rxjs';
import type { ModbusPumpLocalChange, ModbusPumpState } from '../../../drivers/modbus/modbus-driver.js';
import type { PumpReading } from '../order-types.js';
import type { PumpLocalChangeInput } from '../controlled-pump.js';

/**
 * The Modbus driver's pump state (drivers/modbus/pump-state.ts) as the control module reads
 * it: the map's pump-rate metric and pump.running bit, fresh only once both were read on the
 * current link. The same mapping as asena-readings.ts.
 */
export function modbusReading(state: ModbusPumpState): PumpReading {
  return {
    rateMlPerHour: state.rateMlPerHour,
    runState: state.run,
    serial: state.serial,
    volumeInfusedMl: state.volumeInfusedMl,
    vtbiRemainingMl: state.vtbiRemainingMl,
    fresh: state.fresh,
    readAt: state.updatedAt,
  };
}

export function modbusReadings(state$: Observable<ModbusPumpState>): Observable<PumpReading> {
  return state$.pipe(map(modbusReading));
}

/** The driver's change events in the control module's terms. */
export function modbusLocalChanges(changes$: Observable<ModbusPumpLocalChange>): Observable<PumpLocalChangeInput> {
  return changes$.pipe(
    map((c): PumpLocalChangeInput =>
      c.kind === 'rate'
        ? { kind: 'rate', before: `${c.before.toFixed(2)} mL/h`, after: `${c.after.toFixed(2)} mL/h`, rateAfterMlPerHour: c.after, runStateAfter: null, at: c.at }
        : { kind: 'run-state', before: c.before, after: c.after, rateAfterMlPerHour: null, runStateAfter: c.after, at: c.at },
    ),
  );
}
