import type { AuditActor } from '../audit/audit-actions.js';
import { describeError, type VigilError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OrderBook } from './order-book.js';
import { actorOf, bedSubject } from './order-checks.js';
import { orderRefusedError, type Refusal } from './order-refusal.js';
import type { OrderUser, OrderView } from './order-types.js';

/**
 * Audits refusals that close no order (`order.refused`, subject `bed:<id>`): a refused
 * request (nothing was opened: `effect: 'request-refused'`) or a refused attempt on an
 * order that stays as it was (`effect: 'attempt-refused'`, e.g. wrong state). A refusal
 * whose audit entry cannot be written is still a refusal: nothing goes ahead, and the
 * failure is logged.
 */
export class RefusalRecorder {
  constructor(
    private readonly book: OrderBook,
    private readonly log: Logger,
  ) {}

  /** A request refused: audited, returned as ORDER_REFUSED for the caller to throw. */
  request(user: OrderUser, bedId: unknown, refusal: Refusal, details: Record<string, unknown>): VigilError {
    this.record(actorOf(user), bedId, refusal, { ...details, user: user.username, effect: 'request-refused' });
    this.log.info({ reason: refusal.reason, user: user.username }, 'request refused');
    return orderRefusedError(refusal);
  }

  /** An attempt on an order refused, the order unchanged. */
  attempt(view: OrderView, user: OrderUser | null, refusal: Refusal): VigilError {
    this.record(actorOf(user), view.bedId, refusal, { orderId: view.id, orderState: view.state, effect: 'attempt-refused' });
    return orderRefusedError(refusal, { orderId: view.id });
  }

  /** A request without a valid session: audited with the session error's code as reason; the caller rethrows it. */
  session(err: VigilError, bedId: unknown, details: Record<string, unknown>): void {
    this.record('system', bedId, { reason: err.code, message: err.message }, { ...details, effect: 'request-refused' });
  }

  private record(actor: AuditActor, bedId: unknown, refusal: { reason: string; message: string }, details: Record<string, unknown>): void {
    try {
      this.book.auditOnly({ actor, action: 'order.refused', subject: bedSubject(String(bedId)), details: { ...details, reason: refusal.reason, message: refusal.message } });
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'refusal could not be audited');
    }
  }
}
