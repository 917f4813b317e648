/**
 * What a driver reports besides observations: the state of its link and data flow,
 * and the conditions (alarms and technical conditions) the device itself signals.
 */

/** State of the byte link (serial port or TCP connection) under a driver. */
export type LinkState = 'connecting' | 'open' | 'closed';

/** State of the data flow as judged by the driver. */
export type DataState =
  /** Link open (or not yet), no valid data yet. */
  | 'awaiting'
  /** Valid data arriving on time. */
  | 'receiving'
  /** No valid data for longer than the driver's grace: communication lost. */
  | 'silent';

export interface DeviceStatus {
  readonly bedId: string;
  readonly deviceId: string;
  readonly driver: string;
  readonly link: LinkState;
  readonly data: DataState;
  /** Epoch ms of the last valid message, or null. */
  readonly lastDataAt: number | null;
  /** Epoch ms when `link` or `data` last changed. */
  readonly since: number;
  /** Human-readable reason of the last link failure, if any. */
  readonly lastError: string | null;
  /** Valid messages and rejected (garbled) messages since the driver started. */
  readonly counters: { readonly messages: number; readonly rejected: number };
  /** Device identity when known (serial number, model). */
  readonly identity?: { readonly serial?: string; readonly model?: string };
  /**
   * State of the device's own alarm system, when the protocol reports it (e.g. Masimo
   * ALARM bits 0x10/0x20): `alarming` = it is sounding an alarm at the bedside,
   * `silenced` = its audio is paused at the bedside. Information, not a condition.
   */
  readonly deviceAlarm?: { readonly alarming: boolean; readonly silenced: boolean };
}

/** Whether the device signals a patient condition or a problem with the measurement itself. */
export type ConditionKind = 'physiological' | 'technical';

/**
 * A condition the device itself signals (e.g. Masimo ALARM/EXC bits).
 * Drivers emit an event when a condition starts (`active: true`) and when it ends.
 */
export interface DeviceCondition {
  readonly bedId: string;
  readonly deviceId: string;
  /** Stable code, e.g. `SENSOR_OFF`, `SPO2_LOW`, `LOW_PERFUSION`. */
  readonly code: string;
  readonly label: string;
  readonly kind: ConditionKind;
  readonly active: boolean;
  /** Epoch ms when this edge was seen. */
  readonly at: number;
}
