import { VigilError } from '../../src/core/errors.js';
import { crc16CcittFalse, crc16Hex } from '../shared/crc16.js';
import { encodeFrame } from './frame-codec.js';
import { parseErrorReply } from './messages.js';

/**
 * Asena GH programming (write) commands: encoders and reply checks only.
 * SAFETY: nothing here sends anything. Only src/control/, through a clinician-confirmed
 * order, may put these bytes on a line. The read-side driver (asena-driver.ts and what it
 * imports) must never import this file; a test checks it.
 *
 * Commands (device-protocols.md, Asena GH): `REMOTE_CTRL^ENABLED^<code>` (code = 4-hex
 * CRC-16/CCITT-FALSE of the serial string), `REMOTE_CTRL^DISABLED`, `INF_RATE^<r.rr>^ml/h`,
 * `INF_VTBI^ACTIV^<v.vvv>^ml^STOP`, `INF_VTBI^DEACT`, `INF_START`, `INF_STOP`.
 * Replies (ASSUMED, docs/protocols/asena-gh.md): an accepted command is echoed; a refusal is
 * `ERROR^<reason>`; anything else is unexpected and must be treated as "not done".
 */

export type ProgrammingCommand =
  | { readonly kind: 'remote-enable'; readonly serial: string }
  | { readonly kind: 'remote-disable' }
  | { readonly kind: 'set-rate'; readonly rateMlPerHour: number }
  | { readonly kind: 'set-vtbi'; readonly vtbiMl: number }
  | { readonly kind: 'vtbi-deactivate' }
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' };

/** Rate the pump accepts (device-protocols.md); syringe-size limits are UNKNOWN. */
export const RATE_LIMITS_ML_PER_HOUR = { min: 0.1, max: 1200 } as const;
/** VTBI accepted by the encoder (ASSUMED sanity range; the order's own limits are tighter). */
export const VTBI_LIMITS_ML = { min: 0.1, max: 1000 } as const;

const SERIAL = /^[A-Za-z0-9._/-]{1,32}$/;

/** The remote-control code of a pump: 4 upper-case hex digits of CRC-16/CCITT-FALSE of its serial. */
export function remoteControlCode(serial: string): string {
  return crc16Hex(crc16CcittFalse(serial));
}

function hasAtMostDecimals(value: number, decimals: number): boolean {
  const scaled = value * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

function checkValue(name: string, value: number, limits: { min: number; max: number }, decimals: number, unit: string): void {
  if (!Number.isFinite(value) || value < limits.min || value > limits.max) {
    throw new VigilError('PUMP_VALUE_INVALID', `${name} ${value} ${unit} is outside ${limits.min}-${limits.max} ${unit}`, {
      name, value, min: limits.min, max: limits.max, unit,
    });
  }
  if (!hasAtMostDecimals(value, decimals)) {
    throw new VigilError('PUMP_VALUE_INVALID', `${name} ${value} ${unit} has more than ${decimals} decimals`, {
      name, value, decimals,
    });
  }
}

/** The frame BODY of a command. Throws VigilError PUMP_VALUE_INVALID for a value the pump must not get. */
export function programmingCommandBody(command: ProgrammingCommand): string {
  switch (command.kind) {
    case 'remote-enable':
      if (!SERIAL.test(command.serial)) {
        throw new VigilError('PUMP_VALUE_INVALID', `serial number ${JSON.stringify(command.serial)} is not valid`, {
          serial: command.serial,
        });
      }
      return `REMOTE_CTRL^ENABLED^${remoteControlCode(command.serial)}`;
    case 'remote-disable':
      return 'REMOTE_CTRL^DISABLED';
    case 'set-rate':
      checkValue('rate', command.rateMlPerHour, RATE_LIMITS_ML_PER_HOUR, 2, 'mL/h');
      return `INF_RATE^${command.rateMlPerHour.toFixed(2)}^ml/h`;
    case 'set-vtbi':
      checkValue('VTBI', command.vtbiMl, VTBI_LIMITS_ML, 3, 'mL');
      return `INF_VTBI^ACTIV^${command.vtbiMl.toFixed(3)}^ml^STOP`;
    case 'vtbi-deactivate':
      return 'INF_VTBI^DEACT';
    case 'start':
      return 'INF_START';
    case 'stop':
      return 'INF_STOP';
  }
}

/** The frame of a command, e.g. `!INF_RATE^3.50^ml/h|3885\r`. Same validation as programmingCommandBody. */
export function encodeProgrammingCommand(command: ProgrammingCommand): Buffer {
  return encodeFrame(programmingCommandBody(command));
}

/** What the pump's reply says about a command. Only `accepted` means the pump took it. */
export type ProgrammingReplyCheck =
  | { readonly outcome: 'accepted' }
  | { readonly outcome: 'refused'; readonly reason: string }
  /** The echo names the command but carries another value (e.g. another rate). */
  | { readonly outcome: 'mismatch'; readonly reason: string }
  /** Not an echo of this command and not a refusal. */
  | { readonly outcome: 'unexpected'; readonly reason: string };

/** Compares the echoed numeric field with the commanded value at the command's precision. */
function checkNumericEcho(
  replyBody: string,
  expected: string,
  index: number,
  commanded: number,
  decimals: number,
): ProgrammingReplyCheck {
  const got = replyBody.split('^');
  const want = expected.split('^');
  const sameShape = got.length === want.length && got.every((f, i) => i === index || f === want[i]);
  if (!sameShape) return { outcome: 'unexpected', reason: `reply ${JSON.stringify(replyBody)} is not an echo` };
  const text = got[index] as string;
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(text)) {
    return { outcome: 'unexpected', reason: `echoed value ${JSON.stringify(text)} not understood` };
  }
  const scale = 10 ** decimals;
  if (Math.round(Number(text) * scale) !== Math.round(commanded * scale)) {
    return { outcome: 'mismatch', reason: `pump echoed ${text}, commanded ${commanded.toFixed(decimals)}` };
  }
  return { outcome: 'accepted' };
}

/** Checks the BODY the pump sent back for `command` (one reply per command). */
export function checkProgrammingReply(command: ProgrammingCommand, replyBody: string): ProgrammingReplyCheck {
  const error = parseErrorReply(replyBody);
  if (error.ok) return { outcome: 'refused', reason: error.message.reason };
  const expected = programmingCommandBody(command);
  if (command.kind === 'set-rate') return checkNumericEcho(replyBody, expected, 1, command.rateMlPerHour, 2);
  if (command.kind === 'set-vtbi') return checkNumericEcho(replyBody, expected, 2, command.vtbiMl, 3);
  if (replyBody === expected) return { outcome: 'accepted' };
  return { outcome: 'unexpected', reason: `reply ${JSON.stringify(replyBody)} is not an echo of ${expected}` };
}
