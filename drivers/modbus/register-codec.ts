import { registerCount, type DataType } from './register-map.js';

/**
 * Numbers in Modbus registers (docs/protocols/modbus.md, "Data types"). A register is a
 * 16-bit word sent high byte first; a 32-bit value spans two consecutive registers, high
 * word first (`wordOrder: big`, the Modbus convention) or low word first (`little`).
 * Engineering value = raw * scale + offset. Pure functions: no I/O, never throw on
 * device data.
 */

/** Where a value sits and how its raw number becomes an engineering value. */
export interface ValueSpec {
  readonly register: number;
  readonly type: DataType;
  readonly wordOrder: 'big' | 'little';
  readonly scale: number;
  readonly offset: number;
}

/** The 32-bit pattern of two registers, taking the word order into account. */
function pattern32(first: number, second: number, wordOrder: 'big' | 'little'): number {
  const [high, low] = wordOrder === 'big' ? [first, second] : [second, first];
  return ((high & 0xffff) * 0x10000 + (low & 0xffff)) >>> 0;
}

/** The raw bit pattern of a value: the register for 16-bit types, the unsigned 32-bit pattern otherwise. */
export function rawPattern(words: readonly number[], type: DataType, wordOrder: 'big' | 'little'): number {
  const first = (words[0] ?? 0) & 0xffff;
  return registerCount(type) === 1 ? first : pattern32(first, words[1] ?? 0, wordOrder);
}

/** The raw number a value's registers hold: signed or unsigned integer, or an IEEE 754 single. */
export function rawValue(words: readonly number[], type: DataType, wordOrder: 'big' | 'little'): number {
  const bits = rawPattern(words, type, wordOrder);
  switch (type) {
    case 'uint16':
    case 'uint32':
      return bits;
    case 'int16':
      return bits >= 0x8000 ? bits - 0x10000 : bits;
    case 'int32':
      return bits | 0;
    case 'float32': {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, bits);
      const value = view.getFloat32(0);
      // A single carries about 7 significant digits; more would be noise (36.6 reads 36.5999984...).
      return Number.isFinite(value) ? Number(value.toPrecision(7)) : value;
    }
  }
}

/** raw * scale + offset, with binary rounding noise removed (0.1 * 3 -> 0.3, not 0.30000000000000004). */
export function scaled(raw: number, scale: number, offset: number): number {
  return Number((raw * scale + offset).toPrecision(12));
}

/** A decoded value: a number, or null with the reason it is absent. */
export type DecodedValue =
  | { readonly ok: true; readonly value: number; readonly raw: number }
  | { readonly ok: false; readonly reason: 'sentinel' | 'not-a-number' | 'out-of-block'; readonly raw: number | null };

/**
 * Decodes the value at `spec.register` from a block of registers read from `blockStart`.
 * `invalid` lists raw values that mean "no value" (e.g. 0x8000, 0xFFFF); each matches either
 * the unsigned bit pattern or the signed raw number, so an int16 sentinel may be written as
 * 32768, 0x8000 or -32768. A float32 NaN or infinity is never a value either.
 */
export function decodeValue(
  block: readonly number[],
  blockStart: number,
  spec: ValueSpec,
  invalid: readonly number[] = [],
): DecodedValue {
  const index = spec.register - blockStart;
  const count = registerCount(spec.type);
  if (index < 0 || index + count > block.length) return { ok: false, reason: 'out-of-block', raw: null };
  const words = block.slice(index, index + count);
  const bits = rawPattern(words, spec.type, spec.wordOrder);
  const raw = rawValue(words, spec.type, spec.wordOrder);
  if (invalid.some((s) => s === bits || s === raw)) return { ok: false, reason: 'sentinel', raw };
  if (!Number.isFinite(raw)) return { ok: false, reason: 'not-a-number', raw: null };
  return { ok: true, value: scaled(raw, spec.scale, spec.offset), raw };
}

const INTEGER_RANGES: Record<Exclude<DataType, 'float32'>, readonly [number, number]> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

/** The registers that carry a value, or why it cannot be written. */
export type EncodedValue =
  | {
      readonly ok: true;
      /** Register words in wire order, each 0..65535. */
      readonly registers: readonly number[];
      readonly raw: number;
      /** The value the registers will mean once read back (after rounding to the register's resolution). */
      readonly encodedValue: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Encodes `value` for a write: raw = (value - offset) / scale, rounded to an integer for the
 * integer types, then range-checked. Refuses (never clamps) a value the registers cannot hold.
 */
export function encodeValue(value: number, spec: ValueSpec): EncodedValue {
  if (!Number.isFinite(value)) return { ok: false, reason: `${value} is not a finite number` };
  const exact = (value - spec.offset) / spec.scale;
  let raw: number;
  let bits: number;
  if (spec.type === 'float32') {
    raw = Math.fround(exact);
    if (!Number.isFinite(raw)) return { ok: false, reason: `${value} does not fit a float32` };
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, raw);
    bits = view.getUint32(0);
    raw = Number(raw.toPrecision(7));
  } else {
    raw = Math.round(exact);
    const [min, max] = INTEGER_RANGES[spec.type];
    if (raw < min || raw > max) {
      const lo = scaled(min, spec.scale, spec.offset);
      const hi = scaled(max, spec.scale, spec.offset);
      return { ok: false, reason: `${value} is outside what a ${spec.type} register can hold here (${Math.min(lo, hi)} to ${Math.max(lo, hi)})` };
    }
    bits = raw < 0 ? (spec.type === 'int16' ? raw + 0x10000 : raw >>> 0) : raw;
  }
  const registers =
    registerCount(spec.type) === 1
      ? [bits & 0xffff]
      : spec.wordOrder === 'big'
        ? [Math.floor(bits / 0x10000) & 0xffff, bits & 0xffff]
        : [bits & 0xffff, Math.floor(bits / 0x10000) & 0xffff];
  return { ok: true, registers, raw, encodedValue: scaled(raw, spec.scale, spec.offset) };
}
