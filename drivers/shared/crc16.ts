/**
 * Table-driven 16-bit CRCs over the non-reflected polynomial 0x1021
 * (device-protocols.md, "CRC and checksum algorithms"):
 * - CRC-16/CCITT-FALSE: init 0xFFFF, no reflection, xorout 0 (check "123456789" = 0x29B1).
 *   Used by the Alaris Asena GH frame checksum and its remote-control code.
 * - CRC-16/XMODEM: init 0x0000, otherwise the same (check = 0x31C3). Used by New Era safe mode.
 */

const POLY_1021 = 0x1021;

/** CRC of each byte value fed into a zero register, MSB first. */
const TABLE_1021: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ POLY_1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

/** Bytes of `data`; a string is taken as latin1 (one byte per character, as on the wire). */
function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
}

function crc1021(data: Uint8Array | string, init: number): number {
  let crc = init;
  for (const byte of toBytes(data)) {
    crc = ((crc << 8) ^ (TABLE_1021[((crc >> 8) ^ byte) & 0xff] as number)) & 0xffff;
  }
  return crc;
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected, xorout 0). */
export function crc16CcittFalse(data: Uint8Array | string): number {
  return crc1021(data, 0xffff);
}

/** CRC-16/XMODEM (poly 0x1021, init 0x0000, not reflected, xorout 0). */
export function crc16Xmodem(data: Uint8Array | string): number {
  return crc1021(data, 0x0000);
}

/** A 16-bit value as 4 upper-case hex digits, zero-padded (e.g. 0x0A3 -> `00A3`). */
export function crc16Hex(crc: number): string {
  return (crc & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}
