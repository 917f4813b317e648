/**
 * A request/response lane into one device's own command queue: the single way a
 * command other than the driver's own read queries reaches a device.
 *
 * SAFETY (docs/safety.md): a driver creates a lane only when the daemon hands it a
 * grant, and gives the lane to that grant and to nothing else; the driver object never
 * exposes it. The daemon hands grants only to src/control/, whose confirmed-order
 * workflow is the only user. Nothing in the alarm or device-reading path holds a lane.
 */
export interface CommandLane {
  /**
   * Sends one command frame body through the driver's queue (one command at a time on
   * the line, interleaved with polling) and resolves with the device's reply body.
   * Rejects on timeout (COMMAND_TIMEOUT) or link loss (COMMAND_ABORTED / TRANSPORT_NOT_OPEN).
   * Never retries.
   */
  request(body: string, options: { readonly timeoutMs?: number; readonly description: string }): Promise<string>;
}

/** Receives the lane of one device, once, when its driver is created. */
export type CommandLaneGrant = (lane: CommandLane) => void;

/**
 * The register-level lane of a writable Modbus device (a pump described by a register
 * map with a `pump` section): the same rules as CommandLane, one request at a time in
 * the driver's own queue, never retried. Addresses are 0-based holding registers.
 */
export interface RegisterLane {
  /** Function 6. */
  writeRegister(address: number, value: number, options: { readonly description: string; readonly timeoutMs?: number }): Promise<void>;
  /** Function 16. */
  writeRegisters(address: number, values: readonly number[], options: { readonly description: string; readonly timeoutMs?: number }): Promise<void>;
}

/** Receives the register lane of one Modbus device, once, when its driver is created. */
export type RegisterLaneGrant = (lane: RegisterLane) => void;
