import type { WriteStep } from '../../../drivers/modbus/register-map.js';

/**
 * Encodes an order's target rate into the register words of a map's `write-target` step
 * (drivers/modbus/register-map.ts): raw = (target - offset) / scale, in the step's data
 * type and word order. The inverse of how the driver reads a value, so what is written
 * reads back as the same number. A target integer registers cannot hold exactly (another
 * precision, out of the type's range) or that is not finite is refused, never rounded to
 * something else; float32 holds it to single precision.
 */

/** The value description of a `write-target` step. */
export type TargetField = Extract<WriteStep, { op: 'write-target' }>['value'];

export type TargetEncoding =
  | { readonly ok: true; readonly words: readonly number[]; readonly raw: number }
  | { readonly ok: false; readonly reason: string };

const INTEGER_RANGES = {
  int16: { min: -0x8000, max: 0x7fff },
  uint16: { min: 0, max: 0xffff },
  int32: { min: -0x8000_0000, max: 0x7fff_ffff },
  uint32: { min: 0, max: 0xffff_ffff },
} as const;

/** Largest difference, in the value's own unit, between the target and what integer registers hold. */
const REPRESENTATION_TOLERANCE = 1e-6;

/** The words (0-65535 each, in wire order) that hold `target` in `field`. */
export function encodeTarget(target: number, field: TargetField): TargetEncoding {
  if (!Number.isFinite(target)) return { ok: false, reason: `target ${target} is not a number` };
  const exact = (target - field.offset) / field.scale;
  if (field.type === 'float32') {
    // Single precision is the register's own precision (relative 2^-24): only overflow is refused.
    const stored = Math.fround(exact);
    if (!Number.isFinite(stored)) return { ok: false, reason: `${target} cannot be held by a float32 register pair` };
    const bytes = new DataView(new ArrayBuffer(4));
    bytes.setFloat32(0, stored, false);
    return { ok: true, raw: stored, words: order([bytes.getUint16(0, false), bytes.getUint16(2, false)], field.wordOrder) };
  }
  const raw = Math.round(exact);
  if (Math.abs(raw * field.scale + field.offset - target) > REPRESENTATION_TOLERANCE) {
    return { ok: false, reason: `${target} is not a multiple of the register's step ${field.scale}` };
  }
  const range = INTEGER_RANGES[field.type];
  if (raw < range.min || raw > range.max) {
    return { ok: false, reason: `${target} (raw ${raw}) does not fit in ${field.type}` };
  }
  if (field.type === 'int16' || field.type === 'uint16') return { ok: true, raw, words: [raw & 0xffff] };
  const unsigned = raw < 0 ? raw + 0x1_0000_0000 : raw;
  return { ok: true, raw, words: order([Math.floor(unsigned / 0x1_0000), unsigned % 0x1_0000], field.wordOrder) };
}

function order(bigEndianWords: [number, number], wordOrder: TargetField['wordOrder']): number[] {
  return wordOrder === 'big' ? bigEndianWords : [bigEndianWords[1], bigEndianWords[0]];
}
