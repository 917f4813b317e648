import type { DataType } from '../../drivers/modbus/register-map.js';

/** Order of the two words of a 32-bit value: `big` = high word first (the Modbus convention). */
export type WordOrder = 'big' | 'little';

/**
 * The register words (uint16 each) holding the raw `value` as `type`. Integer types take
 * an integer in the type's range (RangeError otherwise: a simulator bug, not device input);
 * float32 takes any number (NaN included, as IEEE 754 single).
 */
export function encodeRegisterValue(type: DataType, wordOrder: WordOrder, value: number): number[] {
  const bytes = Buffer.alloc(4);
  switch (type) {
    case 'int16':
      checkInteger(value, -0x8000, 0x7fff, type);
      return [value & 0xffff];
    case 'uint16':
      checkInteger(value, 0, 0xffff, type);
      return [value];
    case 'int32':
      checkInteger(value, -0x8000_0000, 0x7fff_ffff, type);
      bytes.writeInt32BE(value);
      break;
    case 'uint32':
      checkInteger(value, 0, 0xffff_ffff, type);
      bytes.writeUInt32BE(value);
      break;
    case 'float32':
      bytes.writeFloatBE(value);
      break;
  }
  const words = [bytes.readUInt16BE(0), bytes.readUInt16BE(2)];
  return wordOrder === 'big' ? words : words.reverse();
}

/** The raw value held by `words` (the inverse of encodeRegisterValue). */
export function decodeRegisterValue(type: DataType, wordOrder: WordOrder, words: readonly number[]): number {
  const [w0 = 0, w1 = 0] = words;
  if (type === 'uint16') return w0 & 0xffff;
  if (type === 'int16') return ((w0 & 0xffff) << 16) >> 16;
  const [high, low] = wordOrder === 'big' ? [w0, w1] : [w1, w0];
  const bytes = Buffer.alloc(4);
  bytes.writeUInt16BE(high & 0xffff, 0);
  bytes.writeUInt16BE(low & 0xffff, 2);
  if (type === 'int32') return bytes.readInt32BE();
  if (type === 'uint32') return bytes.readUInt32BE();
  return bytes.readFloatBE();
}

function checkInteger(value: number, min: number, max: number, type: DataType): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${value} is not a ${type} (${min}..${max})`);
  }
}
