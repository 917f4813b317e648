import { hexDump, type Logger } from '../../src/core/logger.js';
import { answerPdu, isExceptionPdu } from './modbus-pdu.js';
import type { RegisterBank } from './register-bank.js';

/**
 * How the slave's replies leave it: `none` normal; `silent` requests still act (a write
 * is stored) but no reply is sent; `corrupt` the reply is sent damaged (RTU: a wrong CRC;
 * TCP: MBAP protocol id 0xDEAD and the PDU's second byte, e.g.
 * a read's byte count, inverted), which a master must reject.
 */
export type ReplyFault = 'none' | 'silent' | 'corrupt';

/** What a slave has seen since it started (for listings and tests). */
export interface ModbusSlaveCounters {
  /** Requests addressed to this slave and processed. */
  requests: number;
  /** Of those, answered with an exception. */
  exceptions: number;
  /** Frames discarded before processing: bad CRC, too short or too long, bad MBAP header. */
  rejectedFrames: number;
  /** RTU frames for another unit id (or broadcasts), ignored as the protocol requires. */
  otherUnit: number;
}

export interface ModbusSlaveOptions {
  /** The slave address, 1-247. */
  readonly unitId: number;
  readonly bank: RegisterBank;
  readonly logger: Logger;
  /** Runs before each request is answered: the device brings its registers up to date. */
  readonly beforeRequest?: () => void;
}

/**
 * One simulated Modbus device: its unit id and register bank, served by any number of
 * links (ModbusTcpServer, ModbusRtuSlave) at once. The links do the framing; the slave
 * answers PDUs, applies the reply fault and counts.
 */
export class ModbusSlave {
  readonly unitId: number;
  readonly bank: RegisterBank;
  private fault: ReplyFault = 'none';
  private readonly counts: ModbusSlaveCounters = { requests: 0, exceptions: 0, rejectedFrames: 0, otherUnit: 0 };

  constructor(private readonly o: ModbusSlaveOptions) {
    if (!Number.isInteger(o.unitId) || o.unitId < 1 || o.unitId > 247) throw new RangeError(`unit id ${o.unitId} is not 1-247`);
    this.unitId = o.unitId;
    this.bank = o.bank;
  }

  get replyFault(): ReplyFault {
    return this.fault;
  }

  setReplyFault(fault: ReplyFault): void {
    this.fault = fault;
  }

  counters(): Readonly<ModbusSlaveCounters> {
    return { ...this.counts };
  }

  /**
   * Answers a request PDU addressed to this slave: the response PDU and whether to damage
   * it, or null when the slave is silent. Never throws (a device bug becomes exception 04).
   */
  answer(pdu: Buffer): { pdu: Buffer; corrupt: boolean } | null {
    this.counts.requests++;
    let response: Buffer;
    try {
      this.o.beforeRequest?.();
      response = answerPdu(this.bank, pdu);
    } catch (err) {
      this.o.logger.error({ err }, 'modbus device failed answering a request');
      response = Buffer.from([((pdu[0] ?? 0) | 0x80) & 0xff, 0x04]);
    }
    if (isExceptionPdu(response)) this.counts.exceptions++;
    this.o.logger.debug({ dir: '←', pdu: hexDump(pdu), reply: hexDump(response), fault: this.fault }, 'modbus request');
    if (this.fault === 'silent') return null;
    return { pdu: response, corrupt: this.fault === 'corrupt' };
  }

  /** A link discarded a frame (bad CRC, bad length or header). */
  countRejected(bytes: Uint8Array, reason: string): void {
    this.counts.rejectedFrames++;
    this.o.logger.debug({ dir: '←', reason, bytes: bytes.length, hex: hexDump(bytes) }, 'modbus frame rejected');
  }

  /** A link saw a valid frame for another unit (or a broadcast) and ignored it. */
  countOtherUnit(unitId: number): void {
    this.counts.otherUnit++;
    this.o.logger.debug({ unitId }, 'modbus frame for another unit ignored');
  }
}
