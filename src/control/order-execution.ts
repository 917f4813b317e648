import type { Clock } from '../core/clock.js';
import { describeError, type VigilError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { issueConfirmedOrder } from './confirmed-order.js';
import type { ControlledPump } from './controlled-pump.js';
import type { OrderAlarms } from './order-alarms.js';
import type { OrderBook, OrderTransition } from './order-book.js';
import { actorOf, bedSubject, deviceActor, isExpired, pumpChange, readingDetails } from './order-checks.js';
import { formatDose, orderRefusedError, type Refusal } from './order-refusal.js';
import type { OrderRecord } from './order-store.js';
import type { OrderUser, OrderView } from './order-types.js';
import type { PumpBoard } from './pump-board.js';
import type { ExecutionOutcome } from './pump-executor.js';

/** An executor's outcome, or EXECUTOR_ERROR when the executor threw instead of answering. */
type Outcome =
  | ExecutionOutcome
  | { readonly verified: false; readonly code: 'EXECUTOR_ERROR'; readonly message: string; readonly readback: null; readonly steps: readonly [] };

export interface ExecutionDeps {
  readonly book: OrderBook;
  readonly board: PumpBoard;
  readonly alarms: OrderAlarms;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The last steps of an order: refusing or expiring it, and executing it once.
 * Execution (safety rules 1 and 2): re-check expiry and the pump, record the final
 * signature, issue the ConfirmedOrder, hand it to the pump's executor exactly once,
 * audit each command and reply, then `order.verified`, or `order.not-verified` with a
 * high-priority alarm that only a nurse's acknowledgement ends. Nothing here retries.
 */
export class OrderExecution {
  constructor(private readonly deps: ExecutionDeps) {}

  /** Closes an open order as refused (audited `order.refused`); returns the error for the caller. */
  refuse(record: OrderRecord, refusal: Refusal, by: OrderUser | null): VigilError {
    const { view } = record;
    this.deps.book.apply(view.id, {
      state: 'refused',
      by,
      note: refusal.message,
      patch: { outcome: { code: refusal.reason, message: refusal.message } },
      audit: {
        actor: actorOf(by),
        action: 'order.refused',
        subject: bedSubject(view.bedId),
        details: { orderId: view.id, deviceId: view.deviceId, reason: refusal.reason, message: refusal.message, effect: 'order-refused' },
      },
    });
    return orderRefusedError(refusal, { orderId: view.id });
  }

  /** Closes an order waiting for a signature as expired (audited `order.expired`); returns the error. */
  expire(record: OrderRecord, note: string, code = 'EXPIRED'): VigilError {
    const { view } = record;
    this.deps.book.apply(view.id, {
      state: 'expired',
      note,
      patch: { outcome: { code, message: note } },
      audit: {
        actor: 'system',
        action: 'order.expired',
        subject: bedSubject(view.bedId),
        details: { orderId: view.id, deviceId: view.deviceId, code, message: note, expiresAt: view.expiresAt },
      },
    });
    return orderRefusedError({ reason: 'EXPIRED', message: note }, { orderId: view.id });
  }

  /**
   * Executes an order whose last signature is `step` (its audit entry and patch).
   * Throws ORDER_REFUSED (EXPIRED, PUMP_CHANGED) without touching the pump; otherwise
   * resolves with the order after the executor's outcome.
   */
  async run(record: OrderRecord, pump: ControlledPump, step: OrderTransition, by: OrderUser): Promise<OrderView> {
    const { book, board, clock, log } = this.deps;
    const now = clock.now();
    if (isExpired(record.view, now)) throw this.expire(record, `the order expired at ${new Date(record.view.expiresAt).toISOString()} before it was executed`);
    const changed = pumpChange(record.view.pumpAtRequest, board.reading(record.view.bedId, record.view.deviceId));
    if (changed) throw this.refuse(record, { reason: 'PUMP_CHANGED', message: `the pump changed since the order was requested: ${changed}` }, by);

    // The signature and the move to executing are one committed step: if the audit fails, the pump is not touched.
    const executing = book.apply(record.view.id, { ...step, state: 'executing' });
    const confirmedBy = executing.confirmedBy;
    if (!confirmedBy) throw new Error(`order ${executing.id} reached execution without a confirmation`);
    const order = issueConfirmedOrder({
      id: executing.id,
      kind: executing.kind,
      bedId: executing.bedId,
      deviceId: executing.deviceId,
      targetRateMlPerHour: executing.targetRateMlPerHour,
      targetRunState: executing.kind === 'stop' ? 'stopped' : 'running',
      programme: executing.programme,
      pumpAtRequest: executing.pumpAtRequest,
      requestedBy: executing.requestedBy,
      confirmedBy,
      doubleCheckedBy: executing.doubleCheckedBy,
      issuedAt: Math.floor(clock.now()),
    });
    log.info({ orderId: order.id, bed: order.bedId, device: order.deviceId, target: order.targetRateMlPerHour }, 'executing order');
    let outcome: Outcome;
    try {
      outcome = await pump.executor.execute(order);
    } catch (err) {
      // A bug, not a pump answer: whether the pump changed is unknown, so it is not verified.
      log.error({ orderId: order.id, err: describeError(err) }, 'pump executor failed');
      outcome = { verified: false, code: 'EXECUTOR_ERROR', message: `the pump executor failed: ${describeError(err)}`, readback: null, steps: [] };
    }
    return this.finish(executing, pump, outcome);
  }

  /** Audits the steps and the outcome, raises the alarm when not verified. Never throws. */
  private finish(view: OrderView, pump: ControlledPump, outcome: Outcome): OrderView {
    const { book, alarms, clock, log } = this.deps;
    const subject = bedSubject(view.bedId);
    for (const step of outcome.steps) {
      this.auditQuietly({ actor: 'system', action: 'pump.command-sent', subject, details: { orderId: view.id, deviceId: view.deviceId, command: step.command, at: step.at } });
      this.auditQuietly({
        actor: deviceActor(view.bedId, view.deviceId),
        action: 'pump.reply',
        subject,
        details: { orderId: view.id, deviceId: view.deviceId, command: step.command, reply: step.reply, result: step.result },
      });
    }
    const transition: OrderTransition = outcome.verified
      ? {
          state: 'verified',
          note: `verified: the pump reports ${describeReading(outcome.readback.rateMlPerHour, outcome.readback.runState)}`,
          patch: { readback: outcome.readback },
          audit: { actor: 'system', action: 'order.verified', subject, details: { orderId: view.id, deviceId: view.deviceId, readback: readingDetails(outcome.readback) } },
        }
      : {
          state: 'not-verified',
          note: outcome.message,
          patch: { readback: outcome.readback, outcome: { code: outcome.code, message: outcome.message } },
          audit: {
            actor: 'system',
            action: 'order.not-verified',
            subject,
            details: { orderId: view.id, deviceId: view.deviceId, code: outcome.code, message: outcome.message, readback: readingDetails(outcome.readback) },
          },
        };
    let final: OrderView;
    try {
      final = book.apply(view.id, transition);
    } catch (err) {
      log.error({ orderId: view.id, err: describeError(err) }, 'order outcome could not be audited; recorded without audit');
      try {
        final = book.apply(view.id, { ...transition, audit: null });
      } catch (err2) {
        log.error({ orderId: view.id, err: describeError(err2) }, 'order outcome could not be stored');
        final = { ...view, state: transition.state ?? view.state, ...transition.patch };
      }
    }
    if (!outcome.verified) alarms.raise(final, notVerifiedMessage(final, pump.label), clock.now());
    log.info({ orderId: view.id, state: final.state }, 'order finished');
    return final;
  }

  private auditQuietly(entry: Parameters<OrderBook['auditOnly']>[0]): void {
    try {
      this.deps.book.auditOnly(entry);
    } catch (err) {
      this.deps.log.error({ action: entry.action, err: describeError(err) }, 'audit entry of a pump step failed');
    }
  }
}

function describeReading(rate: number | null, runState: string): string {
  return `${rate === null ? 'no rate' : formatDose(rate, 'mL/h')}, ${runState}`;
}

/** The alarm text: what was ordered, what went wrong, what the pump reports, what to do. */
export function notVerifiedMessage(order: OrderView, pumpLabel: string): string {
  const what =
    order.kind === 'stop'
      ? 'stop'
      : `rate change to ${formatDose(order.targetRateMlPerHour ?? NaN, 'mL/h')}` +
        (order.targetDoseMgPerKgPerHour === null ? '' : ` (${formatDose(order.targetDoseMgPerKgPerHour, 'mg/kg/h')})`);
  const reports = order.readback ? `; the pump reports ${describeReading(order.readback.rateMlPerHour, order.readback.runState)}` : '; the pump state is unknown';
  const why = order.outcome ? `${order.outcome.message} [${order.outcome.code}]` : 'not verified';
  return `${pumpLabel}: ${what} NOT VERIFIED: ${why}${reports}. Check the pump; Vigil does not retry.`;
}
