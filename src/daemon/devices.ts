import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { GatewayBus } from '../bus/gateway-bus.js';
import type { VigilConfig } from '../config/schema.js';
import type { DeviceDriver, DriverDefinition } from '../device/device-driver.js';
import type { CommandLaneGrant, RegisterLaneGrant } from '../device/command-lane.js';
import { VigilError } from '../core/errors.js';
import { createTransport } from '../transport/create-transport.js';
import type { ByteTransport } from '../transport/byte-transport.js';
import { findDriver } from '../../drivers/registry.js';

/** One configured device with its running driver. */
export interface RunningDevice {
  readonly bedId: string;
  readonly deviceId: string;
  readonly definition: DriverDefinition;
  readonly driver: DeviceDriver;
}

export interface DeviceDeps {
  readonly bus: GatewayBus;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * The lane grant for a device, if its control is handed to src/control/ (the bed's
   * infusion pump); empty for every other device.
   */
  readonly laneGrantsFor: (
    bedId: string,
    deviceId: string,
    family: NonNullable<DriverDefinition['programmablePump']>,
  ) => { commandLaneGrant?: CommandLaneGrant; registerLaneGrant?: RegisterLaneGrant };
  /** Wraps each device's transport (a measurement hook: the benchmark times chunk arrival). */
  readonly wrapTransport?: (transport: ByteTransport, device: { readonly bedId: string; readonly deviceId: string }) => ByteTransport;
}

/** Creates (without starting) one transport + driver per configured device. */
export function createDevices(config: VigilConfig, deps: DeviceDeps): RunningDevice[] {
  const devices: RunningDevice[] = [];
  for (const bed of config.beds) {
    for (const device of bed.devices) {
      const definition = findDriver(device.driver);
      if (!definition) throw new VigilError('DRIVER_UNKNOWN', `unknown driver "${device.driver}"`, { bed: bed.id, device: device.id });
      const logger = deps.logger.child({ component: 'device', bed: bed.id, device: device.id, driver: device.driver });
      const inner = createTransport(device.transport, definition.serialDefaults, {
        logger: logger.child({ component: 'transport' }),
        clock: deps.clock,
      });
      const transport = deps.wrapTransport ? deps.wrapTransport(inner, { bedId: bed.id, deviceId: device.id }) : inner;
      const grants = definition.programmablePump ? deps.laneGrantsFor(bed.id, device.id, definition.programmablePump) : {};
      const driver = definition.create({
        bedId: bed.id,
        deviceId: device.id,
        transport,
        bus: deps.bus,
        logger,
        clock: deps.clock,
        options: device.options,
        ...grants,
      });
      devices.push({ bedId: bed.id, deviceId: device.id, definition, driver });
    }
  }
  return devices;
}
