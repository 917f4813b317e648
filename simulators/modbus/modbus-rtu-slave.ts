import { SerialPort } from 'serialport';
import type { Logger } from '../../src/core/logger.js';
import type { DeviceOutput, DeviceReceiver } from '../serve/device-output.js';
import type { SerialPortLike } from '../serve/serial-device-output.js';
import { hasValidModbusCrc, withModbusCrc } from '../../drivers/modbus/modbus-crc.js';
import type { ModbusSlave } from './modbus-slave.js';

/** Serial parity; Modbus RTU's default is even (Modbus over Serial Line v1.02, 2.5.1). */
export type SerialParity = 'even' | 'odd' | 'none';

/** Longest RTU frame: address + 253-byte PDU + CRC (Modbus over Serial Line, 2.5.1.1). */
export const MAX_RTU_FRAME_BYTES = 256;

export interface ModbusRtuSlaveOptions {
  readonly slave: ModbusSlave;
  /** A serial device, or one end of a socat pseudo-terminal pair. */
  readonly path: string;
  readonly baudRate: number;
  /** Default `even` (8E1), the Modbus RTU default. */
  readonly parity?: SerialParity;
  /** Default 1. */
  readonly stopBits?: 1 | 2;
  readonly logger: Logger;
  /** Silence that ends a frame; default t3.5 of the line (see rtuSilentIntervalMs). */
  readonly silentIntervalMs?: number;
  /** Wait before reopening after a failure. Default 1000 ms. */
  readonly reopenDelayMs?: number;
  /** Creates the port (not opened). Default: the serialport package's SerialPort. */
  readonly createPort?: (options: { path: string; baudRate: number; parity: SerialParity; stopBits: 1 | 2 }) => SerialPortLike;
}

/**
 * t3.5, the silent interval that ends an RTU frame: 3.5 character times (11 bits per
 * character with parity or 2 stop bits), fixed at 1.75 ms above 19200 baud (Modbus over
 * Serial Line v1.02, 2.5.1.1).
 */
export function rtuSilentIntervalMs(baudRate: number, parity: SerialParity = 'even', stopBits: 1 | 2 = 1): number {
  if (baudRate > 19_200) return 1.75;
  const bitsPerChar = 1 + 8 + (parity === 'none' ? 0 : 1) + stopBits;
  return (3.5 * bitsPerChar * 1000) / baudRate;
}

const defaultCreatePort: NonNullable<ModbusRtuSlaveOptions['createPort']> = (o) =>
  new SerialPort({ path: o.path, baudRate: o.baudRate, dataBits: 8, parity: o.parity, stopBits: o.stopBits, autoOpen: false });

/**
 * A Modbus RTU slave on a serial line (unlike modbus-serial's ServerSerial, it checks
 * request CRCs). Bytes are gathered until the line has been silent for t3.5; that frame
 * is then checked: shorter than 4 bytes, longer than 256 or a wrong CRC-16/MODBUS ->
 * counted and dropped, no answer; another unit id -> ignored; unit 0 (broadcast) ->
 * ignored too (these reference devices act on no broadcast: a pump must never be
 * programmed by a frame no one answers). Otherwise the slave answers, with the CRC
 * damaged under the `corrupt` fault. The t1.5 inter-character limit is not enforced
 * (byte timing inside a pty is not the line's). The port is reopened after a failure.
 */
export class ModbusRtuSlave implements DeviceOutput {
  readonly description: string;
  private readonly silentMs: number;
  private port: SerialPortLike | null = null;
  private open = false;
  private connected = true;
  private stopped = false;
  private lastError: string | null = null;
  private reopenTimer: NodeJS.Timeout | null = null;
  private frameTimer: NodeJS.Timeout | null = null;
  private chunks: Buffer[] = [];
  private frameBytes = 0;

  constructor(private readonly o: ModbusRtuSlaveOptions) {
    const parity = o.parity ?? 'even';
    this.silentMs = o.silentIntervalMs ?? rtuSilentIntervalMs(o.baudRate, parity, o.stopBits ?? 1);
    this.description = `modbus-rtu://${o.path}@${o.baudRate}-8${parity[0]?.toUpperCase()}${o.stopBits ?? 1}#${o.slave.unitId}`;
  }

