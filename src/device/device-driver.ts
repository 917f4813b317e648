import type { z } from 'zod';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { DevicePublisher } from '../bus/gateway-bus.js';
import type { ByteTransport } from '../transport/byte-transport.js';
import type { CommandLaneGrant, RegisterLaneGrant } from './command-lane.js';

/** What the daemon hands a driver. A driver never learns which kind of transport it has. */
export interface DriverContext<Options> {
  readonly bedId: string;
  readonly deviceId: string;
  readonly transport: ByteTransport;
  readonly bus: DevicePublisher;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Options already validated by the driver's own schema. */
  readonly options: Options;
  /**
   * Present only for a programmable pump whose control the daemon gives to src/control/:
   * the driver creates a command lane and hands it to this grant (docs/safety.md).
   */
  readonly commandLaneGrant?: CommandLaneGrant;
  /** The same for a Modbus pump described by a register map (register-level lane). */
  readonly registerLaneGrant?: RegisterLaneGrant;
}

/** A running driver for one device. */
export interface DeviceDriver {
  /** Starts the transport and the driver's timers. */
  start(): void;
  /** Stops timers and the transport. Idempotent. */
  stop(): Promise<void>;
}

/** Serial settings a device family needs when the transport URL does not say otherwise. */
export interface SerialDefaults {
  readonly baudRate: number;
  readonly dataBits: 5 | 6 | 7 | 8;
  readonly parity: 'none' | 'even' | 'odd';
  readonly stopBits: 1 | 2;
}

/** A device family: how to validate its options and create a driver for one device. */
export interface DriverDefinition<Schema extends z.ZodType = z.ZodType> {
  /** The id used in configuration, e.g. `masimo-ascii`. */
  readonly id: string;
  readonly description: string;
  readonly optionsSchema: Schema;
  readonly serialDefaults: SerialDefaults;
  /**
   * Set for a pump family that src/control/ can program (through a command lane and the
   * family's executor there). A driver without it is read-only.
   */
  readonly programmablePump?: 'alaris-asena-gh' | 'modbus-register-map';
  /**
   * For a family whose devices may or may not be pumps (Modbus: it depends on the map):
   * whether the device with these (validated) options can be programmed.
   */
  canProgram?(options: z.output<Schema>): boolean;
  create(context: DriverContext<z.output<Schema>>): DeviceDriver;
}
