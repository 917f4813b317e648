import type { SchedulerLike, Subscription } from 'rxjs';
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OrderBook } from './order-book.js';
import { AWAITING_STATES, isExpired } from './order-checks.js';
import type { OrderExecution } from './order-execution.js';
import type { OrderView } from './order-types.js';

/**
 * One timer per order waiting for a signature: at `expiresAt` an order still waiting
 * expires (audited `order.expired`). Every step also checks expiry itself, so a late
 * timer never lets an expired order through; the timer makes the station show it.
 */
export class OrderExpiry {
  private readonly timers = new Map<string, Subscription>();

  constructor(
    private readonly book: OrderBook,
    private readonly execution: OrderExecution,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerLike,
    private readonly log: Logger,
  ) {}

  schedule(view: OrderView): void {
    this.timers.get(view.id)?.unsubscribe();
    const delayMs = Math.max(0, view.expiresAt - this.clock.now());
    this.timers.set(
      view.id,
      this.scheduler.schedule(() => this.fire(view.id), delayMs),
    );
  }

  close(): void {
    for (const t of this.timers.values()) t.unsubscribe();
    this.timers.clear();
  }

  private fire(orderId: string): void {
    this.timers.delete(orderId);
    const record = this.book.get(orderId);
    if (!record || !AWAITING_STATES.has(record.view.state)) return;
    // The scheduler ran early against the clock: wait for the rest.
    if (!isExpired(record.view, this.clock.now())) return this.schedule(record.view);
    try {
      this.execution.expire(record, 'the order expired: it was not signed in time');
    } catch (err) {
      this.log.error({ orderId, err: describeError(err) }, 'order expiry could not be recorded');
    }
  }
}
