import { VigilError } from '../core/errors.js';

/** A JSON value as stored in audit details. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (audit `details`). */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order at every level, no
 * whitespace, `-0` written as `0`, object members whose value is `undefined` left out
 * (as JSON.stringify does). Two values that are equal as JSON give the same string,
 * whatever the order their keys were built in; the audit hash depends on this.
 *
 * @throws VigilError AUDIT_ENTRY_INVALID for values JSON cannot carry exactly:
 *   non-finite numbers, bigint, functions, symbols, class instances, cycles.
 */
export function canonicalJson(value: unknown): string {
  return write(value, [], '$');
}

function write(value: unknown, stack: object[], path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) invalid(path, `number ${String(value)} is not representable in JSON`);
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'object':
      break;
    default:
      invalid(path, `${typeof value} is not representable in JSON`);
  }
  const object = value as object;
  if (stack.includes(object)) invalid(path, 'circular reference');
  stack.push(object);
  let out: string;
  if (Array.isArray(object)) {
    out = `[${object.map((item: unknown, i) => write(item === undefined ? null : item, stack, `${path}[${i}]`)).join(',')}]`;
  } else {
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) invalid(path, 'only plain objects are allowed');
    const record = object as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${write(record[key], stack, `${path}.${key}`)}`);
    out = `{${members.join(',')}}`;
  }
  stack.pop();
  return out;
}

function invalid(path: string, problem: string): never {
  throw new VigilError('AUDIT_ENTRY_INVALID', `audit details ${path}: ${problem}`, { path, problem });
}
