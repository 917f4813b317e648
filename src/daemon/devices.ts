import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { GatewayBus } from '../bus/gateway-bus.js';
import type { VigilConfig } from '../config/schema.js';
import type { DeviceDriver } from '../device/device-driver.js';
import { VigilError } from '../core/errors.js';
import { createTransport } from '../transport/create-transport.js';
import { findDriver } from '../../drivers/registry.js';

/** Creates and starts one transport + driver per configured device. */
export function startDevices(config: VigilConfig, deps: { bus: GatewayBus; logger: Logger; clock: Clock }): DeviceDriver[] {
  const drivers: DeviceDriver[] = [];
  for (const bed of config.beds) {
    for (const device of bed.devices) {
      const definition = findDriver(device.driver);
      if (!definition) throw new VigilError('DRIVER_UNKNOWN', `unknown driver "${device.driver}"`, { bed: bed.id, device: device.id });
      const logger = deps.logger.child({ component: 'device', bed: bed.id, device: device.id, driver: device.driver });
      const transport = createTransport(device.transport, definition.serialDefaults, {
        logger: logger.child({ component: 'transport' }),
        clock: deps.clock,
      });
      const driver = definition.create({
        bedId: bed.id,
        deviceId: device.id,
        transport,
        bus: deps.bus,
        logger,
        clock: deps.clock,
        options: device.options,
      });
      driver.start();
      drivers.push(driver);
    }
  }
  return drivers;
}
