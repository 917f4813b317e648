/**
 * The browser's copy of the station state: a snapshot replaces it, live messages
 * update it. Also tracks the offset between the server clock and the browser clock,
 * so ages and staleness are judged on the server's time. Pure and DOM-free.
 */
import type { AlarmDto, BedSnapshot, ObservationDto, ServerMessage } from './protocol-types.js';

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
      case 'error':
        return { kind: 'none' };
    }
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
