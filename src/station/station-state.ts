/**
 * The station's live picture of the ward, built from the gateway streams: the latest
 * observation per bed/device/metric, the latest DeviceStatus per device, and the active
 * alarms per bed. Pure (no sockets, no timers), so it is tested directly.
 *
 * Data for a bed or device that is not configured is kept and shown, never dropped:
 * hiding an alarm because of a configuration mismatch would silence it.
 */
import type { Observation } from '../model/observation.js';
import type { DeviceStatus } from '../model/device-events.js';
import { PRIORITY_ORDER, type AlarmEvent } from '../alarms/alarm.js';
import {
  STATION_PROTOCOL_VERSION,
  alarmToDto,
  deviceStatusToDto,
  observationToDto,
  type AlarmDto,
  type BedAlarmStateDto,
  type BedSnapshot,
  type DeviceStatusDto,
  type ObservationDto,
  type OrderViewDto,
  type PumpViewDto,
  type SessionKind,
  type SnapshotMessage,
} from './station-protocol.js';

/** Where the snapshot takes pumps and orders from, when the gateway has pump control. */
export interface PumpSource {
  pumps(): PumpViewDto[];
  /** Open orders and the most recent closed ones, newest first. */
  orders(): OrderViewDto[];
}

/** Where the snapshot takes each bed's audio pause and alarms off, when the gateway has alarm control. */
export type AlarmStateSource = (bedId: string) => BedAlarmStateDto | null;

/** A bed as configured for the station. */
export interface StationBed {
  id: string;
  label: string;
  session: SessionKind;
  devices: Array<{ id: string; driver: string; transport: string }>;
}

/** What applying an event did: `unknown-bed`/`unknown-device` means it was added on the fly. */
export type ApplyOutcome = 'applied' | 'ignored' | 'unknown-bed' | 'unknown-device';

interface DeviceEntry {
  id: string;
  driver: string;
  transport: string;
  status: DeviceStatusDto | null;
}

interface BedEntry {
  id: string;
  label: string;
  session: SessionKind;
  configured: boolean;
  devices: Map<string, DeviceEntry>;
  /** Key `<deviceId>\u0000<metric>`. */
  observations: Map<string, ObservationDto>;
  /** Key: alarm occurrence id. */
  alarms: Map<string, AlarmDto>;
}

/** Highest priority first, then newest (latest start) first, then id for a stable order. */
export function compareAlarms(a: AlarmDto, b: AlarmDto): number {
  return (
    PRIORITY_ORDER[b.priority] - PRIORITY_ORDER[a.priority] ||
    b.startedAt - a.startedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export class StationState {
  private readonly beds = new Map<string, BedEntry>();

  /**
   * @param pumpSource pumps and orders for snapshots; absent = no pump control.
   * @param alarmSource each bed's alarm state for snapshots; absent = no alarm control.
   */
  constructor(beds: readonly StationBed[], private readonly pumpSource?: PumpSource, private readonly alarmSource?: AlarmStateSource) {
    for (const bed of beds) {
      const devices = new Map<string, DeviceEntry>();
      for (const d of bed.devices) devices.set(d.id, { ...d, status: null });
      this.beds.set(bed.id, {
        id: bed.id,
        label: bed.label,
        session: bed.session,
        configured: true,
        devices,
        observations: new Map(),
        alarms: new Map(),
      });
    }
  }

  /**
   * Records an observation as the latest of its bed/device/metric, unless one with a
   * later receive time is already held (then `ignored`).
   */
  applyObservation(observation: Observation): ApplyOutcome {
    const { bed, outcome } = this.locate(observation.bedId, observation.deviceId, null);
    const key = `${observation.deviceId}\u0000${observation.metric}`;
    const held = bed.observations.get(key);
    if (held && held.receivedAt > observation.receivedAt) return 'ignored';
    bed.observations.set(key, observationToDto(observation));
    return outcome;
  }

  /** Records the latest status of a device. */
  applyStatus(status: DeviceStatus): ApplyOutcome {
    const { bed, outcome } = this.locate(status.bedId, status.deviceId, status.driver);
    const device = bed.devices.get(status.deviceId);
    if (device) device.status = deviceStatusToDto(status);
    return outcome;
  }

  /**
   * `start`/`update` make the alarm active (an update for an unseen alarm is taken as
   * its start); `end` removes it (`ignored` when it was not active).
   */
  applyAlarm(event: AlarmEvent): ApplyOutcome {
    const { alarm } = event;
    if (event.phase === 'end') {
      const bed = this.beds.get(alarm.bedId);
      return bed?.alarms.delete(alarm.id) ? 'applied' : 'ignored';
    }
    const { bed, outcome } = this.locate(alarm.bedId, alarm.deviceId, null);
    bed.alarms.set(alarm.id, alarmToDto(alarm));
    return outcome;
  }

  /** Active alarms of a bed in display order (highest priority, then newest, first). */
  activeAlarms(bedId: string): AlarmDto[] {
    const bed = this.beds.get(bedId);
    return bed ? [...bed.alarms.values()].sort(compareAlarms) : [];
  }

  /** The latest observation of one metric of one device, if any. */
  latestObservation(bedId: string, deviceId: string, metric: string): ObservationDto | undefined {
    return this.beds.get(bedId)?.observations.get(`${deviceId}\u0000${metric}`);
  }

  /** The latest status of a device, null before the first, undefined for an unknown device. */
  deviceStatus(bedId: string, deviceId: string): DeviceStatusDto | null | undefined {
    return this.beds.get(bedId)?.devices.get(deviceId)?.status;
  }

  /** All beds, configured ones in configuration order, then unconfigured ones as they appeared. */
  bedSnapshots(): BedSnapshot[] {
    return [...this.beds.values()].map((bed) => ({
      id: bed.id,
      label: bed.label,
      session: bed.session,
      configured: bed.configured,
      devices: [...bed.devices.values()].map((d) => ({ ...d })),
      observations: [...bed.observations.values()],
      alarms: [...bed.alarms.values()].sort(compareAlarms),
      ...(this.alarmSource ? { alarmState: this.alarmSource(bed.id) } : {}),
    }));
  }

  /** The `snapshot` message for the current state. */
  snapshot(serverTime: number, requestId?: string): SnapshotMessage {
    return {
      v: STATION_PROTOCOL_VERSION,
      type: 'snapshot',
      serverTime,
      beds: this.bedSnapshots(),
      pumpControl: this.pumpSource !== undefined,
      alarmControl: this.alarmSource !== undefined,
      pumps: this.pumpSource?.pumps() ?? [],
      orders: this.pumpSource?.orders() ?? [],
      ...(requestId === undefined ? {} : { requestId }),
    };
  }

  /** Finds (or adds, for data from outside the configuration) a bed and device. */
  private locate(bedId: string, deviceId: string | null, driver: string | null): { bed: BedEntry; outcome: ApplyOutcome } {
    let outcome: ApplyOutcome = 'applied';
    let bed = this.beds.get(bedId);
    if (!bed) {
      outcome = 'unknown-bed';
      bed = {
        id: bedId,
        label: bedId,
        session: 'other',
        configured: false,
        devices: new Map(),
        observations: new Map(),
        alarms: new Map(),
      };
      this.beds.set(bedId, bed);
    }
    if (deviceId !== null && !bed.devices.has(deviceId)) {
      if (outcome === 'applied') outcome = 'unknown-device';
      bed.devices.set(deviceId, { id: deviceId, driver: driver ?? 'unknown', transport: 'unknown', status: null });
    }
    return { bed, outcome };
  }
}
