/**
 * What the station server takes from the control modules besides its own streams: pumps
 * and orders and each bed's alarm state for snapshots, and the live pump, order and
 * alarm-engine events for every client. A failure in a module is logged, never thrown
 * at a client.
 */
import type { Subscription } from 'rxjs';
import type { Logger } from '../core/logger.js';
// Types only: the station never loads the control modules' code (safety boundary).
import type { ControlApi } from '../control/control-api.js';
import type { AlarmControlApi } from '../alarms/alarm-control-api.js';
import type { StationClients } from './station-clients.js';
import type { AlarmStateSource, PumpSource } from './station-state.js';
import { RECENT_ORDERS } from './station-api.js';
import { orderToDto, pumpChangeToDto, pumpToDto } from './pump-protocol.js';
import { alarmEventMessage, bedAlarmState } from './alarm-protocol.js';
import { STATION_PROTOCOL_VERSION } from './station-protocol.js';

/** Snapshots take pumps and orders from the control module; a failure there is logged, never thrown at a client. */
export function pumpSource(control: ControlApi, log: Logger): PumpSource {
  return {
    pumps: () => {
      try {
        return control.pumps().map(pumpToDto);
      } catch (err) {
        log.error({ err }, 'control module failed to list pumps');
        return [];
      }
    },
    orders: () => {
      try {
        return control.orders(RECENT_ORDERS).map(orderToDto);
      } catch (err) {
        log.error({ err }, 'control module failed to list orders');
        return [];
      }
    },
  };
}

/** Snapshots take each bed's audio pause and alarms off from the alarm control; a failure is logged, never thrown at a client. */
export function alarmSource(alarmControl: AlarmControlApi, log: Logger): AlarmStateSource {
  return (bedId) => {
    try {
      const snapshot = alarmControl.snapshot(bedId);
      return snapshot ? bedAlarmState(snapshot) : null;
    } catch (err) {
      log.error({ err, bedId }, 'alarm control failed to give a bed snapshot');
      return null;
    }
  };
}

/** Streams pumps, orders and changes made at the pump to every client. */
export function subscribeControl(control: ControlApi, clients: StationClients, log: Logger): Subscription[] {
  const v = STATION_PROTOCOL_VERSION;
  return [
    control.pumps$.subscribe({
      next: (p) => clients.broadcast({ v, type: 'pump', pump: pumpToDto(p) }),
      error: (err: unknown) => log.error({ err }, 'pump stream failed'),
    }),
    control.orders$.subscribe({
      next: (o) => clients.broadcast({ v, type: 'order', order: orderToDto(o) }),
      error: (err: unknown) => log.error({ err }, 'order stream failed'),
    }),
    control.pumpChanges$.subscribe({
      next: (c) => clients.broadcast({ v, type: 'pump-change', change: pumpChangeToDto(c) }),
      error: (err: unknown) => log.error({ err }, 'pump-change stream failed'),
    }),
  ];
}

/** Forwards the alarm engine's events other than alarm edges (those come through alarms$) as `alarm-event`. */
export function subscribeAlarmEvents(alarmControl: AlarmControlApi, clients: StationClients, log: Logger): Subscription {
  return alarmControl.events$.subscribe({
    next: (e) => {
      const message = alarmEventMessage(e);
      if (message) clients.broadcast(message);
    },
    error: (err: unknown) => log.error({ err }, 'alarm engine event stream failed'),
  });
}
