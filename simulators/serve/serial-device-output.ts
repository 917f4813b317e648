import { SerialPort } from 'serialport';
import type { Logger } from '../../src/core/logger.js';
import type { DeviceOutput, DeviceReceiver } from './device-output.js';

/** The part of a serialport stream this output uses (SerialPort and SerialPortMock fit). */
export interface SerialPortLike {
  readonly isOpen: boolean;
  readonly writableLength: number;
  open(callback: (err: Error | null) => void): void;
  write(bytes: Buffer, callback: (err: Error | null | undefined) => void): boolean;
  close(callback?: (err: Error | null) => void): void;
  on(event: 'data', listener: (bytes: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: () => void): this;
  removeAllListeners(): this;
}

export interface SerialDeviceOutputOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly logger: Logger;
  /** Wait before reopening after a failure. Default 1000 ms. */
  readonly reopenDelayMs?: number;
  /** Creates the port (not opened). Default: the serialport package's SerialPort. */
  readonly createPort?: (options: { path: string; baudRate: number }) => SerialPortLike;
}

const MAX_QUEUED_BYTES = 64 * 1024;

const defaultCreatePort = (o: { path: string; baudRate: number }): SerialPortLike =>
  new SerialPort({ path: o.path, baudRate: o.baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });

/**
 * Writes a simulated device's bytes to a serial port path (a real port, or one end of a
 * socat pseudo-terminal pair), 8N1. If opening fails or the port closes or a write
 * fails, it reopens after `reopenDelayMs`, until `stop()`. While the port is not open,
 * or the device is disconnected, bytes are dropped (as a cable would drop them). Bytes
 * from the host go to the device's receiver, if it set one (a pump), else are ignored.
 */
export class SerialDeviceOutput implements DeviceOutput {
  readonly description: string;
  private port: SerialPortLike | null = null;
  private open = false;
  private connected = true;
  private stopped = false;
  private lastError: string | null = null;
  private reopenTimer: NodeJS.Timeout | null = null;
  private receiver: DeviceReceiver | null = null;

  constructor(private readonly o: SerialDeviceOutputOptions) {
    this.description = `serial://${o.path}@${o.baudRate}`;
  }

  /** Makes the first open attempt; a failure is logged and retried, never thrown. */
  async start(): Promise<{ port?: number }> {
    this.stopped = false;
    await new Promise<void>((resolve) => this.openPort(resolve));
    return {};
  }

  write(bytes: Buffer): void {
    const port = this.port;
    if (!this.connected || !this.open || !port) return;
    if (port.writableLength > MAX_QUEUED_BYTES) return;
    port.write(bytes, (err) => {
      if (err) this.fail(port, `write failed: ${err.message}`);
    });
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
  }

  setReceiver(receiver: DeviceReceiver | null): void {
    this.receiver = receiver;
  }

  detail(): string {
    if (this.open) return this.connected ? 'open' : 'open, not writing (disconnected)';
    return `reopening${this.lastError ? `: ${this.lastError}` : ''}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    const port = this.port;
    this.port = null;
    this.open = false;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
  }

  private openPort(done?: () => void): void {
    if (this.stopped) return done?.();
    const port = (this.o.createPort ?? defaultCreatePort)({ path: this.o.path, baudRate: this.o.baudRate });
    this.port = port;
    port.on('error', (err) => this.fail(port, err.message));
    port.on('close', () => this.fail(port, 'port closed'));
    // Bytes from the host are always read (so a vanished pty is noticed); a one-way device ignores them.
    port.on('data', (bytes) => this.receive(port, bytes));
    port.open((err) => {
      if (err) this.fail(port, err.message);
      else if (this.port === port && !this.stopped) {
        this.open = true;
        this.lastError = null;
        this.o.logger.info({ output: this.description }, 'serial output open');
      }
      done?.();
    });
  }

  private receive(port: SerialPortLike, bytes: Buffer): void {
    const receiver = this.receiver;
    if (!receiver || !this.connected) {
      this.o.logger.debug({ bytes: bytes.length }, 'ignored bytes from host');
      return;
    }
    const reply = (out: Buffer): void => {
      if (this.port === port) this.write(out);
    };
    this.safely(() => receiver.receive(bytes, reply));
  }

  /** A device bug must not take the host (possibly the daemon) down. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.logger.error({ err }, 'device failed handling bytes from the host');
    }
  }

  /** Drops `port` (if still current) and schedules a reopen. */
  private fail(port: SerialPortLike, reason: string): void {
    if (this.port !== port || this.stopped) return;
    this.o.logger.warn({ output: this.description, reason }, 'serial output failed; reopening');
    this.lastError = reason;
    this.open = false;
    this.port = null;
    this.safely(() => this.receiver?.linkReset());
    port.removeAllListeners();
    port.on('error', () => undefined);
    if (port.isOpen) port.close();
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.openPort();
    }, this.o.reopenDelayMs ?? 1000);
  }
}
