import type { Clock } from '../core/clock.js';
import type { OrderAlarms } from './order-alarms.js';
import type { OrderBook } from './order-book.js';
import { AWAITING_STATES, EXECUTING_STATES, bedSubject } from './order-checks.js';
import { notVerifiedMessage, type OrderExecution } from './order-execution.js';

/** Outcome code of an order cut short by a gateway restart. */
export const GATEWAY_RESTARTED = 'GATEWAY_RESTARTED';

/**
 * Resolves what a previous run left unfinished (docs/safety.md, restarts). Nothing
 * unfinished carries on as if it were still going on, and nothing is re-sent:
 * - an order still awaiting a signature expires (code GATEWAY_RESTARTED, `order.expired`):
 *   the clinician requests it again against the pump as it is now;
 * - an order that was executing becomes not-verified (code GATEWAY_RESTARTED,
 *   `order.not-verified`): whether the pump took it is unknown, so it is an alarm;
 * - every not-verified order whose alarm nobody acknowledged raises its alarm again.
 */
export function recoverOrders(
  book: OrderBook,
  execution: OrderExecution,
  alarms: OrderAlarms,
  labelOf: (bedId: string, deviceId: string) => string,
  clock: Clock,
): void {
  for (const record of book.all()) {
    const { view } = record;
    if (AWAITING_STATES.has(view.state)) {
      execution.expire(record, 'the gateway restarted before the order was executed; request it again', GATEWAY_RESTARTED);
    } else if (EXECUTING_STATES.has(view.state)) {
      const message = 'the gateway restarted while the order was executing: whether the pump took it is unknown';
      book.apply(view.id, {
        state: 'not-verified',
        note: message,
        patch: { outcome: { code: GATEWAY_RESTARTED, message } },
        audit: {
          actor: 'system',
          action: 'order.not-verified',
          subject: bedSubject(view.bedId),
          details: { orderId: view.id, deviceId: view.deviceId, code: GATEWAY_RESTARTED, message },
        },
      });
    }
  }
  for (const record of book.all()) {
    if (record.view.state === 'not-verified' && record.alarmAcknowledgedAt === null) {
      alarms.raise(record.view, notVerifiedMessage(record.view, labelOf(record.view.bedId, record.view.deviceId)), clock.now());
    }
  }
}
