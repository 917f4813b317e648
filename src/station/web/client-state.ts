/**
 * The browser's copy of the station state: a snapshot replaces it, live messages
 * update it. Also tracks the offset between the server clock and the browser clock,
 * so ages and staleness are judged on the server's time. Pure and DOM-free.
 */
import type {
  AlarmDto,
  BedSnapshot,
  ObservationDto,
  OrderViewDto,
  PumpChangeDto,
  PumpViewDto,
  ServerMessage,
} from './protocol-types.js';
import { applyAlarmEvent } from './alarm-state.js';

/** Closed orders kept beyond open ones (the server's snapshot sends about as many). */
const KEEP_CLOSED_ORDERS = 50;
const OPEN_STATES = new Set(['awaiting-confirmation', 'awaiting-double-check', 'executing', 'awaiting-readback']);

/** True while something can still happen to the order. */
export function isOpenOrder(order: OrderViewDto): boolean {
  return OPEN_STATES.has(order.state);
}

const pumpKey = (bedId: string, deviceId: string): string => `${bedId}\u0000${deviceId}`;

const PRIORITY_RANK: Record<AlarmDto['priority'], number> = { high: 3, medium: 2, low: 1 };

/** Highest priority first, then newest first (same order as the server). */
export function compareAlarms(a: AlarmDto, b: AlarmDto): number {
  return PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What a message changed: nothing, some beds (by id), or everything (snapshot). */
export type Change = { kind: 'none' } | { kind: 'beds'; bedIds: string[] } | { kind: 'all' };

export class ClientState {
  private readonly beds = new Map<string, BedSnapshot>();
  /** serverTime - local time, in ms, from the latest hello/snapshot/pong. */
  private offsetMs = 0;
  private synced = false;
  private pumpControlOn = false;
  private alarmControlOn = false;
  /** Last reminder per `<bed>\u0000<rule>` that a rule is still off (server time). */
  private readonly reminders = new Map<string, number>();
  /** Counts profile changes per bed, so an open profile panel knows to reload. */
  private readonly profileVersions = new Map<string, number>();
  private readonly pumps = new Map<string, PumpViewDto>();
  private readonly orders = new Map<string, OrderViewDto>();
  /** The latest change made at each pump's keypad, until dismissed. */
  private readonly changes = new Map<string, PumpChangeDto>();

  /** Beds in server order. */
  bedList(): BedSnapshot[] {
    return [...this.beds.values()];
  }

  bed(id: string): BedSnapshot | undefined {
    return this.beds.get(id);
  }

  /** True once the state holds a snapshot. */
  get hasSnapshot(): boolean {
    return this.synced;
  }

  /** True when the gateway offers pump control (from the snapshot). */
  get pumpControl(): boolean {
    return this.pumpControlOn;
  }

  /** True when alarms can be acknowledged, paused and tuned from the station (from the snapshot). */
  get alarmControl(): boolean {
    return this.alarmControlOn;
  }

  /** When the latest "still off" reminder of a bed's rule came (server time), if any. */
  reminderOf(bedId: string, ruleId: string): number | undefined {
    return this.reminders.get(`${bedId}\u0000${ruleId}`);
  }

  /** Changes with every profile or limit change of the bed. */
  profileVersion(bedId: string): number {
    return this.profileVersions.get(bedId) ?? 0;
  }

  /** Pumps of one bed, in server order. */
  pumpsOfBed(bedId: string): PumpViewDto[] {
    return [...this.pumps.values()].filter((p) => p.bedId === bedId);
  }

  pump(bedId: string, deviceId: string): PumpViewDto | undefined {
    return this.pumps.get(pumpKey(bedId, deviceId));
  }

  order(id: string): OrderViewDto | undefined {
    return this.orders.get(id);
  }

  /** Every order held, newest request first. */
  orderList(): OrderViewDto[] {
    return [...this.orders.values()].sort((a, b) => b.requestedAt - a.requestedAt);
  }

  /** The pump's open order, else its most recent one. */
  latestOrderOf(bedId: string, deviceId: string): OrderViewDto | undefined {
    let best: OrderViewDto | undefined;
    for (const o of this.orders.values()) {
      if (o.bedId !== bedId || o.deviceId !== deviceId) continue;
      if (!best || (isOpenOrder(o) && !isOpenOrder(best)) || (isOpenOrder(o) === isOpenOrder(best) && o.requestedAt > best.requestedAt)) best = o;
    }
    return best;
  }

  /** The latest change made at a pump's own keypad, if not dismissed. */
  pumpChange(bedId: string, deviceId: string): PumpChangeDto | undefined {
    return this.changes.get(pumpKey(bedId, deviceId));
  }

  dismissPumpChange(bedId: string, deviceId: string): void {
    this.changes.delete(pumpKey(bedId, deviceId));
  }

  /**
   * Takes an order from a live message or an HTTP answer. History is append-only, so a
   * view with a shorter history is older and ignored: a late HTTP answer never undoes
   * a newer state that arrived on the WebSocket.
   */
  applyOrder(order: OrderViewDto): Change {
    const held = this.orders.get(order.id);
    if (held && held.history.length > order.history.length) return { kind: 'none' };
    this.orders.set(order.id, order);
    this.pruneOrders();
    return { kind: 'beds', bedIds: [order.bedId] };
  }

  /** The server's time now, from the browser clock and the measured offset. */
  serverNow(localNow: number): number {
    return localNow + this.offsetMs;
  }

  /** Applies one server message received at browser time `localNow`. */
  apply(message: ServerMessage, localNow: number): Change {
    switch (message.type) {
      case 'hello':
      case 'pong':
        this.offsetMs = message.serverTime - localNow;
        return { kind: 'none' };
      case 'snapshot':
        this.offsetMs = message.serverTime - localNow;
        this.beds.clear();
        for (const bed of message.beds) this.beds.set(bed.id, bed);
        this.pumpControlOn = message.pumpControl === true;
        this.alarmControlOn = message.alarmControl === true;
        this.pumps.clear();
        for (const pump of message.pumps ?? []) this.pumps.set(pumpKey(pump.bedId, pump.deviceId), pump);
        this.orders.clear();
        for (const order of message.orders ?? []) this.orders.set(order.id, order);
        this.synced = true;
        return { kind: 'all' };
      case 'observation':
        return this.applyObservation(message.observation);
      case 'device-status': {
        const { status } = message;
        const bed = this.ensureBed(status.bedId);
        const device = bed.devices.find((d) => d.id === status.deviceId);
        if (device) device.status = status;
        else bed.devices.push({ id: status.deviceId, driver: status.driver, transport: 'unknown', status });
        return { kind: 'beds', bedIds: [bed.id] };
      }
      case 'alarm': {
        const { alarm } = message;
        const bed = this.ensureBed(alarm.bedId);
        const others = bed.alarms.filter((a) => a.id !== alarm.id);
        bed.alarms = message.phase === 'end' ? others : [...others, alarm].sort(compareAlarms);
        return { kind: 'beds', bedIds: [bed.id] };
      }
      case 'alarm-event': {
        const { event } = message;
        const bed = this.ensureBed(event.bedId);
        applyAlarmEvent(bed, event);
        const key = 'ruleId' in event && event.ruleId !== null ? `${bed.id}\u0000${event.ruleId}` : null;
        if (event.kind === 'alarm-off-reminder' && key) this.reminders.set(key, event.at);
        if (event.kind === 'alarm-off' && key) this.reminders.delete(key);
        if (event.kind === 'profile-changed') this.profileVersions.set(bed.id, this.profileVersion(bed.id) + 1);
        return { kind: 'beds', bedIds: [bed.id] };
      }
      case 'pump':
        this.pumps.set(pumpKey(message.pump.bedId, message.pump.deviceId), message.pump);
        return { kind: 'beds', bedIds: [message.pump.bedId] };
      case 'order':
        return this.applyOrder(message.order);
      case 'pump-change':
        this.changes.set(pumpKey(message.change.bedId, message.change.deviceId), message.change);
        return { kind: 'beds', bedIds: [message.change.bedId] };
      // Waveforms are kept by the page's WaveformStore, not in the state (never in a snapshot).
      case 'error':
      case 'subscribed':
      case 'waveform':
        return { kind: 'none' };
    }
  }

  /** Keeps every open order and the newest closed ones. */
  private pruneOrders(): void {
    const closed = [...this.orders.values()].filter((o) => !isOpenOrder(o)).sort((a, b) => b.requestedAt - a.requestedAt);
    for (const old of closed.slice(KEEP_CLOSED_ORDERS)) this.orders.delete(old.id);
  }

  private applyObservation(observation: ObservationDto): Change {
    const bed = this.ensureBed(observation.bedId);
    const index = bed.observations.findIndex((o) => o.deviceId === observation.deviceId && o.metric === observation.metric);
    const held = index >= 0 ? bed.observations[index] : undefined;
    if (held && held.receivedAt > observation.receivedAt) return { kind: 'none' };
    if (index >= 0) bed.observations[index] = observation;
    else bed.observations.push(observation);
    return { kind: 'beds', bedIds: [bed.id] };
  }

  private ensureBed(id: string): BedSnapshot {
    let bed = this.beds.get(id);
    if (!bed) {
      bed = { id, label: id, session: 'other', configured: false, devices: [], observations: [], alarms: [] };
      this.beds.set(id, bed);
    }
    return bed;
  }
}

/** The newest observation of a metric in a bed, across its devices. */
export function latestOf(bed: BedSnapshot, metric: string): ObservationDto | undefined {
  let best: ObservationDto | undefined;
  for (const o of bed.observations) {
    if (o.metric === metric && (!best || o.receivedAt > best.receivedAt)) best = o;
  }
  return best;
}
