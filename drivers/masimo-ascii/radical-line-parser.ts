import { findLastTimestamp, type RadicalTimestamp } from './radical-timestamp.js';
import {
  isKnownKey,
  readBits,
  readNumeric,
  readSerial,
  type RadicalKnownKey,
  type RadicalNumericKey,
  type ValueResult,
} from './radical-fields.js';

/**
 * Parser of one Masimo "ASCII 1" line (Radical-7, Radical-5, Rad-8), keyed by field name
 * (device-protocols.md, Masimo section; docs/protocols/masimo-ascii.md). Never throws.
 */

/** A field the parser does not know, kept as sent. */
export interface UnknownField {
  readonly key: string;
  readonly value: string;
}

/** One parsed line. A key absent from `values` was not on the line; `null` means "unavailable". */
export interface RadicalRecord {
  readonly timestamp: RadicalTimestamp;
  /** `SN=`; undefined when absent, null when unavailable. */
  readonly serial?: string | null;
  readonly values: { readonly [K in RadicalNumericKey]?: number | null };
  /** `ALARM=` bits; undefined when absent, null when unavailable. */
  readonly alarmBits?: number | null;
  /** `EXC=` bits; undefined when absent, null when unavailable. */
  readonly exceptionBits?: number | null;
  readonly unknownFields: readonly UnknownField[];
  /** Characters before the timestamp that were skipped as noise (0 on a clean line). */
  readonly skippedPrefixChars: number;
}

/** Stable codes for why a line was rejected. */
export type RadicalRejectCode =
  | 'NO_TIMESTAMP'
  | 'BAD_TIMESTAMP'
  | 'NON_PRINTABLE'
  | 'MALFORMED_FIELD'
  | 'BAD_VALUE'
  | 'DUPLICATE_FIELD'
  | 'NO_KNOWN_FIELD';

export type RadicalParseResult =
  | { readonly ok: true; readonly record: RadicalRecord }
  | { readonly ok: false; readonly code: RadicalRejectCode; readonly reason: string };

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FIELD = /^([A-Z][A-Z0-9_]*)=(\S+)$/;

function reject(code: RadicalRejectCode, reason: string): RadicalParseResult {
  return { ok: false, code, reason };
}

interface Draft {
  serial?: string | null;
  values: { [K in RadicalNumericKey]?: number | null };
  alarmBits?: number | null;
  exceptionBits?: number | null;
}

function readKnown(draft: Draft, key: RadicalKnownKey, raw: string): ValueResult<unknown> {
  if (key === 'SN') {
    const r = readSerial(raw);
    if (r.ok) draft.serial = r.value;
    return r;
  }
  if (key === 'ALARM' || key === 'EXC') {
    const r = readBits(key, raw);
    if (r.ok && key === 'ALARM') draft.alarmBits = r.value;
    if (r.ok && key === 'EXC') draft.exceptionBits = r.value;
    return r;
  }
  const r = readNumeric(key, raw);
  if (r.ok) draft.values[key] = r.value;
  return r;
}

/**
 * Parses one line (without its line end). Everything before the last timestamp is skipped
 * as noise; after it, every token must be `KEY=VALUE` in printable ASCII, every known
 * value must have its exact shape, no known key may repeat, and at least one known key
 * must be present. Unknown keys are kept in `unknownFields`.
 */
export function parseRadicalLine(line: string): RadicalParseResult {
  if (typeof line !== 'string') return reject('NO_TIMESTAMP', 'not a text line');
  const hit = findLastTimestamp(line);
  if (hit === null) return reject('NO_TIMESTAMP', 'no MM/dd/yy HH:mm:ss timestamp');
  if (hit.timestamp === null) return reject('BAD_TIMESTAMP', `impossible date or time '${line.slice(hit.start, hit.end)}'`);
  const body = line.slice(hit.end);
  if (!PRINTABLE_ASCII.test(body)) return reject('NON_PRINTABLE', 'non-printable or non-ASCII byte after the timestamp');

  const draft: Draft = { values: {} };
  const seen = new Set<string>();
  const unknownFields: UnknownField[] = [];
  for (const token of body.split(' ')) {
    if (token === '') continue;
    const m = FIELD.exec(token);
    if (m === null) return reject('MALFORMED_FIELD', `'${token}' is not KEY=VALUE`);
    const [, key = '', raw = ''] = m;
    if (!isKnownKey(key)) {
      unknownFields.push({ key, value: raw });
      continue;
    }
    if (seen.has(key)) return reject('DUPLICATE_FIELD', `${key} appears twice`);
    seen.add(key);
    const result = readKnown(draft, key, raw);
    if (!result.ok) return reject('BAD_VALUE', result.reason);
  }
  if (seen.size === 0) return reject('NO_KNOWN_FIELD', 'no known field after the timestamp');
  return {
    ok: true,
    record: { timestamp: hit.timestamp, ...draft, unknownFields, skippedPrefixChars: hit.start },
  };
}
