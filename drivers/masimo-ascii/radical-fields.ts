/**
 * The known `KEY=VALUE` fields of Masimo "ASCII 1" lines and how each value is read
 * (device-protocols.md, Masimo section; docs/protocols/masimo-ascii.md, "Fields").
 * A value whose second character is `-` means "no value" (null), never 0.
 * Values are checked against their exact shape and a plausible range: the protocol has
 * no checksum, so a value that does not fit is taken as line noise, not guessed at.
 */

/** Numeric fields, by their key on the wire. */
export type RadicalNumericKey = 'SPO2' | 'BPM' | 'PI' | 'SPCO' | 'SPMET' | 'DESAT' | 'PIDELTA' | 'PVI';

/** Bit-field fields (hexadecimal on the wire). */
export type RadicalBitsKey = 'ALARM' | 'EXC';

/** Every key the parser knows. */
export type RadicalKnownKey = RadicalNumericKey | RadicalBitsKey | 'SN';

interface NumericSpec {
  readonly pattern: RegExp;
  readonly min: number;
  readonly max: number;
}

// Percent values may carry their `%`; zero padding is allowed everywhere.
const INTEGER_PERCENT = /^\d{1,3}%?$/;
const DECIMAL_PERCENT = /^\d{1,3}(\.\d{1,3})?%?$/;

/** Shapes and ranges of the numeric fields. Ranges are wider than any real reading. */
export const NUMERIC_FIELDS: Readonly<Record<RadicalNumericKey, NumericSpec>> = {
  SPO2: { pattern: INTEGER_PERCENT, min: 0, max: 100 },
  BPM: { pattern: /^\d{1,3}$/, min: 0, max: 300 },
  PI: { pattern: DECIMAL_PERCENT, min: 0, max: 100 },
  SPCO: { pattern: DECIMAL_PERCENT, min: 0, max: 100 },
  SPMET: { pattern: DECIMAL_PERCENT, min: 0, max: 100 },
  DESAT: { pattern: /^\d{1,3}$/, min: 0, max: 999 },
  PIDELTA: { pattern: /^[+-]?\d{1,3}$/, min: -999, max: 999 },
  PVI: { pattern: INTEGER_PERCENT, min: 0, max: 100 },
};

const KNOWN_KEYS: ReadonlySet<string> = new Set<RadicalKnownKey>([
  ...(Object.keys(NUMERIC_FIELDS) as RadicalNumericKey[]),
  'ALARM',
  'EXC',
  'SN',
]);

/** True for a key this parser reads. */
export function isKnownKey(key: string): key is RadicalKnownKey {
  return KNOWN_KEYS.has(key);
}

/** Result of reading one value: a number or null ("unavailable"), or why it is not readable. */
export type ValueResult<T> = { readonly ok: true; readonly value: T | null } | { readonly ok: false; readonly reason: string };

// "Unavailable": optional sign, then `-` as second character, then only dashes/dots, optional `%`
// (`--`, `---`, `--.-%`, `+--`).
const UNAVAILABLE = /^[-+]-[-.]*%?$/;

/** True when the device marks the value as unavailable (second character `-`). */
export function isUnavailable(raw: string): boolean {
  return raw.length >= 2 && raw[1] === '-';
}

function unavailableOrBad(raw: string): ValueResult<never> {
  return UNAVAILABLE.test(raw) ? { ok: true, value: null } : { ok: false, reason: `garbled unavailable value '${raw}'` };
}

/** Reads a numeric field value (`SPO2=098%` -> 98, `SPCO=--.-%` -> null). */
export function readNumeric(key: RadicalNumericKey, raw: string): ValueResult<number> {
  if (isUnavailable(raw)) return unavailableOrBad(raw);
  const spec = NUMERIC_FIELDS[key];
  if (!spec.pattern.test(raw)) return { ok: false, reason: `${key} value '${raw}' has the wrong shape` };
  const value = Number.parseFloat(raw.replace('%', ''));
  if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
    return { ok: false, reason: `${key} value '${raw}' outside ${spec.min}..${spec.max}` };
  }
  return { ok: true, value };
}

/** Reads an ALARM or EXC value: hexadecimal, 1-8 digits (`ALARM=0020`, `EXC=800`). */
export function readBits(key: RadicalBitsKey, raw: string): ValueResult<number> {
  if (isUnavailable(raw)) return unavailableOrBad(raw);
  if (!/^[0-9A-Fa-f]{1,8}$/.test(raw)) return { ok: false, reason: `${key} value '${raw}' is not hexadecimal` };
  return { ok: true, value: Number.parseInt(raw, 16) };
}

/** Reads the serial number (`SN=0000012345`): letters, digits and dashes, at most 32. */
export function readSerial(raw: string): ValueResult<string> {
  if (isUnavailable(raw)) return unavailableOrBad(raw);
  if (!/^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/.test(raw)) return { ok: false, reason: `SN value '${raw}' has the wrong shape` };
  return { ok: true, value: raw };
}
