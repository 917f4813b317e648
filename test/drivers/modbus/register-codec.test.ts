import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, type ValueSpec } from '../../../drivers/modbus/register-codec.js';
import { crc16Modbus, hasValidModbusCrc, withModbusCrc } from '../../../drivers/modbus/modbus-crc.js';

const spec = (over: Partial<ValueSpec>): ValueSpec => ({ register: 0, type: 'uint16', wordOrder: 'big', scale: 1, offset: 0, ...over });

describe('CRC-16/MODBUS', () => {
  it('has the catalogue check value 0x4B37 for "123456789"', () => {
    expect(crc16Modbus(Buffer.from('123456789', 'ascii'))).toBe(0x4b37);
  });

  it('frames the read-holding-registers example of the Modbus serial line guide (01 03 00 00 00 0A C5 CD)', () => {
    expect(withModbusCrc(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]))).toEqual(Buffer.from('01030000000ac5cd', 'hex'));
    expect(hasValidModbusCrc(Buffer.from('01030000000ac5cd', 'hex'))).toBe(true);
    expect(hasValidModbusCrc(Buffer.from('01030000000ac5ce', 'hex'))).toBe(false);
    expect(hasValidModbusCrc(Buffer.from('01030000000bc5cd', 'hex'))).toBe(false);
  });
});

describe('decodeValue', () => {
  it('decodes each 16-bit type', () => {
    expect(decodeValue([0xffff], 0, spec({ type: 'uint16' }))).toMatchObject({ ok: true, value: 65535 });
    expect(decodeValue([0xffff], 0, spec({ type: 'int16' }))).toMatchObject({ ok: true, value: -1 });
    expect(decodeValue([0x8000], 0, spec({ type: 'int16' }))).toMatchObject({ ok: true, value: -32768 });
    expect(decodeValue([0x7fff], 0, spec({ type: 'int16' }))).toMatchObject({ ok: true, value: 32767 });
  });

  it('decodes 32-bit types in both word orders', () => {
    // 0x0001_0002 = 65538
    expect(decodeValue([0x0001, 0x0002], 0, spec({ type: 'uint32' }))).toMatchObject({ value: 65538 });
    expect(decodeValue([0x0002, 0x0001], 0, spec({ type: 'uint32', wordOrder: 'little' }))).toMatchObject({ value: 65538 });
    expect(decodeValue([0xffff, 0xfffe], 0, spec({ type: 'int32' }))).toMatchObject({ value: -2 });
    expect(decodeValue([0xfffe, 0xffff], 0, spec({ type: 'int32', wordOrder: 'little' }))).toMatchObject({ value: -2 });
    expect(decodeValue([0xffff, 0xffff], 0, spec({ type: 'uint32' }))).toMatchObject({ value: 4294967295 });
    // 38.5 = 0x421A0000; 36.6 = 0x42126666 (a single: 36.59999847...)
    expect(decodeValue([0x421a, 0x0000], 0, spec({ type: 'float32' }))).toMatchObject({ value: 38.5 });
    expect(decodeValue([0x6666, 0x4212], 0, spec({ type: 'float32', wordOrder: 'little' }))).toMatchObject({ value: 36.6 });
  });

  it('finds the value at its register inside a block', () => {
    expect(decodeValue([9, 9, 0x0001, 0x0000, 9], 100, spec({ register: 102, type: 'uint32' }))).toMatchObject({ value: 65536 });
    expect(decodeValue([1, 2], 100, spec({ register: 101, type: 'uint32' }))).toEqual({ ok: false, reason: 'out-of-block', raw: null });
  });

  it('applies scale and offset without binary noise', () => {
    expect(decodeValue([3685], 0, spec({ scale: 0.01 }))).toMatchObject({ value: 36.85 });
    expect(decodeValue([3], 0, spec({ scale: 0.1 }))).toMatchObject({ value: 0.3 });
    expect(decodeValue([500], 0, spec({ type: 'int16', scale: 0.1, offset: -40 }))).toMatchObject({ value: 10 });
  });

  it('turns a sentinel into no value, matching the bit pattern or the signed raw number', () => {
    expect(decodeValue([0x8000], 0, spec({ type: 'int16' }), [0x8000])).toMatchObject({ ok: false, reason: 'sentinel' });
    expect(decodeValue([0x8000], 0, spec({ type: 'int16' }), [-32768])).toMatchObject({ ok: false, reason: 'sentinel' });
    expect(decodeValue([0xffff, 0xffff], 0, spec({ type: 'int32' }), [-1])).toMatchObject({ ok: false, reason: 'sentinel' });
    expect(decodeValue([0xffff, 0xffff], 0, spec({ type: 'int32' }), [0xffffffff])).toMatchObject({ ok: false, reason: 'sentinel' });
    expect(decodeValue([0xfffe], 0, spec({}), [0xffff])).toMatchObject({ ok: true, value: 0xfffe });
  });

  it('never returns NaN or infinity as a value', () => {
    expect(decodeValue([0x7fc0, 0x0000], 0, spec({ type: 'float32' }))).toMatchObject({ ok: false, reason: 'not-a-number' });
    expect(decodeValue([0x7f80, 0x0000], 0, spec({ type: 'float32' }))).toMatchObject({ ok: false, reason: 'not-a-number' });
  });
});

