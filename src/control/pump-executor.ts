import type { PumpReading } from './order-types.js';
import type { ConfirmedOrder } from './confirmed-order.js';

/** Why a confirmed order did not take effect. Each is a high-priority alarm; none is retried. */
export type ExecutionFailureCode =
  /** The pump refused a command (e.g. remote control not accepted, value out of its range). */
  | 'PUMP_REFUSED'
  /** The pump did not answer a command in time. */
  | 'NO_REPLY'
  /** The link was down or dropped while the order ran. */
  | 'LINK_LOST'
  /** The pump answered, but its read-back rate or run state is not what was ordered. */
  | 'READBACK_MISMATCH'
  /** No fresh read-back arrived before the deadline. */
  | 'READBACK_TIMEOUT';

/** What happened on the wire, step by step, for the audit log. */
export interface ExecutionStep {
  readonly at: number;
  readonly command: string;
  readonly reply: string | null;
  readonly result: 'accepted' | 'refused' | 'no-reply' | 'failed';
}

export type ExecutionOutcome =
  | { readonly verified: true; readonly readback: PumpReading; readonly steps: readonly ExecutionStep[] }
  | {
      readonly verified: false;
      readonly code: ExecutionFailureCode;
      readonly message: string;
      readonly readback: PumpReading | null;
      readonly steps: readonly ExecutionStep[];
    };

/**
 * Programs one pump through its own command interface and proves the result by reading
 * the pump back. Takes only a ConfirmedOrder, which only the order workflow can create.
 * Runs each command once: never retries, never acts on its own.
 */
export interface PumpExecutor {
  execute(order: ConfirmedOrder): Promise<ExecutionOutcome>;
}
