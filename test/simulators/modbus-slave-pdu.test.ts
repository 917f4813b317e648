import { describe, expect, it } from 'vitest';
import { crc16Modbus, hasValidModbusCrc, withModbusCrc } from '../../drivers/modbus/modbus-crc.js';
import { answerPdu } from '../../simulators/modbus/modbus-pdu.js';
import { MODBUS_EXCEPTION } from '../../simulators/modbus/modbus-exceptions.js';
import { RegisterBank } from '../../simulators/modbus/register-bank.js';
import { decodeRegisterValue, encodeRegisterValue } from '../../simulators/modbus/register-values.js';

const pdu = (...bytes: number[]): Buffer => Buffer.from(bytes);

function bank(): RegisterBank {
  const b = new RegisterBank({ holdingCount: 4, inputCount: 8 });
  b.set('input', 0, [0x0102, 0x0304, 0xffff]);
  b.set('holding', 0, [7, 8]);
  return b;
}

describe('CRC-16/MODBUS', () => {
  it('has the catalogue check value and the RTU byte order', () => {
    expect(crc16Modbus(Buffer.from('123456789', 'latin1'))).toBe(0x4b37);
    // Read holding register 0, 1 register, unit 1: the well-known frame 01 03 00 00 00 01 84 0A.
    expect(withModbusCrc(pdu(1, 3, 0, 0, 0, 1)).toString('hex')).toBe('01030000000184' + '0a');
    expect(hasValidModbusCrc(Buffer.from('01030000000184' + '0a', 'hex'))).toBe(true);
    expect(hasValidModbusCrc(Buffer.from('01030000000184' + '0b', 'hex'))).toBe(false);
  });
});

describe('answerPdu (Modbus Application Protocol 6.3, 6.4, 6.6, 6.12, 7)', () => {
  it('reads input and holding registers', () => {
    expect(answerPdu(bank(), pdu(4, 0, 0, 0, 3)).toString('hex')).toBe('0406' + '0102' + '0304' + 'ffff');
    expect(answerPdu(bank(), pdu(3, 0, 1, 0, 1)).toString('hex')).toBe('0302' + '0008');
  });

  it('answers exception 02 for registers outside the table, 03 for a bad quantity, 01 for other functions', () => {
    expect(answerPdu(bank(), pdu(4, 0, 6, 0, 3)).toString('hex')).toBe('8402');
    expect(answerPdu(bank(), pdu(3, 0, 4, 0, 1)).toString('hex')).toBe('8302');
    expect(answerPdu(bank(), pdu(4, 0, 0, 0, 0)).toString('hex')).toBe('8403');
    expect(answerPdu(bank(), pdu(4, 0, 0, 0, 126)).toString('hex')).toBe('8403');
    expect(answerPdu(bank(), pdu(4, 0, 0, 0)).toString('hex')).toBe('8403');
    expect(answerPdu(bank(), pdu(1, 0, 0, 0, 1)).toString('hex')).toBe('8101');
    expect(answerPdu(bank(), pdu(0x2b, 0x0e, 1, 0)).toString('hex')).toBe('ab01');
  });

  it('writes one register (echo) and several (address + quantity), and refuses malformed writes with 03', () => {
    const b = bank();
    expect(answerPdu(b, pdu(6, 0, 2, 0x12, 0x34)).toString('hex')).toBe('0600021234');
    expect(answerPdu(b, pdu(16, 0, 0, 0, 2, 4, 0, 5, 0, 6)).toString('hex')).toBe('1000000002');
    expect(b.read('holding', 0, 3)).toEqual([5, 6, 0x1234]);
    expect(answerPdu(b, pdu(16, 0, 0, 0, 2, 3, 0, 9, 0)).toString('hex')).toBe('9003');
    expect(answerPdu(b, pdu(16, 0, 3, 0, 2, 4, 0, 9, 0, 9)).toString('hex')).toBe('9002');
    expect(answerPdu(b, pdu(6, 0, 9, 0, 1)).toString('hex')).toBe('8602');
    expect(b.read('holding', 0, 4)).toEqual([5, 6, 0x1234, 0]);
  });

  it('lets the device refuse a write (nothing stored) and act on an accepted one', () => {
    const b = bank();
    const seen: Array<[number, readonly number[]]> = [];
    b.onHoldingWrite({
      check: (_address, values) => (values.some((v) => v > 100) ? MODBUS_EXCEPTION.serverDeviceFailure : null),
      written: (address, values) => {
        seen.push([address, values]);
        b.set('holding', 3, 0xaaaa);
      },
    });
    expect(answerPdu(b, pdu(16, 0, 0, 0, 2, 4, 0, 1, 0x01, 0x00)).toString('hex')).toBe('9004');
    expect(b.read('holding', 0, 2)).toEqual([7, 8]);
    expect(answerPdu(b, pdu(6, 0, 1, 0, 42)).toString('hex')).toBe('060001002a');
    expect(seen).toEqual([[1, [42]]]);
    expect(b.read('holding', 0, 4)).toEqual([7, 42, 0, 0xaaaa]);
  });
});

describe('register values', () => {
  it('puts the high word first in big word order and last in little', () => {
    expect(encodeRegisterValue('int32', 'big', -2)).toEqual([0xffff, 0xfffe]);
    expect(encodeRegisterValue('int32', 'little', 0x12345678)).toEqual([0x5678, 0x1234]);
    expect(encodeRegisterValue('uint32', 'big', 1_767_225_600)).toEqual([0x6955, 0xb900]);
    expect(encodeRegisterValue('float32', 'big', 38.5)).toEqual([0x421a, 0x0000]);
    expect(encodeRegisterValue('float32', 'little', 38.5)).toEqual([0x0000, 0x421a]);
    expect(encodeRegisterValue('int16', 'big', -1)).toEqual([0xffff]);
    expect(() => encodeRegisterValue('uint16', 'big', 70_000)).toThrow(RangeError);
  });

  it('decodes what it encodes', () => {
    for (const [type, v] of [['int16', -300], ['uint16', 65_000], ['int32', -70_000], ['uint32', 4e9], ['float32', 36.75]] as const) {
      for (const order of ['big', 'little'] as const) expect(decodeRegisterValue(type, order, encodeRegisterValue(type, order, v))).toBe(v);
    }
  });
});
