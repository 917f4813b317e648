import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc16CcittFalse, crc16Hex, crc16Xmodem } from '../../../drivers/shared/crc16.js';

/** Bit-by-bit reference (poly 0x1021, MSB first), written independently of the table. */
function bitwise(bytes: Uint8Array, init: number): number {
  let crc = init;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

describe('crc16', () => {
  it('CCITT-FALSE check value of "123456789" is 0x29B1', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
    expect(crc16CcittFalse(Buffer.from('123456789', 'ascii'))).toBe(0x29b1);
  });

  it('XMODEM check value of "123456789" is 0x31C3', () => {
    expect(crc16Xmodem('123456789')).toBe(0x31c3);
  });

  it('empty input gives the init value', () => {
    expect(crc16CcittFalse('')).toBe(0xffff);
    expect(crc16Xmodem(new Uint8Array())).toBe(0);
  });

  it('matches Asena frame checksums published by an open-source client', () => {
    // Frames as printed in mdpnp OpenICE's Asena driver: body -> CRC field.
    expect(crc16Hex(crc16CcittFalse('INF'))).toBe('4961');
    expect(crc16Hex(crc16CcittFalse('INST_SERIALNO'))).toBe('457D');
    expect(crc16Hex(crc16CcittFalse('INF_RATE^3.50^ml/h'))).toBe('3885');
    // Remote-control code of serial 8002-51740 used in REMOTE_CTRL^ENABLED^3CC1.
    expect(crc16Hex(crc16CcittFalse('8002-51740'))).toBe('3CC1');
  });

  it('table-driven result equals a bit-by-bit computation for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(crc16CcittFalse(bytes)).toBe(bitwise(bytes, 0xffff));
        expect(crc16Xmodem(bytes)).toBe(bitwise(bytes, 0));
      }),
    );
  });

  it('crc16Hex pads to 4 upper-case digits', () => {
    expect(crc16Hex(0x0a3)).toBe('00A3');
    expect(crc16Hex(0xbeef)).toBe('BEEF');
  });
});
