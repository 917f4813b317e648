/** The Modbus driver's pump state and change events in the control module's terms. */
import { describe, expect, it } from 'vitest';
import { firstValueFrom, of, toArray } from 'rxjs';
import { modbusLocalChanges, modbusReading, modbusReadings } from '../../../src/control/modbus/modbus-readings.js';
import { INITIAL_MODBUS_PUMP_STATE, type ModbusPumpState } from '../../../drivers/modbus/pump-state.js';

const STATE: ModbusPumpState = {
  serial: null, run: 'running', rateMlPerHour: 7.25, volumeInfusedMl: 1.5, vtbiRemainingMl: null,
  activeConditions: ['NEAR_END'], fresh: true, updatedAt: 1_700_000_000_000,
};

describe('modbus readings', () => {
  it('maps rate, run state, volumes, freshness and the read time', () => {
    expect(modbusReading(STATE)).toEqual({
      rateMlPerHour: 7.25, runState: 'running', serial: null, volumeInfusedMl: 1.5, vtbiRemainingMl: null, fresh: true, readAt: 1_700_000_000_000,
    });
  });

  it('the initial state is not fresh, run state unknown, no read time', () => {
    expect(modbusReading(INITIAL_MODBUS_PUMP_STATE)).toMatchObject({ fresh: false, runState: 'unknown', readAt: null, rateMlPerHour: null });
  });

  it('streams map one to one', async () => {
    const out = await firstValueFrom(modbusReadings(of(STATE, { ...STATE, run: 'stopped' as const, fresh: false })).pipe(toArray()));
    expect(out.map((r) => [r.runState, r.fresh])).toEqual([['running', true], ['stopped', false]]);
  });

  it('rate and run-state changes become the control module change inputs', async () => {
    const out = await firstValueFrom(
      modbusLocalChanges(of(
        { kind: 'rate', before: 5.25, after: 12, at: 10, acrossGap: false } as const,
        { kind: 'run-state', before: 'running', after: 'stopped', at: 20, acrossGap: true } as const,
      )).pipe(toArray()),
    );
    expect(out).toEqual([
      { kind: 'rate', before: '5.25 mL/h', after: '12.00 mL/h', rateAfterMlPerHour: 12, runStateAfter: null, at: 10 },
      { kind: 'run-state', before: 'running', after: 'stopped', rateAfterMlPerHour: null, runStateAfter: 'stopped', at: 20 },
    ]);
  });
});
