import { isVigilError } from '../../core/errors.js';
import type { ExecutionFailureCode, ExecutionStep } from '../pump-executor.js';

/**
 * What a RegisterLane rejection means for an order (src/device/command-lane.ts; the errors
 * are drivers/modbus/modbus-master.ts's): a Modbus exception reply (MODBUS_EXCEPTION,
 * context.exceptionCode) is the pump refusing the write, except the gateway exceptions
 * 0A/0B (the pump was not reached: no reply); a reply that is not the write's echo
 * (FRAME_INVALID) is not an acceptance, so a refusal too; a timeout (COMMAND_TIMEOUT;
 * a reply with a bad CRC ends as one) is no reply; an aborted request or a closed
 * transport is link loss; a write the lane itself refuses before the wire
 * (PUMP_VALUE_INVALID: a register outside the map's sequences) is a refusal with nothing
 * sent. Anything else is "no reply": the write is not known to be done.
 */

/** Modbus exception names (Modbus application protocol v1.1b3, section 7). */
const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0x01: 'ILLEGAL FUNCTION',
  0x02: 'ILLEGAL DATA ADDRESS',
  0x03: 'ILLEGAL DATA VALUE',
  0x04: 'SERVER DEVICE FAILURE',
  0x05: 'ACKNOWLEDGE',
  0x06: 'SERVER DEVICE BUSY',
  0x08: 'MEMORY PARITY ERROR',
  0x0a: 'GATEWAY PATH UNAVAILABLE',
  0x0b: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

/** Gateway exceptions: the pump behind the gateway was not reached, so it did not answer. */
const GATEWAY_EXCEPTIONS: ReadonlySet<number> = new Set([0x0a, 0x0b]);

export interface LaneFailure {
  readonly code: ExecutionFailureCode;
  /** What the device said, for the audit log (null when it said nothing). */
  readonly reply: string | null;
  readonly result: ExecutionStep['result'];
}

/** The Modbus exception code a lane error carries, if any. */
export function modbusExceptionCode(err: unknown): number | null {
  if (!isVigilError(err, 'MODBUS_EXCEPTION')) return null;
  const code = err.context['exceptionCode'];
  return typeof code === 'number' && Number.isInteger(code) ? code : null;
}

/** Classifies a RegisterLane rejection. */
export function classifyLaneError(err: unknown): LaneFailure {
  const exception = modbusExceptionCode(err);
  if (exception !== null) {
    const name = EXCEPTION_NAMES[exception] ?? 'UNKNOWN';
    const reply = `exception ${exception.toString(16).padStart(2, '0')} (${name})`;
    if (GATEWAY_EXCEPTIONS.has(exception)) return { code: 'NO_REPLY', reply, result: 'no-reply' };
    return { code: 'PUMP_REFUSED', reply, result: 'refused' };
  }
  if (isVigilError(err, 'PUMP_VALUE_INVALID')) return { code: 'PUMP_REFUSED', reply: null, result: 'failed' };
  if (isVigilError(err, 'FRAME_INVALID')) return { code: 'PUMP_REFUSED', reply: `unusable reply: ${err.message}`, result: 'refused' };
  if (isVigilError(err, 'COMMAND_ABORTED') || isVigilError(err, 'TRANSPORT_NOT_OPEN')) {
    return { code: 'LINK_LOST', reply: null, result: 'failed' };
  }
  return { code: 'NO_REPLY', reply: null, result: 'no-reply' };
}
