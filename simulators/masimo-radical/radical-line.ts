/**
 * Masimo Radical-7 / Radical-5 / Rad-8 serial "ASCII 1" output line, as written by the
 * device (device-protocols.md, section "Masimo Radical-7 / Radical-5 / Rad-8"):
 * a 17-char timestamp `MM/dd/yy HH:mm:ss`, space-separated `KEY=VALUE` fields, CR LF.
 * Values are zero-padded; an unavailable value has `-` as its second character.
 */

/** The three output layouts. */
export type RadicalModel = 'radical-7' | 'radical-5' | 'rad-8';

export const RADICAL_MODELS: readonly RadicalModel[] = ['radical-7', 'radical-5', 'rad-8'];

/** What one output line carries. `null` = the device has no value (written with `-`). */
export interface RadicalReading {
  /** The device's own clock, epoch ms. */
  readonly deviceTimeMs: number;
  /** Up to 10 characters; written zero-padded to 10. */
  readonly serialNumber: string;
  readonly spo2: number | null;
  readonly pulseRate: number | null;
  readonly perfusionIndex: number | null;
  readonly spco: number | null;
  readonly spmet: number | null;
  readonly desat: number | null;
  readonly piDelta: number | null;
  readonly pvi: number | null;
  /** ALARM bit field (see radical-alarm-limits.ts). */
  readonly alarm: number;
  /** EXC (exception) bit field, e.g. 0x20 sensor off. */
  readonly exception: number;
}

type FieldName = 'SN' | 'SPO2' | 'BPM' | 'PI' | 'SPCO' | 'SPMET' | 'DESAT' | 'PIDELTA' | 'PVI' | 'ALARM' | 'EXC';

/** Field order of each model (Radical-5 has no SN; Rad-8 is Radical-7 without PVI). */
export const RADICAL_FIELDS: Record<RadicalModel, readonly FieldName[]> = {
  'radical-7': ['SN', 'SPO2', 'BPM', 'PI', 'SPCO', 'SPMET', 'DESAT', 'PIDELTA', 'PVI', 'ALARM', 'EXC'],
  'rad-8': ['SN', 'SPO2', 'BPM', 'PI', 'SPCO', 'SPMET', 'DESAT', 'PIDELTA', 'ALARM', 'EXC'],
  'radical-5': ['SPO2', 'BPM', 'PI', 'ALARM', 'EXC'],
};

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Integer field of `width` digits, or `width` dashes. */
function integer(v: number | null, width: number): string {
  if (v === null || !Number.isFinite(v)) return '-'.repeat(width);
  return pad(clamp(Math.round(v), 0, 10 ** width - 1), width);
}

/** Decimal field `intDigits.decimals`, e.g. PI `03.45`, SpCO `01.5`; unavailable `--.--` / `--.-`. */
function decimal(v: number | null, intDigits: number, decimals: number): string {
  if (v === null || !Number.isFinite(v)) return `${'-'.repeat(intDigits)}.${'-'.repeat(decimals)}`;
  const max = 10 ** intDigits - 10 ** -decimals;
  return clamp(v, 0, max).toFixed(decimals).padStart(intDigits + 1 + decimals, '0');
}

/** Signed two-digit field (PIDELTA): `+05`, `-12`, unavailable `+--`. */
function signed2(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '+--';
  const r = clamp(Math.round(v), -99, 99);
  return `${r < 0 ? '-' : '+'}${pad(Math.abs(r), 2)}`;
}

const hex = (v: number, width: number): string => (v >>> 0).toString(16).toUpperCase().padStart(width, '0');

function fieldValue(name: FieldName, r: RadicalReading): string {
  switch (name) {
    case 'SN':
      return r.serialNumber.slice(0, 10).padStart(10, '0');
    case 'SPO2':
      return `${integer(r.spo2, 3)}%`;
    case 'BPM':
      return integer(r.pulseRate, 3);
    case 'PI':
      return `${decimal(r.perfusionIndex, 2, 2)}%`;
    case 'SPCO':
      return `${decimal(r.spco, 2, 1)}%`;
    case 'SPMET':
      return `${decimal(r.spmet, 2, 1)}%`;
    case 'DESAT':
      return integer(r.desat, 2);
    case 'PIDELTA':
      return signed2(r.piDelta);
    case 'PVI':
      return integer(r.pvi, 3);
    case 'ALARM':
      return hex(r.alarm, 4);
    case 'EXC':
      return hex(r.exception, 6);
  }
}

/** `MM/dd/yy HH:mm:ss` of `epochMs`, in local time or UTC. */
export function formatRadicalTimestamp(epochMs: number, utc = false): string {
  const d = new Date(epochMs);
  const [mo, da, yr, h, mi, s] = utc
    ? [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCFullYear(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getMonth() + 1, d.getDate(), d.getFullYear(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${pad(mo, 2)}/${pad(da, 2)}/${pad(yr % 100, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
}

/** One complete output line of `model`, CR LF included. */
export function formatRadicalLine(model: RadicalModel, reading: RadicalReading, options: { utc?: boolean } = {}): string {
  const fields = RADICAL_FIELDS[model].map((name) => `${name}=${fieldValue(name, reading)}`);
  return `${formatRadicalTimestamp(reading.deviceTimeMs, options.utc)} ${fields.join(' ')}\r\n`;
}
