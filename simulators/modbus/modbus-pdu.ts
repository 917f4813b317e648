import { exceptionPdu, MODBUS_EXCEPTION, MODBUS_FUNCTION } from './modbus-exceptions.js';
import type { RegisterBank, RegisterTable } from './register-bank.js';

/** Most registers one read may ask for (Modbus Application Protocol v1.1b3, 6.3/6.4). */
export const MAX_READ_REGISTERS = 125;
/** Most registers one function-16 write may carry (6.12). */
export const MAX_WRITE_REGISTERS = 123;

/**
 * Answers one request PDU (function code + data) from `bank` and returns the response PDU:
 * - 03/04 read holding/input: quantity 1-125 else exception 03; outside the table 02.
 * - 06 write single register: outside the table 02; the bank's write hook may refuse (e.g. 04).
 *   The response echoes the request.
 * - 16 write multiple registers: quantity 1-123 and byte count = 2 x quantity else 03;
 *   outside 02; hook. The response is address + quantity.
 * - any other function: 01. A PDU whose length does not fit its function: 03.
 */
export function answerPdu(bank: RegisterBank, pdu: Buffer): Buffer {
  const fc = pdu[0] ?? 0;
  switch (fc) {
    case MODBUS_FUNCTION.readHoldingRegisters:
      return readRegisters(bank, 'holding', pdu);
    case MODBUS_FUNCTION.readInputRegisters:
      return readRegisters(bank, 'input', pdu);
    case MODBUS_FUNCTION.writeSingleRegister: {
      if (pdu.length !== 5) return exceptionPdu(fc, MODBUS_EXCEPTION.illegalDataValue);
      const refused = bank.writeHolding(pdu.readUInt16BE(1), [pdu.readUInt16BE(3)]);
      return refused === null ? Buffer.from(pdu) : exceptionPdu(fc, refused);
    }
    case MODBUS_FUNCTION.writeMultipleRegisters: {
      if (pdu.length < 6) return exceptionPdu(fc, MODBUS_EXCEPTION.illegalDataValue);
      const address = pdu.readUInt16BE(1);
      const quantity = pdu.readUInt16BE(3);
      const byteCount = pdu[5] as number;
      if (quantity < 1 || quantity > MAX_WRITE_REGISTERS || byteCount !== quantity * 2 || pdu.length !== 6 + byteCount) {
        return exceptionPdu(fc, MODBUS_EXCEPTION.illegalDataValue);
      }
      const values = Array.from({ length: quantity }, (_, i) => pdu.readUInt16BE(6 + 2 * i));
      const refused = bank.writeHolding(address, values);
      return refused === null ? Buffer.from(pdu.subarray(0, 5)) : exceptionPdu(fc, refused);
    }
    default:
      return exceptionPdu(fc, MODBUS_EXCEPTION.illegalFunction);
  }
}

function readRegisters(bank: RegisterBank, table: RegisterTable, pdu: Buffer): Buffer {
  const fc = pdu[0] as number;
  if (pdu.length !== 5) return exceptionPdu(fc, MODBUS_EXCEPTION.illegalDataValue);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  if (quantity < 1 || quantity > MAX_READ_REGISTERS) return exceptionPdu(fc, MODBUS_EXCEPTION.illegalDataValue);
  const words = bank.read(table, address, quantity);
  if (typeof words === 'number') return exceptionPdu(fc, words);
  const out = Buffer.alloc(2 + 2 * quantity);
  out[0] = fc;
  out[1] = 2 * quantity;
  words.forEach((w, i) => out.writeUInt16BE(w, 2 + 2 * i));
  return out;
}

/** True when a response PDU is an exception response. */
export function isExceptionPdu(pdu: Buffer): boolean {
  return ((pdu[0] ?? 0) & 0x80) !== 0;
}
