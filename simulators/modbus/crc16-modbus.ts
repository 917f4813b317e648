/**
 * CRC-16/MODBUS (device-protocols.md, "CRC and checksum algorithms"): poly 0x8005
 * reflected (0xA001), init 0xFFFF, xorout 0; check value of "123456789" = 0x4B37.
 * Modbus RTU sends it low byte first. The simulators keep their own copy so that they
 * and Vigil's driver are not proven against the same code.
 */

const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[byte] = crc;
  }
  return table;
})();

/** CRC-16/MODBUS of `bytes`. */
export function crc16Modbus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) crc = (crc >>> 8) ^ (TABLE[(crc ^ byte) & 0xff] as number);
  return crc;
}

/** `bytes` followed by their CRC-16/MODBUS, low byte first (an RTU frame). */
export function withCrc16Modbus(bytes: Uint8Array): Buffer {
  const crc = crc16Modbus(bytes);
  return Buffer.concat([bytes, Buffer.from([crc & 0xff, crc >>> 8])]);
}

/** True when the last two bytes of `frame` are the CRC-16/MODBUS (low byte first) of the rest. */
export function hasValidCrc16Modbus(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const crc = crc16Modbus(frame.subarray(0, frame.length - 2));
  return frame[frame.length - 2] === (crc & 0xff) && frame[frame.length - 1] === crc >>> 8;
}
