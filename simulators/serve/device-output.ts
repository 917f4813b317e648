/**
 * Where a simulated device's bytes go: a TCP port (like a terminal server port) or a
 * serial port. The device writes; the output fans out or drops bytes as its link allows.
 * A device that answers commands (a pump) also sets a receiver for the host's bytes.
 */
export interface DeviceOutput {
  /** e.g. `tcp://127.0.0.1:4101` or `serial:///dev/pts/5@9600`. */
  readonly description: string;
  /** Opens the output; a TCP output returns the bound port (useful with port 0). */
  start(): Promise<{ port?: number }>;
  /** Writes bytes to whoever is connected; never throws, drops bytes when the link is down. */
  write(bytes: Buffer): void;
  /**
   * `false`: the device's link is down. TCP drops every client and refuses new ones;
   * serial stops writing (and passes nothing received on). `true` restores it.
   */
  setConnected(connected: boolean): void;
  /** Bytes from the host go to `receiver` (null: they are read and ignored, as for a one-way device). */
  setReceiver(receiver: DeviceReceiver | null): void;
  /** Short state for listings, e.g. `2 clients` or `open`. */
  detail(): string;
  /** Closes everything. Idempotent. */
  stop(): Promise<void>;
}

/** A device that reads what the host sends (request/response, e.g. the Asena pump). */
export interface DeviceReceiver {
  /**
   * Bytes from the host. `reply` sends bytes back over the same link only (the TCP client
   * that sent them, or the serial port). Must not throw; the output logs it if it does.
   */
  receive(bytes: Buffer, reply: (bytes: Buffer) => void): void;
  /** The link those bytes came over ended (client gone, port reopened): drop partial input and session state. */
  linkReset(): void;
}
