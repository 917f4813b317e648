/**
 * CRC-16/MODBUS (device-protocols.md, "CRC and checksum algorithms": poly 0x8005 reflected
 * = 0xA001, init 0xFFFF, reflected, xorout 0; check value of "123456789" = 0x4B37).
 * An RTU frame carries it after the PDU, low byte first (Modbus over serial line V1.02, 2.5.1.2).
 */

const TABLE_A001: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[byte] = crc;
  }
  return table;
})();

/** CRC-16/MODBUS of `data`. */
export function crc16Modbus(data: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of data) crc = (crc >>> 8) ^ (TABLE_A001[(crc ^ byte) & 0xff] as number);
  return crc;
}

/** `pdu` (unit id, function code, data) followed by its CRC, low byte first: one RTU frame. */
export function withModbusCrc(pdu: Uint8Array): Buffer {
  const frame = Buffer.alloc(pdu.length + 2);
  frame.set(pdu, 0);
  frame.writeUInt16LE(crc16Modbus(pdu), pdu.length);
  return frame;
}

/** True when the last two bytes of `frame` are the CRC (low byte first) of the bytes before them. */
export function hasValidModbusCrc(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const end = frame.length - 2;
  const crc = (frame[end] as number) | ((frame[end + 1] as number) << 8);
  return crc === crc16Modbus(frame.subarray(0, end));
}
