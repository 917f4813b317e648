import { Subject, concat, defer, from, type Observable } from 'rxjs';
import type { AlarmCondition, AlarmEvent } from '../alarms/alarm.js';
import type { OrderView } from './order-types.js';

/** The alarm code of an order that did not take effect as ordered (rate change or stop). */
export const NOT_VERIFIED_ALARM_CODE = 'RATE_CHANGE_NOT_VERIFIED';

/**
 * RATE_CHANGE_NOT_VERIFIED alarms (high priority, technical): one per not-verified
 * order, started when the order fails and ended only when a nurse acknowledges it
 * (never by a timer, never by the next reading). A late subscriber to `events$` first
 * receives a `start` for every alarm still active, so a station that connects after the
 * failure still shows it.
 */
export class OrderAlarms {
  private readonly active = new Map<string, AlarmCondition>();
  private readonly events = new Subject<AlarmEvent>();

  readonly events$: Observable<AlarmEvent> = defer(() =>
    concat(
      from([...this.active.values()].map((alarm): AlarmEvent => ({ phase: 'start', alarm }))),
      this.events,
    ),
  );

  /** Starts the alarm of a not-verified order (once per order). */
  raise(order: OrderView, message: string, at: number): AlarmCondition {
    const existing = this.active.get(order.id);
    if (existing) return existing;
    const alarm: AlarmCondition = {
      id: `${order.bedId}/${order.deviceId}/${NOT_VERIFIED_ALARM_CODE}/${order.id}`,
      bedId: order.bedId,
      deviceId: order.deviceId,
      code: NOT_VERIFIED_ALARM_CODE,
      kind: 'technical',
      priority: 'high',
      message,
      startedAt: at,
      updatedAt: at,
      endedAt: null,
    };
    this.active.set(order.id, alarm);
    this.events.next({ phase: 'start', alarm });
    return alarm;
  }

  /** Ends the alarm of an order; false when it had none active. */
  end(orderId: string, at: number): boolean {
    const alarm = this.active.get(orderId);
    if (!alarm) return false;
    this.active.delete(orderId);
    this.events.next({ phase: 'end', alarm: { ...alarm, updatedAt: at, endedAt: at } });
    return true;
  }

  isActive(orderId: string): boolean {
    return this.active.has(orderId);
  }

  /** The active alarms (for tests and status). */
  list(): AlarmCondition[] {
    return [...this.active.values()];
  }

  close(): void {
    this.events.complete();
  }
}
