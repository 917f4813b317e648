/**
 * Where a simulated device's bytes go: a TCP port (like a terminal server port) or a
 * serial port. The device writes; the output fans out or drops bytes as its link allows.
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
   * serial stops writing. `true` restores it.
   */
  setConnected(connected: boolean): void;
  /** Short state for listings, e.g. `2 clients` or `open`. */
  detail(): string;
  /** Closes everything. Idempotent. */
  stop(): Promise<void>;
}
