import { encodeSafeFrame } from './safe-frame-codec.js';

/**
 * NE-1000 messages inside safe-mode packets (device-protocols.md, NE-1000; docs/protocols/ne1000.md).
 * Command DATA is `<address><command>` (address 0-99 in decimal, no padding); a command
 * without its parameter is a query. Reply DATA is `<address:2 digits><status>[data]`, status
 * a prompt letter or `A?` + an alarm letter; an error is `?` + NA|OOR|COM|IGN (or `?` alone)
 * after the status. Parsers never throw: they return `{ ok: false, reason }`.
 *
 * The read side only ever builds the six queries below: no function here can build a set
 * command (this driver is read-only in Vigil, docs/safety.md).
 */

/** The queries Vigil sends. `STATUS` is a packet without a command (status-only reply). */
export type Ne1000Query = 'STATUS' | 'VER' | 'SAF' | 'DIA' | 'RAT' | 'DIS';

export const NE1000_QUERIES: readonly Ne1000Query[] = ['STATUS', 'VER', 'SAF', 'DIA', 'RAT', 'DIS'];

/** The DATA of a query, e.g. `0RAT`, `12DIS`, or `0` for STATUS. */
export function queryData(address: number, query: Ne1000Query): string {
  return `${address}${query === 'STATUS' ? '' : query}`;
}

/** The safe-mode packet of a query. */
export function encodeQuery(address: number, query: Ne1000Query): Buffer {
  return encodeSafeFrame(queryData(address, query));
}

/** Prompt letters: what the pump is doing. */
export type Ne1000Prompt = 'I' | 'W' | 'S' | 'P' | 'T' | 'U' | 'X';
export const NE1000_PROMPTS: readonly Ne1000Prompt[] = ['I', 'W', 'S', 'P', 'T', 'U', 'X'];

/** The status field of a reply. */
export type Ne1000Status =
  | { readonly kind: 'prompt'; readonly prompt: Ne1000Prompt }
  /** `A?` + letter (R, S, T, E, O known; any other letter is kept, never guessed). */
  | { readonly kind: 'alarm'; readonly alarm: string }
  /** A status this driver does not know: its letter (or `A` and what followed, when `A` is not followed by `?` and a letter). */
  | { readonly kind: 'unknown'; readonly raw: string };

/** `?` + error after the status. `UNRECOGNIZED` is the bare `?`. */
export type Ne1000ErrorCode = 'UNRECOGNIZED' | 'NA' | 'OOR' | 'COM' | 'IGN';
const ERROR_CODES: Readonly<Record<string, Ne1000ErrorCode>> = { '': 'UNRECOGNIZED', NA: 'NA', OOR: 'OOR', COM: 'COM', IGN: 'IGN' };

export interface Ne1000Reply {
  readonly address: number;
  readonly status: Ne1000Status;
  /** Text after the status (empty for a status-only reply); undefined fields below say what it held. */
  readonly body: string;
  /** Set when body is `?...`: the pump refused or did not understand the command. */
  readonly error?: Ne1000ErrorCode | { readonly unknown: string };
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const fail = <T>(reason: string): ParseResult<T> => ({ ok: false, reason });
const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });

/** Parses reply DATA (already CRC-checked by the deframer). */
export function parseReply(data: string): ParseResult<Ne1000Reply> {
  const m = /^(\d{2})(.*)$/s.exec(data);
  if (!m) return fail('reply does not start with a 2-digit address');
  const address = Number(m[1]);
  const rest = m[2] as string;
  if (rest.length === 0) return fail('reply has no status');
  let status: Ne1000Status;
  let body: string;
  const first = rest[0] as string;
  if (first === 'A' && rest[1] === '?' && rest.length >= 3) {
    status = { kind: 'alarm', alarm: rest[2] as string };
    body = rest.slice(3);
  } else if ((NE1000_PROMPTS as readonly string[]).includes(first)) {
    status = { kind: 'prompt', prompt: first as Ne1000Prompt };
    body = rest.slice(1);
  } else {
    status = { kind: 'unknown', raw: first === 'A' ? rest.slice(0, 3) : first };
    body = '';
  }
  if (body.startsWith('?')) {
    const code = body.slice(1);
    const known = Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code] : undefined;
    return ok({ address, status, body, error: known ?? { unknown: code } });
  }
  return ok({ address, status, body });
}

/**
 * `<float>`: at most 4 digits and one decimal point, at most 3 digits after it (NE-1000 manual,
 * "RS-232 command syntax"). Anything else is refused.
 */
export function parseNe1000Float(text: string): number | null {
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) return null;
  const [whole = '', decimals = ''] = text.split('.');
  if (whole.length + decimals.length > 4 || decimals.length > 3) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Rate units and their factor to mL/h: UM uL/min, MM mL/min, UH uL/h, MH mL/h. */
export const RATE_UNIT_TO_ML_PER_HOUR: Readonly<Record<string, number>> = { UM: 0.06, MM: 60, UH: 0.001, MH: 1 };
/** Volume units and their factor to mL. */
export const VOLUME_UNIT_TO_ML: Readonly<Record<string, number>> = { UL: 0.001, ML: 1 };

