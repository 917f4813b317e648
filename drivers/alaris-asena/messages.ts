import { encodeFrame } from './frame-codec.js';
import { ALARM_CODE_SEPARATOR, NO_ALARM } from './pump-codes.js';

/**
 * Read-side Asena GH messages (device-protocols.md, Asena GH): the three queries Vigil
 * polls with, and their replies, each with a parse (from) / encode pair over the frame BODY.
 * Parsers never throw: they return `{ ok: false, reason }` for anything not understood.
 * Programming (write) commands live in programming-commands.ts, which this file must not know.
 */

/** The only commands the read side ever sends. */
export type AsenaQuery = 'INF' | 'INF_VTBI' | 'INST_SERIALNO';

export const ASENA_QUERIES: readonly AsenaQuery[] = ['INF', 'INF_VTBI', 'INST_SERIALNO'];

/** The frame of a query, e.g. `!INF|4961\r`. */
export function encodeQuery(query: AsenaQuery): Buffer {
  return encodeFrame(query);
}

/** INF field 11. `over-24h` is the pump's `24+`. */
export type TimeRemaining =
  | { readonly kind: 'none' }
  | { readonly kind: 'seconds'; readonly seconds: number }
  | { readonly kind: 'over-24h' };

/** Reply to `INF`: the pump status. Field numbers are the `^`-split indexes (0 = echo). */
export interface InfStatusReply {
  readonly kind: 'inf-status';
  /** Field 1. */
  readonly serial: string;
  /** Field 2 split into codes; empty when the field is `-` (no alarm). */
  readonly alarmCodes: readonly string[];
  /** Field 3, raw (see pump-codes.ts for its meaning). */
  readonly modeCode: string;
  /** Field 4, unit field 5 must be `ml/h`. */
  readonly rateMlPerHour: number;
  /** Field 6: meaning UNKNOWN; kept raw, never interpreted. */
  readonly field6: string;
  /** Field 7, unit field 8 must be `ml`. */
  readonly volumeInfusedMl: number;
  /** Field 9 (null when empty), unit field 10 must be `mmHg`. */
  readonly pressureMmHg: number | null;
  /** Field 11. */
  readonly timeRemaining: TimeRemaining;
  /** Field 12, raw. */
  readonly logType: string;
  /** Field 13, raw. */
  readonly logEntryId: string;
}

/** Reply to `INF_VTBI`: field 1 state (raw), field 2 VTBI in mL (empty = none), field 3 unit. */
export interface InfVtbiReply {
  readonly kind: 'inf-vtbi';
  readonly state: string;
  readonly vtbiMl: number | null;
}

/** Reply to `INST_SERIALNO`. */
export interface SerialNumberReply {
  readonly kind: 'serial-number';
  readonly serial: string;
}

/** A refusal or error: `ERROR^<reason>[^...]` (ASSUMED format, see docs/protocols/asena-gh.md). */
export interface ErrorReply {
  readonly kind: 'error';
  readonly reason: string;
}

export type AsenaReadReply = InfStatusReply | InfVtbiReply | SerialNumberReply | ErrorReply;

export type ParseResult<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly reason: string };

/** Limits beyond which a reply is not believed (device-protocols.md: rate range 0.1-1200 mL/h). */
export const REPLY_LIMITS = { maxRateMlPerHour: 1200, maxVolumeMl: 99_999, maxPressureMmHg: 5000 } as const;

const DECIMAL = /^\d{1,5}(\.\d{1,3})?$/;
const SERIAL = /^[A-Za-z0-9._/-]{1,32}$/;
const HMS = /^(\d{2}):([0-5]\d):([0-5]\d)$/;

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function decimal(text: string, max: number): number | null {
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

/** Parses the BODY of an `INF` reply (14 fields). */
export function parseInfStatus(body: string): ParseResult<InfStatusReply> {
  const f = body.split('^');
  if (f[0] !== 'INF') return fail(`not an INF reply: ${JSON.stringify(f[0])}`);
  if (f.length !== 14) return fail(`INF reply has ${f.length} fields, expected 14`);
  const [, serial, alarm, mode, rate, rateUnit, field6, volume, volumeUnit, pressure, pressureUnit, time, logType, logId] =
    f as [string, string, string, string, string, string, string, string, string, string, string, string, string, string];
  if (!SERIAL.test(serial)) return fail(`INF serial ${JSON.stringify(serial)} not understood`);
  if (alarm.length === 0) return fail('INF alarm field is empty');
  if (mode.length === 0) return fail('INF mode field is empty');
  const rateMlPerHour = decimal(rate, REPLY_LIMITS.maxRateMlPerHour);
  if (rateMlPerHour === null) return fail(`INF rate ${JSON.stringify(rate)} not understood`);
  if (rateUnit !== 'ml/h') return fail(`INF rate unit ${JSON.stringify(rateUnit)} is not ml/h`);
  const volumeInfusedMl = decimal(volume, REPLY_LIMITS.maxVolumeMl);
  if (volumeInfusedMl === null) return fail(`INF volume ${JSON.stringify(volume)} not understood`);
  if (volumeUnit !== 'ml') return fail(`INF volume unit ${JSON.stringify(volumeUnit)} is not ml`);
  let pressureMmHg: number | null = null;
  if (pressure !== '') {
    pressureMmHg = decimal(pressure, REPLY_LIMITS.maxPressureMmHg);
    if (pressureMmHg === null) return fail(`INF pressure ${JSON.stringify(pressure)} not understood`);
    if (pressureUnit !== 'mmHg') return fail(`INF pressure unit ${JSON.stringify(pressureUnit)} is not mmHg`);
  } else if (pressureUnit !== '' && pressureUnit !== 'mmHg') {
    return fail(`INF pressure unit ${JSON.stringify(pressureUnit)} is not mmHg`);
  }
  const timeRemaining = parseTimeRemaining(time);
  if (!timeRemaining) return fail(`INF time remaining ${JSON.stringify(time)} not understood`);
  const alarmCodes = alarm === NO_ALARM ? [] : alarm.split(ALARM_CODE_SEPARATOR);
  return {
    ok: true,
    message: {
      kind: 'inf-status', serial, alarmCodes, modeCode: mode, rateMlPerHour, field6, volumeInfusedMl,
      pressureMmHg, timeRemaining, logType, logEntryId: logId,
    },
  };
}

function parseTimeRemaining(text: string): TimeRemaining | null {
  if (text === '') return { kind: 'none' };
  if (text === '24+') return { kind: 'over-24h' };
  const m = HMS.exec(text);
  if (!m) return null;
  return { kind: 'seconds', seconds: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) };
}

