import { hasValidModbusCrc, withModbusCrc } from './modbus-crc.js';

/**
 * Cuts replies out of the byte stream of a Modbus master (docs/protocols/modbus.md,
 * "Framing"). The master has one request outstanding at a time, so the framer knows which
 * reply it waits for (unit id, function code, length) and accepts only that: every other
 * byte is rejected, counted by the caller and never used. Pure: no I/O, never throws.
 *
 * - `rtu` (Modbus over serial line V1.02, 2.5.1): `unit, function, data..., CRC lo, CRC hi`.
 *   Frames are found by the expected length rather than by the 3.5-character silence, which
 *   a terminal server or a USB adapter does not preserve; the CRC-16/MODBUS must match.
 * - `tcp` (Modbus Messaging on TCP/IP V1.0b, 3.1.3): MBAP header `transaction id, protocol
 *   id 0, length` then `unit, function, data...`; the transaction id must be the request's.
 *
 * Either way a reply comes out in RTU form with a valid CRC, which is what modbus-serial's
 * client expects from a port (its TcpPort appends a CRC to each Modbus TCP reply too).
 */

export type Framing = 'rtu' | 'tcp';

/** The reply the master waits for. */
export interface ReplyExpectation {
  readonly unitId: number;
  readonly functionCode: number;
  /** Length of a normal RTU reply, CRC included (an exception reply is always 5). */
  readonly rtuLength: number;
  /** MBAP transaction id of the request (tcp framing only). */
  readonly transactionId: number;
}

export type FramerOutput =
  | { readonly kind: 'reply'; readonly frame: Buffer; readonly transactionId: number }
  | { readonly kind: 'rejected'; readonly reason: string; readonly bytes: Buffer };

const EXCEPTION_LENGTH = 5;
const MBAP_LENGTH = 6;
/** A reply is at most 256 bytes in RTU; more buffered bytes than this cannot be one reply. */
const MAX_BUFFERED = 512;

/** Expected length of the normal RTU reply to an RTU request, or null for a function the master does not use. */
export function expectedRtuReplyLength(request: Uint8Array): number | null {
  const fc = request[1];
  if (fc === 3 || fc === 4) {
    const count = ((request[4] ?? 0) << 8) | (request[5] ?? 0);
    return 5 + 2 * count;
  }
  if (fc === 6 || fc === 16) return 8;
  return null;
}

/** The reply framer of one master's line. */
export class ReplyFramer {
  private buffer = Buffer.alloc(0);
  private expectation: ReplyExpectation | null = null;

  constructor(readonly framing: Framing) {}

  /** True while a reply is awaited. */
  get waiting(): boolean {
    return this.expectation !== null;
  }

  /** A request was sent: from now on only its reply is accepted. Bytes still buffered are rejected. */
  expect(expectation: ReplyExpectation): FramerOutput[] {
    const out = this.discard('bytes left over from before the request');
    this.expectation = expectation;
    return out;
  }

  /** Stops waiting (link dropped, request given up); buffered bytes are rejected. */
  reset(reason = 'incomplete reply discarded'): FramerOutput[] {
    this.expectation = null;
    return this.discard(reason);
  }

  /** Takes received bytes; returns the reply when complete, and every rejected byte run. */
  push(chunk: Uint8Array): FramerOutput[] {
    if (!this.expectation) return [{ kind: 'rejected', reason: 'bytes while no request is outstanding', bytes: Buffer.from(chunk) }];
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out = this.framing === 'rtu' ? this.scanRtu(this.expectation) : this.scanTcp(this.expectation);
    if (this.buffer.length > MAX_BUFFERED) out.push(...this.discard('more bytes than any reply'));
    return out;
  }

  private discard(reason: string): FramerOutput[] {
    if (this.buffer.length === 0) return [];
    const bytes = this.buffer;
    this.buffer = Buffer.alloc(0);
    return [{ kind: 'rejected', reason, bytes }];
  }

  /** The earliest complete frame with a valid CRC; noise before it and bytes after it are rejected. */
  private scanRtu(exp: ReplyExpectation): FramerOutput[] {
    const buf = this.buffer;
    let pending = false;
    let corrupted = false;
    for (let i = 0; i + 1 < buf.length; i++) {
      if (buf[i] !== exp.unitId) continue;
      const fc = buf[i + 1];
      const length = fc === exp.functionCode ? exp.rtuLength : fc === (exp.functionCode | 0x80) ? EXCEPTION_LENGTH : 0;
      if (length === 0) continue;
      if (i + length > buf.length) {
        pending = true;
        continue;
      }
      const frame = buf.subarray(i, i + length);
      if (!hasValidModbusCrc(frame)) {
        corrupted = true;
        continue;
      }
      const out: FramerOutput[] = [];
      if (i > 0) out.push({ kind: 'rejected', reason: 'noise before the reply', bytes: Buffer.from(buf.subarray(0, i)) });
      if (i + length < buf.length) out.push({ kind: 'rejected', reason: 'bytes after the reply', bytes: Buffer.from(buf.subarray(i + length)) });
      out.push({ kind: 'reply', frame: Buffer.from(frame), transactionId: exp.transactionId });
      this.buffer = Buffer.alloc(0);
      this.expectation = null;
      return out;
    }
    // A complete frame with a wrong CRC and nothing that could still complete: the reply is garbled.
    if (corrupted && !pending) return this.discard('CRC mismatch');
    return [];
  }

  private scanTcp(exp: ReplyExpectation): FramerOutput[] {
    const out: FramerOutput[] = [];
    while (this.buffer.length >= MBAP_LENGTH + 2) {
      const buf = this.buffer;
      const transactionId = buf.readUInt16BE(0);
      const protocolId = buf.readUInt16BE(2);
      const length = buf.readUInt16BE(4);
      // No start marker in Modbus TCP: a bad header cannot be resynchronised, so drop everything.
      if (protocolId !== 0 || length < 2 || length > 254) {
        out.push(...this.discard(`invalid MBAP header (protocol id ${protocolId}, length ${length})`));
        return out;
      }
      if (buf.length < MBAP_LENGTH + length) return out;
      const adu = buf.subarray(MBAP_LENGTH, MBAP_LENGTH + length);
      const whole = Buffer.from(buf.subarray(0, MBAP_LENGTH + length));
      this.buffer = Buffer.from(buf.subarray(MBAP_LENGTH + length));
      const fc = adu[1];
      if (transactionId !== exp.transactionId) {
        out.push({ kind: 'rejected', reason: `reply to transaction ${transactionId}, not ${exp.transactionId}`, bytes: whole });
      } else if (adu[0] !== exp.unitId) {
        out.push({ kind: 'rejected', reason: `reply from unit ${adu[0]}, not ${exp.unitId}`, bytes: whole });
      } else if (fc !== exp.functionCode && fc !== (exp.functionCode | 0x80)) {
        out.push({ kind: 'rejected', reason: `reply with function ${fc}, not ${exp.functionCode}`, bytes: whole });
      } else {
        out.push({ kind: 'reply', frame: withModbusCrc(adu), transactionId });
        this.expectation = null;
        if (this.buffer.length > 0) out.push(...this.discard('bytes after the reply'));
        return out;
      }
    }
    return out;
  }
}
