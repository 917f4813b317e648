import { hasValidModbusCrc, withModbusCrc } from '../../../drivers/modbus/modbus-crc.js';

/**
 * A minimal Modbus slave for the driver tests (functions 3, 4, 6, 16), with faults on demand.
 * Independent of the driver's framing code; it shares only the CRC, which the codec test
 * checks against the catalogue value and a frame from the Modbus serial line guide.
 */
export type Fault = 'none' | 'silent' | 'bad-crc' | { readonly exception: number };

export interface SlaveWrite {
  readonly functionCode: 6 | 16;
  readonly address: number;
  readonly values: readonly number[];
}

export class TestSlave {
  readonly holding = new Map<number, number>();
  readonly input = new Map<number, number>();
  readonly writes: SlaveWrite[] = [];
  readonly requests: Buffer[] = [];
  fault: Fault = 'none';

  constructor(readonly unitId: number) {}

  set(table: 'holding' | 'input', start: number, values: readonly number[]): void {
    values.forEach((v, i) => this[table].set(start + i, v & 0xffff));
  }

  /** Reply PDU (unit id first, no CRC) to a request PDU, or null for no reply. */
  answerPdu(req: Buffer): Buffer | null {
    this.requests.push(Buffer.from(req));
    if (req[0] !== this.unitId || this.fault === 'silent') return null;
    const fc = req[1] as number;
    if (typeof this.fault === 'object') return Buffer.from([this.unitId, fc | 0x80, this.fault.exception]);
    const address = req.readUInt16BE(2);
    if (fc === 3 || fc === 4) {
      const count = req.readUInt16BE(4);
      const table = fc === 3 ? this.holding : this.input;
      const out = Buffer.alloc(3 + 2 * count);
      out[0] = this.unitId;
      out[1] = fc;
      out[2] = 2 * count;
      for (let i = 0; i < count; i++) out.writeUInt16BE(table.get(address + i) ?? 0, 3 + 2 * i);
      return out;
    }
    if (fc === 6) {
      const value = req.readUInt16BE(4);
      this.holding.set(address, value);
      this.writes.push({ functionCode: 6, address, values: [value] });
      return Buffer.from(req.subarray(0, 6));
    }
    if (fc === 16) {
      const count = req.readUInt16BE(4);
      const values = Array.from({ length: count }, (_, i) => req.readUInt16BE(7 + 2 * i));
      values.forEach((v, i) => this.holding.set(address + i, v));
      this.writes.push({ functionCode: 16, address, values });
      return Buffer.from(req.subarray(0, 6));
    }
    return Buffer.from([this.unitId, fc | 0x80, 1]);
  }

  /** Reply to one RTU request frame (null: no reply). A 'bad-crc' fault flips a bit of the CRC. */
  answerRtu(frame: Buffer): Buffer | null {
    if (!hasValidModbusCrc(frame)) return null;
    const pdu = this.answerPdu(frame.subarray(0, frame.length - 2));
    if (!pdu) return null;
    const reply = withModbusCrc(pdu);
    if (this.fault === 'bad-crc') reply[reply.length - 1] = (reply[reply.length - 1] as number) ^ 0x01;
    return reply;
  }

  /** Reply to one Modbus TCP request (MBAP + PDU), echoing its transaction id. */
  answerTcp(adu: Buffer): Buffer | null {
    const pdu = this.answerPdu(adu.subarray(6));
    if (!pdu) return null;
    const out = Buffer.alloc(6 + pdu.length);
    out.writeUInt16BE(adu.readUInt16BE(0), 0);
    out.writeUInt16BE(0, 2);
    out.writeUInt16BE(pdu.length, 4);
    pdu.copy(out, 6);
    return out;
  }
}

/** Splits a recorded byte stream of RTU requests (functions 3, 4, 6, 16) into frames. */
export function splitRtuRequests(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let i = 0;
  while (i + 8 <= bytes.length) {
    const fc = bytes[i + 1];
    const length = fc === 16 ? 9 + (bytes[i + 6] as number) : 8;
    if (i + length > bytes.length) break;
    frames.push(bytes.subarray(i, i + length));
    i += length;
  }
  return frames;
}
