import modbusSerial from 'modbus-serial';
import { VigilError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { ByteTransport } from '../../src/transport/byte-transport.js';
import { CommandQueue } from '../shared/command-queue.js';
import { ModbusPort } from './modbus-port.js';
import type { Framing } from './reply-framer.js';

/**
 * A Modbus master for one device: modbus-serial's client (ModbusRTU) over a ModbusPort, behind
 * one first-in first-out queue shared by the driver's polls and, for a pump, the register lane
 * (docs/protocols/modbus.md, "Requests"). One request on the line at a time; each waits at most
 * its timeout; nothing is retried. The client's own timeout is left off: the queue owns time
 * (setTimeout, so vi.useFakeTimers drives it) and rejects a request on link loss, which the
 * client alone would leave pending for ever.
 *
 * Errors are VigilErrors: COMMAND_TIMEOUT (no valid reply in time; a reply with a bad CRC is
 * rejected by the port, so it ends as a timeout), MODBUS_EXCEPTION (context.exceptionCode),
 * FRAME_INVALID (a reply the client refused, or a write reply that does not echo the request),
 * COMMAND_ABORTED (link lost, driver stopped), TRANSPORT_NOT_OPEN.
 */

// modbus-serial is CommonJS and sets `module.exports.default = module.exports`; its typings
// describe the class as that `default`, which is also what Node's ESM default import holds.
const ModbusRTU = modbusSerial.default;
type ModbusClient = InstanceType<typeof ModbusRTU>;

export type RegisterTable = 'holding' | 'input';

export interface ModbusMasterOptions {
  readonly framing: Framing;
  /** Unit id (slave address) of the device, 0-247. */
  readonly unitId: number;
  /** Default time to wait for one reply. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Received bytes that were not used: not the awaited reply, a bad CRC, a late reply... */
  readonly onRejected: (reason: string, bytes: Buffer | null) => void;
}

export interface ModbusRequestOptions {
  /** For logs and errors, e.g. `read vitals (holding 0-19)`. */
  readonly description: string;
  readonly timeoutMs?: number;
}

/** Modbus exception codes (Modbus Application Protocol V1.1b3, 7). */
const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

type ClientCallback = (err: unknown, result: unknown) => void;
interface Operation {
  readonly seq: number;
  readonly start: (done: ClientCallback) => void;
}
interface Outcome {
  readonly seq: number;
  readonly err: unknown;
  readonly result: unknown;
}

export class ModbusMaster {
  private readonly port: ModbusPort;
  private readonly client: ModbusClient;
  private readonly queue: CommandQueue<Operation, Outcome>;
  private seq = 0;

  constructor(transport: ByteTransport, private readonly options: ModbusMasterOptions) {
    this.port = new ModbusPort(transport, {
      framing: options.framing,
      logger: options.logger,
      onRejected: (reason, bytes) => options.onRejected(reason, bytes),
    });
    this.client = new ModbusRTU(this.port);
    this.client.open();
    this.queue = new CommandQueue<Operation, Outcome>(
      (op) => {
        op.start((err, result) => {
          if (!this.queue.offer({ seq: op.seq, err, result })) {
            options.onRejected('reply after its request timed out', null);
          }
        });
        return Promise.resolve();
      },
      { responseTimeoutMs: options.timeoutMs, logger: options.logger },
    );
  }

  /** Function 3 (holding) or 4 (input): `count` registers from `start`. */
  async readRegisters(table: RegisterTable, start: number, count: number, options: ModbusRequestOptions): Promise<number[]> {
    const unit = this.options.unitId;
    const result = (await this.run(options, (done) =>
      table === 'holding' ? this.client.writeFC3(unit, start, count, done) : this.client.writeFC4(unit, start, count, done),
    )) as { data: number[] };
    return result.data;
  }

  /** Function 6: one holding register; the reply must echo address and value. */
  async writeRegister(address: number, value: number, options: ModbusRequestOptions): Promise<void> {
    checkWords(address, [value], options.description);
    const result = (await this.run(options, (done) => this.client.writeFC6(this.options.unitId, address, value, done))) as {
      address: number;
      value: number;
    };
    if (result.address !== address || result.value !== value) {
      throw this.badEcho(options.description, `address ${result.address} value ${result.value}`);
    }
  }

  /** Function 16: consecutive holding registers; the reply must echo address and count. */
  async writeRegisters(address: number, values: readonly number[], options: ModbusRequestOptions): Promise<void> {
    checkWords(address, values, options.description);
    const result = (await this.run(options, (done) =>
      this.client.writeFC16(this.options.unitId, address, [...values], done),
    )) as { address: number; length: number };
    if (result.address !== address || result.length !== values.length) {
      throw this.badEcho(options.description, `address ${result.address} count ${result.length}`);
    }
  }

  /** Rejects the request in flight and every queued one (link lost). */
  abortAll(reason: string): void {
    this.queue.abortAll(reason);
  }

  /** Rejects everything and refuses further requests. Idempotent. */
  close(reason = 'driver stopped'): void {
    this.queue.close(reason);
    this.client.close(() => undefined);
  }

  private async run(options: ModbusRequestOptions, start: (done: ClientCallback) => void): Promise<unknown> {
    const seq = ++this.seq;
    const outcome = await this.queue.request({ seq, start }, (o) => o.seq === seq, {
      description: options.description,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    if (outcome.err) throw this.clientError(outcome.err, options.description);
    return outcome.result;
  }

  /** The client's error as a VigilError; a reply the client refused is also counted as rejected. */
  private clientError(err: unknown, description: string): VigilError {
    const e = err as { modbusCode?: unknown; name?: unknown; message?: unknown };
    if (typeof e.modbusCode === 'number') {
      const name = EXCEPTION_NAMES[e.modbusCode] ?? 'unknown exception';
      return new VigilError('MODBUS_EXCEPTION', `${description}: device answered exception ${e.modbusCode} (${name})`, {
        exceptionCode: e.modbusCode,
        request: description,
      });
    }
    if (e.name === 'PortNotOpenError') {
      return new VigilError('TRANSPORT_NOT_OPEN', `${description}: link not open`, { request: description });
    }
    const reason = typeof e.message === 'string' ? e.message : String(err);
    this.options.onRejected(`reply refused by the Modbus client: ${reason}`, null);
    return new VigilError('FRAME_INVALID', `${description}: unusable reply (${reason})`, { request: description });
  }

  private badEcho(description: string, got: string): VigilError {
    this.options.onRejected(`write reply does not echo the request (${got})`, null);
    return new VigilError('FRAME_INVALID', `${description}: the device's reply does not echo the write (${got})`, { request: description });
  }
}

/** Register addresses and values are 16-bit; a bad one is a programming error, refused before the wire. */
function checkWords(address: number, values: readonly number[], description: string): void {
  const word = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xffff;
  if (!word(address) || values.length < 1 || values.length > 123 || !values.every(word) || address + values.length > 0x10000) {
    throw new VigilError('PUMP_VALUE_INVALID', `${description}: registers must be 1-123 words of 0-65535 within 0-65535`, {
      address,
      values: [...values],
    });
  }
}