describe('encodeValue', () => {
  it('encodes raw = (value - offset) / scale, rounded, in word order', () => {
    expect(encodeValue(12.5, spec({ type: 'uint32', scale: 0.01 }))).toMatchObject({ ok: true, registers: [0, 1250], encodedValue: 12.5 });
    expect(encodeValue(700, spec({ type: 'uint32', scale: 0.01 }))).toMatchObject({ registers: [0x0001, 0x1170] });
    expect(encodeValue(700, spec({ type: 'uint32', scale: 0.01, wordOrder: 'little' }))).toMatchObject({ registers: [0x1170, 0x0001] });
    expect(encodeValue(-1, spec({ type: 'int16' }))).toMatchObject({ registers: [0xffff] });
    expect(encodeValue(-2, spec({ type: 'int32' }))).toMatchObject({ registers: [0xffff, 0xfffe] });
    expect(encodeValue(10, spec({ type: 'int16', scale: 0.1, offset: -40 }))).toMatchObject({ registers: [500] });
    expect(encodeValue(38.5, spec({ type: 'float32' }))).toMatchObject({ registers: [0x421a, 0x0000] });
    // 1.234 at 0.01 resolution: what the register will read back is 1.23.
    expect(encodeValue(1.234, spec({ scale: 0.01 }))).toMatchObject({ registers: [123], encodedValue: 1.23 });
  });

  it('refuses a value that the registers cannot hold, never clamps', () => {
    expect(encodeValue(655.36, spec({ scale: 0.01 }))).toMatchObject({ ok: false });
    expect(encodeValue(-0.01, spec({ scale: 0.01 }))).toMatchObject({ ok: false });
    expect(encodeValue(32768, spec({ type: 'int16' }))).toMatchObject({ ok: false });
    expect(encodeValue(2 ** 32, spec({ type: 'uint32' }))).toMatchObject({ ok: false });
    expect(encodeValue(Number.NaN, spec({}))).toMatchObject({ ok: false });
    expect(encodeValue(1e39, spec({ type: 'float32' }))).toMatchObject({ ok: false });
    const refused = encodeValue(700, spec({ scale: 0.01 }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toContain('0 to 655.35');
  });

  it('decoding what it encodes gives back the value at the register resolution (property)', () => {
    const types = ['int16', 'uint16', 'int32', 'uint32'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.constantFrom('big', 'little'), fc.constantFrom(1, 0.1, 0.01), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (type, wordOrder, scale, raw) => {
        const s = spec({ type, wordOrder: wordOrder as 'big' | 'little', scale });
        const encoded = encodeValue(raw * scale, s);
        if (!encoded.ok) return;
        const decoded = decodeValue(encoded.registers, 0, s);
        expect(decoded).toMatchObject({ ok: true, value: encoded.encodedValue });
        expect(encoded.raw).toBe(raw);
      }),
    );
  });
});
