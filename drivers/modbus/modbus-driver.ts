import type { Observable } from 'rxjs';
import type { DeviceDriver, DriverContext, DriverDefinition } from '../../src/device/device-driver.js';
import { modbusOptionsSchema, type ModbusOptions } from './modbus-options.js';
import { MODBUS_DRIVER_ID, ModbusSession } from './modbus-session.js';
import type { ModbusPumpLocalChange, ModbusPumpState } from './pump-state.js';

/**
 * The generic Modbus driver (docs/protocols/modbus.md): Modbus RTU or Modbus TCP over any
 * ByteTransport, reading what a register-map file (config/modbus-maps/, add-modbus-device.md)
 * describes. Read-only by itself. SAFETY: for a map with a `pump` section, and only when the
 * daemon passes a `registerLaneGrant`, it creates a register lane into its own request queue
 * and hands it to that grant (src/control/), keeping no reference to it (docs/safety.md).
 */

export { MODBUS_DRIVER_ID } from './modbus-session.js';
export { modbusOptionsSchema, type ModbusOptions } from './modbus-options.js';
export type { ModbusPumpState, ModbusPumpLocalChange, ModbusPumpRunState } from './pump-state.js';

/** A running Modbus driver: the DeviceDriver lifecycle plus read-only pump streams. No write method. */
export interface ModbusDriver extends DeviceDriver {
  /**
   * The pump state (maps with a `pump` section; otherwise it stays at its initial, not-fresh
   * value). Replays the current state to each subscriber. Completes on stop().
   */
  readonly pumpState$: Observable<ModbusPumpState>;
  /** Rate and run-state changes between consecutive reads. Completes on stop(). */
  readonly localChanges$: Observable<ModbusPumpLocalChange>;
}

/** Creates the driver for one device. */
export function createModbusDriver(context: DriverContext<ModbusOptions>): ModbusDriver {
  return new ModbusSession(context);
}

export const modbusDriver = {
  id: MODBUS_DRIVER_ID,
  description: 'Modbus RTU / Modbus TCP device described by a register map (config/modbus-maps); pumps programmed only through src/control',
  optionsSchema: modbusOptionsSchema,
  // Modbus over serial line V1.02, 2.5.1: even parity is the default.
  serialDefaults: { baudRate: 19_200, dataBits: 8, parity: 'even', stopBits: 1 },
  programmablePump: 'modbus-register-map',
  canProgram: (options) => options.registerMap.pump !== undefined,
  create: createModbusDriver,
} satisfies DriverDefinition<typeof modbusOptionsSchema>;
