import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PumpChangeView } from './control-api.js';
import type { ControlledPump, PumpLocalChangeInput } from './controlled-pump.js';
import type { OrderBook } from './order-book.js';
import { EXECUTING_STATES, bedSubject, changeMatchesOrder, deviceActor } from './order-checks.js';

/**
 * Changes the pump reported. A change that an order of this pump commanded (while it
 * executes, or up to `expectedChangeWindowMs` after it finished, since the driver may
 * see the new rate before or after the executor's read-back) is that order's. Anything
 * else was made at the pump's own keypad: audited `pump.changed-at-pump` (actor
 * `device:<bed>/<device>`, before and after) and emitted on `changes$`. An open order
 * of that pump is then refused at execution as PUMP_CHANGED.
 */
export class PumpChangeWatch {
  private readonly changes = new Subject<PumpChangeView>();
  readonly changes$: Observable<PumpChangeView> = this.changes.asObservable();

  constructor(
    private readonly book: OrderBook,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly expectedChangeWindowMs: number,
  ) {}

  /** Handles one reported change. Never throws. */
  onChange(pump: ControlledPump, change: PumpLocalChangeInput): void {
    const now = this.clock.now();
    const own = this.book
      .all()
      .filter((r) => r.view.bedId === pump.bedId && r.view.deviceId === pump.deviceId)
      .find((r) => {
        const finishedAt = r.view.history.at(-1)?.at ?? 0;
        const finishedRecently = (r.view.state === 'verified' || r.view.state === 'not-verified') && now - finishedAt <= this.expectedChangeWindowMs;
        return (EXECUTING_STATES.has(r.view.state) || finishedRecently) && changeMatchesOrder(r.view, change);
      });
    if (own) {
      this.log.debug({ orderId: own.view.id, change }, 'pump change made by an order');
      return;
    }
    try {
      this.book.auditOnly({
        actor: deviceActor(pump.bedId, pump.deviceId),
        action: 'pump.changed-at-pump',
        subject: bedSubject(pump.bedId),
        details: {
          deviceId: pump.deviceId,
          kind: change.kind,
          before: change.before,
          after: change.after,
          at: change.at,
          openOrderId: this.book.openFor(pump.bedId, pump.deviceId)?.view.id ?? null,
        },
      });
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'pump change could not be audited');
    }
    this.log.info({ bed: pump.bedId, device: pump.deviceId, kind: change.kind, before: change.before, after: change.after }, 'pump changed at the pump');
    this.changes.next({ bedId: pump.bedId, deviceId: pump.deviceId, kind: change.kind, before: change.before, after: change.after, at: change.at });
  }

  close(): void {
    this.changes.complete();
  }
}
