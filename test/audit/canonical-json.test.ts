import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/core/errors.js';
import { canonicalJson } from '../../src/audit/canonical-json.js';

/** Rebuilds every object with its keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

const json = fc.jsonValue();

describe('canonicalJson', () => {
  it('sorts keys at every level and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}',
    );
  });

  it('is independent of key insertion order (property)', () => {
    fc.assert(fc.property(json, (value) => canonicalJson(reverseKeys(value)) === canonicalJson(value)));
  });

  it('parses back to the same value (property)', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('writes -0 as 0 and drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ a: -0, b: undefined, c: [undefined] })).toBe('{"a":0,"c":[null]}');
  });

  it.each([
    ['NaN', { x: Number.NaN }],
    ['Infinity', { x: Number.POSITIVE_INFINITY }],
    ['bigint', { x: 10n }],
    ['a function', { x: () => 1 }],
    ['a Map', { x: new Map() }],
  ])('refuses %s', (_label, value) => {
    let code: string | undefined;
    try {
      canonicalJson(value);
    } catch (err) {
      code = isVigilError(err) ? err.code : 'other';
    }
    expect(code).toBe('AUDIT_ENTRY_INVALID');
  });

  it('refuses a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular/);
  });
});
