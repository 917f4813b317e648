/**
 * Alarm conditions as the rest of Vigil sees them (station, exports, audit).
 * Priorities and colours follow IEC 60601-1-8: high red, medium yellow, low cyan.
 */
export type AlarmPriority = 'high' | 'medium' | 'low';

export type AlarmKind = 'physiological' | 'technical';

export type AlarmPhase = 'start' | 'update' | 'end';

export interface AlarmCondition {
  /** Stable id of this occurrence: `<bed>/<source>/<code>/<startedAt>`. */
  readonly id: string;
  readonly bedId: string;
  /** The device the condition comes from, or null for a bed-level condition. */
  readonly deviceId: string | null;
  /** Stable code, e.g. `SPO2_LOW`, `COMMUNICATION_LOST`, `SENSOR_OFF`. */
  readonly code: string;
  readonly kind: AlarmKind;
  readonly priority: AlarmPriority;
  /** What a nurse reads, e.g. `SpO2 84 % below 90 %`. */
  readonly message: string;
  /** Epoch ms when the condition was determined (after its condition delay). */
  readonly startedAt: number;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
  /** Epoch ms when it ended, null while active. */
  readonly endedAt: number | null;
  /** The value that caused it and the limit it crossed, for limit alarms. */
  readonly value?: number | null;
  readonly limit?: number | null;
}

/** One lifecycle edge of an alarm condition. */
export interface AlarmEvent {
  readonly phase: AlarmPhase;
  readonly alarm: AlarmCondition;
}

export const PRIORITY_ORDER: Record<AlarmPriority, number> = { high: 3, medium: 2, low: 1 };
