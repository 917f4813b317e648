import type { NoninFormat } from './nonin-frame.js';

/**
 * Host commands of Nonin oximeters (device-protocols.md, "Nonin pulse oximeters"):
 * `STX(0x02) opcode len data... ETX(0x03)`, answered by ACK 0x06 or NAK 0x15.
 * The only one Vigil sends is "set data format": it configures the monitor's output.
 */

export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
/** Opcode of "set data format"; its data is `[0x02, format]`. */
export const SET_DATA_FORMAT_OPCODE = 0x70;

/** The "set data format" command for `format`: `02 70 02 02 <format> 03`. */
export function encodeSetFormatCommand(format: NoninFormat): Buffer {
  const data = [0x02, format];
  return Buffer.from([STX, SET_DATA_FORMAT_OPCODE, data.length, ...data, ETX]);
}
