/**
 * encodeTarget: what the executor writes must read back as the ordered number. Checked
 * against the simulators' register decoder (simulators/modbus/register-values.ts, written
 * separately), on fixed cases and on random targets.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeTarget, type TargetField } from '../../../src/control/modbus/target-encoding.js';
import { decodeRegisterValue } from '../../../simulators/modbus/register-values.js';

const field = (patch: Partial<TargetField>): TargetField => ({ register: 10, type: 'uint32', wordOrder: 'big', scale: 0.01, offset: 0, ...patch });

/** What a reader of `f` sees in `words`. */
const readBack = (f: TargetField, words: readonly number[]) => decodeRegisterValue(f.type, f.wordOrder, words) * f.scale + f.offset;

describe('encodeTarget', () => {
  it('uint32 at 0.01 mL/h, high word first, and little word order swapped', () => {
    expect(encodeTarget(7, field({}))).toEqual({ ok: true, raw: 700, words: [0, 700] });
    expect(encodeTarget(1000, field({}))).toEqual({ ok: true, raw: 100_000, words: [1, 34_464] });
    expect(encodeTarget(1000, field({ wordOrder: 'little' }))).toEqual({ ok: true, raw: 100_000, words: [34_464, 1] });
  });

  it('16-bit types are one word; int16 negatives in two’s complement; offset applies', () => {
    expect(encodeTarget(52.5, field({ type: 'uint16', scale: 0.1 }))).toMatchObject({ ok: true, words: [525] });
    expect(encodeTarget(-1.5, field({ type: 'int16', scale: 0.5 }))).toMatchObject({ ok: true, words: [0xfffd] });
    expect(encodeTarget(12, field({ type: 'uint16', scale: 1, offset: 10 }))).toMatchObject({ ok: true, words: [2] });
  });

  it('float32 holds the value in IEEE single precision', () => {
    const f = field({ type: 'float32', scale: 1 });
    const encoded = encodeTarget(5.25, f);
    expect(encoded).toMatchObject({ ok: true, words: [0x40a8, 0x0000] });
    expect(encodeTarget(0.1, f).ok).toBe(true);
  });

  it('refuses what the register cannot hold exactly, rather than rounding', () => {
    expect(encodeTarget(5.25, field({ type: 'uint16', scale: 0.1 }))).toMatchObject({ ok: false, reason: expect.stringContaining('multiple') });
    expect(encodeTarget(700, field({ type: 'uint16', scale: 0.01 }))).toMatchObject({ ok: false, reason: expect.stringContaining('uint16') });
    expect(encodeTarget(-1, field({}))).toMatchObject({ ok: false });
    expect(encodeTarget(Number.NaN, field({}))).toMatchObject({ ok: false });
    expect(encodeTarget(1e40, field({ type: 'float32', scale: 1 }))).toMatchObject({ ok: false });
  });

  it('property: every 0.01 mL/h rate of 0.01-1200 reads back as itself, in every 32-bit layout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120_000 }),
        fc.constantFrom<TargetField['type']>('uint32', 'int32', 'float32'),
        fc.constantFrom<TargetField['wordOrder']>('big', 'little'),
        (centi, type, wordOrder) => {
          const target = centi / 100;
          const f = field({ type, wordOrder, scale: type === 'float32' ? 1 : 0.01 });
          const encoded = encodeTarget(target, f);
          if (!encoded.ok) return false;
          expect(encoded.words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)).toBe(true);
          const tolerance = type === 'float32' ? target * 2 ** -23 : 1e-6;
          return Math.abs(readBack(f, encoded.words) - target) <= tolerance;
        },
      ),
    );
  });
});