function formatTimeRemaining(t: TimeRemaining): string {
  if (t.kind === 'none') return '';
  if (t.kind === 'over-24h') return '24+';
  const s = Math.max(0, Math.min(99 * 3600 + 59 * 60 + 59, Math.round(t.seconds)));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Encodes an `INF` reply BODY (rate 2 decimals, volume 3, pressure 2), as a pump would send it. */
export function encodeInfStatus(r: Omit<InfStatusReply, 'kind'>): string {
  const alarm = r.alarmCodes.length === 0 ? NO_ALARM : r.alarmCodes.join(ALARM_CODE_SEPARATOR);
  const pressure = r.pressureMmHg === null ? '' : r.pressureMmHg.toFixed(2);
  return [
    'INF', r.serial, alarm, r.modeCode, r.rateMlPerHour.toFixed(2), 'ml/h', r.field6, r.volumeInfusedMl.toFixed(3), 'ml',
    pressure, r.pressureMmHg === null ? '' : 'mmHg', formatTimeRemaining(r.timeRemaining), r.logType, r.logEntryId,
  ].join('^');
}

/** Parses the BODY of an `INF_VTBI` query reply. */
export function parseInfVtbi(body: string): ParseResult<InfVtbiReply> {
  const f = body.split('^');
  if (f[0] !== 'INF_VTBI') return fail(`not an INF_VTBI reply: ${JSON.stringify(f[0])}`);
  if (f.length < 3) return fail(`INF_VTBI reply has ${f.length} fields, expected at least 3`);
  const state = f[1] as string;
  const value = f[2] as string;
  if (value === '') return { ok: true, message: { kind: 'inf-vtbi', state, vtbiMl: null } };
  const vtbiMl = decimal(value, REPLY_LIMITS.maxVolumeMl);
  if (vtbiMl === null) return fail(`INF_VTBI value ${JSON.stringify(value)} not understood`);
  if (f[3] !== 'ml') return fail(`INF_VTBI unit ${JSON.stringify(f[3] ?? '')} is not ml`);
  return { ok: true, message: { kind: 'inf-vtbi', state, vtbiMl } };
}

/** Encodes an `INF_VTBI` query reply BODY: `INF_VTBI^ACTIV^v.vvv^ml^STOP`, or `INF_VTBI^DEACT^^^` when none. */
export function encodeInfVtbi(vtbiMl: number | null): string {
  return vtbiMl === null ? 'INF_VTBI^DEACT^^^' : `INF_VTBI^ACTIV^${vtbiMl.toFixed(3)}^ml^STOP`;
}

/** Parses the BODY of an `INST_SERIALNO` reply. */
export function parseSerialNumber(body: string): ParseResult<SerialNumberReply> {
  const f = body.split('^');
  if (f[0] !== 'INST_SERIALNO') return fail(`not an INST_SERIALNO reply: ${JSON.stringify(f[0])}`);
  if (f.length !== 2) return fail(`INST_SERIALNO reply has ${f.length} fields, expected 2`);
  const serial = f[1] as string;
  if (!SERIAL.test(serial)) return fail(`serial number ${JSON.stringify(serial)} not understood`);
  return { ok: true, message: { kind: 'serial-number', serial } };
}

export function encodeSerialNumber(serial: string): string {
  return `INST_SERIALNO^${serial}`;
}

/** Parses an `ERROR^<reason>` BODY (ASSUMED refusal format). */
export function parseErrorReply(body: string): ParseResult<ErrorReply> {
  const f = body.split('^');
  if (f[0] !== 'ERROR') return fail(`not an ERROR reply: ${JSON.stringify(f[0])}`);
  const reason = f[1] ?? '';
  if (reason === '') return fail('ERROR reply without a reason');
  return { ok: true, message: { kind: 'error', reason } };
}

export function encodeErrorReply(reason: string): string {
  return `ERROR^${reason}`;
}

/** Parses any read-side reply BODY by its echo field. */
export function parseReadReply(body: string): ParseResult<AsenaReadReply> {
  const command = body.split('^', 1)[0];
  switch (command) {
    case 'INF':
      return parseInfStatus(body);
    case 'INF_VTBI':
      return parseInfVtbi(body);
    case 'INST_SERIALNO':
      return parseSerialNumber(body);
    case 'ERROR':
      return parseErrorReply(body);
    default:
      return fail(`unexpected reply ${JSON.stringify(command)}`);
  }
}

/** True when `reply` answers `query`: its echo, or an ERROR (the pump answers each command with one line). */
export function replyAnswers(query: AsenaQuery, reply: AsenaReadReply): boolean {
  switch (reply.kind) {
    case 'inf-status':
      return query === 'INF';
    case 'inf-vtbi':
      return query === 'INF_VTBI';
    case 'serial-number':
      return query === 'INST_SERIALNO';
    case 'error':
      return true;
  }
}
