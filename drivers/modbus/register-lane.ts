import { VigilError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { RegisterLane } from '../../src/device/command-lane.js';
import type { ModbusMaster } from './modbus-master.js';
import { registerCount, type PumpMap } from './register-map.js';

/**
 * The register lane of a Modbus pump (src/device/command-lane.ts): function 6 and 16 writes
 * through the driver's own request queue, each sent once, never retried.
 *
 * SAFETY (docs/safety.md): the driver creates this lane only when the daemon hands it a
 * registerLaneGrant and gives it to that grant alone (src/control/). As a second fence, the
 * lane writes only registers that the map's own write sequences (pump.rateChange, pump.stop)
 * name; any other address is refused before the wire.
 */
export function createRegisterLane(master: ModbusMaster, pump: PumpMap, log: Logger): RegisterLane {
  const writable = new Set<number>();
  for (const step of [...pump.rateChange, ...pump.stop]) {
    if (step.op === 'write') writable.add(step.register);
    else for (let i = 0; i < registerCount(step.value.type); i++) writable.add(step.value.register + i);
  }
  const check = (address: number, count: number, description: string): void => {
    for (let a = address; a < address + count; a++) {
      if (!writable.has(a)) {
        throw new VigilError('PUMP_VALUE_INVALID', `${description}: register ${a} is not in the map's write sequences`, {
          address: a,
          writable: [...writable].sort((x, y) => x - y),
        });
      }
    }
  };
  return {
    writeRegister: async (address, value, options) => {
      check(address, 1, options.description);
      log.info({ command: options.description, address, value }, 'register write from the control workflow');
      await master.writeRegister(address, value, options);
    },
    writeRegisters: async (address, values, options) => {
      check(address, values.length, options.description);
      log.info({ command: options.description, address, values }, 'register write from the control workflow');
      await master.writeRegisters(address, values, options);
    },
  };
}