  /** Makes the first open attempt; a failure is logged and retried, never thrown. */
  async start(): Promise<{ port?: number }> {
    this.stopped = false;
    await new Promise<void>((resolve) => this.openPort(resolve));
    return {};
  }

  /** Raw bytes onto the line (noise for the `garbage` event). */
  write(bytes: Buffer): void {
    const port = this.port;
    if (!this.connected || !this.open || !port) return;
    port.write(bytes, (err) => {
      if (err) this.fail(port, `write failed: ${err.message}`);
    });
  }

  /** `false`: the slave neither reads requests nor writes (a pulled cable). */
  setConnected(connected: boolean): void {
    this.connected = connected;
  }

  /** Not used: the slave answers from its register bank. */
  setReceiver(_receiver: DeviceReceiver | null): void {}

  detail(): string {
    if (this.open) return this.connected ? 'open' : 'open, not answering (disconnected)';
    return `reopening${this.lastError ? `: ${this.lastError}` : ''}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    this.dropFrame();
    const port = this.port;
    this.port = null;
    this.open = false;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
  }

  private openPort(done?: () => void): void {
    if (this.stopped) return done?.();
    const port = (this.o.createPort ?? defaultCreatePort)({
      path: this.o.path, baudRate: this.o.baudRate, parity: this.o.parity ?? 'even', stopBits: this.o.stopBits ?? 1,
    });
    this.port = port;
    port.on('error', (err) => this.fail(port, err.message));
    port.on('close', () => this.fail(port, 'port closed'));
    port.on('data', (bytes) => this.receive(port, bytes));
    port.open((err) => {
      if (err) this.fail(port, err.message);
      else if (this.port === port && !this.stopped) {
        this.open = true;
        this.lastError = null;
        this.o.logger.info({ output: this.description }, 'modbus rtu slave open');
      }
      done?.();
    });
  }

  /** Gathers bytes of the current frame; the frame ends after t3.5 of silence. */
  private receive(port: SerialPortLike, bytes: Buffer): void {
    if (this.port !== port || !this.connected) return;
    this.frameBytes += bytes.length;
    if (this.frameBytes <= MAX_RTU_FRAME_BYTES + 1) this.chunks.push(bytes);
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = setTimeout(() => this.endOfFrame(port), this.silentMs);
  }

  private endOfFrame(port: SerialPortLike): void {
    const frame = Buffer.concat(this.chunks);
    const length = this.frameBytes;
    this.dropFrame();
    if (this.port !== port || !this.connected) return;
    const slave = this.o.slave;
    try {
      if (length < 4 || length > MAX_RTU_FRAME_BYTES) return slave.countRejected(frame, `frame of ${length} bytes`);
      if (!hasValidModbusCrc(frame)) return slave.countRejected(frame, 'bad CRC');
      const unitId = frame[0] as number;
      if (unitId !== slave.unitId) return slave.countOtherUnit(unitId);
      const reply = slave.answer(Buffer.from(frame.subarray(1, frame.length - 2)));
      if (!reply) return;
      const out = withModbusCrc(Buffer.concat([Buffer.from([unitId]), reply.pdu]));
      if (reply.corrupt) out[out.length - 1] = (out[out.length - 1] as number) ^ 0xff;
      this.write(out);
    } catch (err) {
      // A simulator bug must not take the host (possibly the daemon) down.
      this.o.logger.error({ err }, 'modbus rtu request failed');
    }
  }

  private dropFrame(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = null;
    this.chunks = [];
    this.frameBytes = 0;
  }

  /** Drops `port` (if still current) and schedules a reopen. */
  private fail(port: SerialPortLike, reason: string): void {
    if (this.port !== port || this.stopped) return;
    this.o.logger.warn({ output: this.description, reason }, 'modbus rtu port failed; reopening');
    this.lastError = reason;
    this.open = false;
    this.port = null;
    this.dropFrame();
    port.removeAllListeners();
    port.on('error', () => undefined);
    if (port.isOpen) port.close();
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.openPort();
    }, this.o.reopenDelayMs ?? 1000);
  }
}