/** Removes binary noise from a unit conversion (e.g. 0.06 * 3 = 0.18000000000000002). */
function tidy(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export interface RateReading {
  readonly rateMlPerHour: number;
  /** The pump's own value and unit, e.g. `12.5` `UM`. */
  readonly raw: { readonly value: number; readonly unit: string };
}

/** Body of a RAT query reply: `<float><UM|MM|UH|MH>`. */
export function parseRateBody(body: string): ParseResult<RateReading> {
  const m = /^([0-9.]+)([A-Z]{2})$/.exec(body);
  if (!m) return fail(`rate ${JSON.stringify(body)} is not <float><unit>`);
  const value = parseNe1000Float(m[1] as string);
  const unit = m[2] as string;
  const factor = Object.hasOwn(RATE_UNIT_TO_ML_PER_HOUR, unit) ? RATE_UNIT_TO_ML_PER_HOUR[unit] : undefined;
  if (value === null) return fail(`rate value ${JSON.stringify(m[1])} is not an NE-1000 float`);
  if (factor === undefined) return fail(`rate unit ${JSON.stringify(unit)} is not UM, MM, UH or MH`);
  return ok({ rateMlPerHour: tidy(value * factor), raw: { value, unit } });
}

export interface DispensedReading {
  readonly infusedMl: number;
  readonly withdrawnMl: number;
}

/** Body of a DIS query reply: `I<float>W<float><UL|ML>` (volume dispensed since last cleared). */
export function parseDispensedBody(body: string): ParseResult<DispensedReading> {
  const m = /^I([0-9.]+)W([0-9.]+)([A-Z]{2})$/.exec(body);
  if (!m) return fail(`dispensed ${JSON.stringify(body)} is not I<float>W<float><unit>`);
  const infused = parseNe1000Float(m[1] as string);
  const withdrawn = parseNe1000Float(m[2] as string);
  const unit = m[3] as string;
  const factor = Object.hasOwn(VOLUME_UNIT_TO_ML, unit) ? VOLUME_UNIT_TO_ML[unit] : undefined;
  if (infused === null || withdrawn === null) return fail(`dispensed volumes in ${JSON.stringify(body)} are not NE-1000 floats`);
  if (factor === undefined) return fail(`volume unit ${JSON.stringify(unit)} is not UL or ML`);
  return ok({ infusedMl: tidy(infused * factor), withdrawnMl: tidy(withdrawn * factor) });
}

/** Body of a DIA query reply: syringe inside diameter, mm. */
export function parseDiameterBody(body: string): ParseResult<number> {
  const value = parseNe1000Float(body);
  return value === null ? fail(`diameter ${JSON.stringify(body)} is not an NE-1000 float`) : ok(value);
}

/** Body of a SAF query reply: the safe-mode watchdog, whole seconds 0-255 (0 = off). */
export function parseSafeTimeoutBody(body: string): ParseResult<number> {
  if (!/^\d{1,3}$/.test(body)) return fail(`safe-mode timeout ${JSON.stringify(body)} is not an integer`);
  const seconds = Number(body);
  return seconds <= 255 ? ok(seconds) : fail(`safe-mode timeout ${seconds} s is above 255`);
}

export interface VersionReading {
  /** e.g. `NE-1000`. */
  readonly model: string;
  /** e.g. `3.928`. */
  readonly firmware: string;
}

/** Body of a VER query reply: `NE<model>V<major>.<minor>`, e.g. `NE1000V3.928`. */
export function parseVersionBody(body: string): ParseResult<VersionReading> {
  const m = /^NE(\d{3,4})V(\d{1,2}\.\d{1,4})$/.exec(body);
  return m ? ok({ model: `NE-${m[1]}`, firmware: m[2] as string }) : fail(`version ${JSON.stringify(body)} is not NE<model>V<x.y>`);
}

/** Whether a reply body has the shape of the answer to `query` (the pump does not echo commands). */
export function bodyAnswers(query: Ne1000Query, body: string): boolean {
  switch (query) {
    case 'STATUS':
      return body === '';
    case 'VER':
      return parseVersionBody(body).ok;
    case 'SAF':
      return parseSafeTimeoutBody(body).ok;
    case 'DIA':
      return parseDiameterBody(body).ok;
    case 'RAT':
      return parseRateBody(body).ok;
    case 'DIS':
      return parseDispensedBody(body).ok;
  }
}

/**
 * Whether `reply` answers `query` from the pump at `address`: an alarm status (the pump answers
 * any command with its alarm until acknowledged) or an error always does; otherwise the body
 * must have the query's shape.
 */
export function replyAnswers(query: Ne1000Query, address: number, reply: Ne1000Reply): boolean {
  if (reply.address !== address) return false;
  if (reply.status.kind !== 'prompt' || reply.error !== undefined) return true;
  return bodyAnswers(query, reply.body);
}
