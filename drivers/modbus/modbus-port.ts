import { EventEmitter } from 'node:events';
import type { Subscription } from 'rxjs';
import { describeError } from '../../src/core/errors.js';
import { lazyHex, type Logger } from '../../src/core/logger.js';
import type { ByteTransport } from '../../src/transport/byte-transport.js';
import { expectedRtuReplyLength, ReplyFramer, type Framing, type FramerOutput } from './reply-framer.js';

/**
 * The "port" modbus-serial's client (ModbusRTU) talks to, over one of Vigil's ByteTransports,
 * so the client never knows serial from TCP (docs/protocols/modbus.md, "Framing"). The client
 * calls open(cb), close(cb), write(rtuRequest) and isOpen, and listens to 'data' (one whole
 * RTU reply per event), 'close' and 'error'; like modbus-serial's own ports, this one carries
 * `_transactionIdWrite` / `_transactionIdRead`, by which the client files its transactions.
 *
 * - `rtu`: the RTU request goes out as it is; the reply is the frame the ReplyFramer accepts
 *   (CRC checked here, before the client sees it).
 * - `tcp`: the request's CRC is replaced by an MBAP header with a fresh transaction id; the
 *   reply is unwrapped and given a CRC, exactly as modbus-serial's TcpPort presents it.
 *
 * Every byte the framer rejects goes to `onRejected` (the driver counts it and logs a hex dump).
 */
export interface ModbusPortOptions {
  readonly framing: Framing;
  readonly logger: Logger;
  /** A run of received bytes that is not the awaited reply. */
  readonly onRejected: (reason: string, bytes: Buffer) => void;
}

/**
 * MBAP transaction ids cycle through 1..255, as in modbus-serial's TcpPort: the client files
 * each transaction under its id and never forgets it, so the range bounds what it keeps.
 * 0 is skipped so a zeroed header never matches. With one request outstanding at a time, only
 * the id of that request is accepted.
 */
const MAX_TRANSACTION_ID = 255;

export class ModbusPort extends EventEmitter {
  /** Read by modbus-serial's client: the key of the transaction it is about to write. */
  _transactionIdWrite = 1;
  /** Read by modbus-serial's client: the key of the transaction a reply belongs to. */
  _transactionIdRead = 1;

  private readonly framer: ReplyFramer;
  private readonly subscriptions: Subscription[] = [];
  private linkOpen = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: ModbusPortOptions,
  ) {
    super();
    this.framer = new ReplyFramer(options.framing);
  }

  /** True while the transport's link is open. */
  get isOpen(): boolean {
    return this.linkOpen;
  }

  /** Starts listening to the transport (it is started and stopped by the driver, not here). */
  open(callback?: (error?: Error | null) => void): void {
    if (this.subscriptions.length === 0) {
      this.subscriptions.push(
        this.transport.status$.subscribe((s) => this.onLinkState(s.state === 'open')),
        this.transport.data$.subscribe((chunk) => this.onData(chunk)),
      );
    }
    callback?.(null);
  }

  /** Stops listening; the transport itself is left to the driver. */
  close(callback?: (error?: Error | null) => void): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.linkOpen = false;
    this.handle(this.framer.reset('port closed'));
    this.emit('close');
    callback?.(null);
  }

  /** Called by the client with one RTU request frame (unit, function, data, CRC). */
  write(request: Buffer): void {
    const rtuLength = expectedRtuReplyLength(request);
    if (request.length < 4 || rtuLength === null) {
      this.options.logger.warn({ hex: lazyHex(request) }, 'modbus port: request of a function this driver does not use, not sent');
      return;
    }
    const transactionId = this.options.framing === 'tcp' ? this._transactionIdWrite : 1;
    this.handle(this.framer.expect({ unitId: request[0] as number, functionCode: request[1] as number, rtuLength, transactionId }));
    let bytes: Buffer = request;
    if (this.options.framing === 'tcp') {
      const pdu = request.subarray(0, request.length - 2);
      bytes = Buffer.alloc(6 + pdu.length);
      bytes.writeUInt16BE(transactionId, 0);
      bytes.writeUInt16BE(0, 2);
      bytes.writeUInt16BE(pdu.length, 4);
      bytes.set(pdu, 6);
      this._transactionIdWrite = transactionId >= MAX_TRANSACTION_ID ? 1 : transactionId + 1;
    }
    this.options.logger.debug({ hex: lazyHex(bytes) }, '-> request');
    this.transport.write(bytes).catch((err: unknown) => {
      // The request's timeout reports the failure; the link status reports the cause.
      this.options.logger.debug({ err: describeError(err) }, 'modbus port: write failed');
    });
  }

  private onLinkState(open: boolean): void {
    if (open === this.linkOpen) return;
    this.linkOpen = open;
    // Half a reply from before a drop must not be glued to bytes after a reconnect.
    if (!open) this.handle(this.framer.reset('link dropped'));
  }

  private onData(chunk: Buffer): void {
    this.options.logger.debug({ hex: lazyHex(chunk) }, '<- bytes');
    this.handle(this.framer.push(chunk));
  }

  /** Rejections first, then the reply: the client's callback may write the next request at once. */
  private handle(outputs: readonly FramerOutput[]): void {
    for (const out of outputs) if (out.kind === 'rejected') this.options.onRejected(out.reason, out.bytes);
    for (const out of outputs) {
      if (out.kind !== 'reply') continue;
      if (this.options.framing === 'tcp') this._transactionIdRead = out.transactionId;
      this.emit('data', out.frame);
    }
  }
}
