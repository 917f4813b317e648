import type { DriverDefinition } from '../src/device/device-driver.js';
import { masimoAsciiDriver } from './masimo-ascii/masimo-driver.js';
import { alarisAsenaDriver } from './alaris-asena/asena-driver.js';
import { modbusDriver } from './modbus/modbus-driver.js';
import { noninDriver } from './nonin/nonin-driver.js';
import { ne1000Driver } from './ne1000/ne1000-driver.js';

/** Every device family Vigil can drive, by the id used in configuration. */
export const DRIVERS: readonly DriverDefinition[] = [masimoAsciiDriver, alarisAsenaDriver as DriverDefinition, noninDriver, ne1000Driver as DriverDefinition, modbusDriver as DriverDefinition];

export function findDriver(id: string): DriverDefinition | undefined {
  return DRIVERS.find((d) => d.id === id);
}
