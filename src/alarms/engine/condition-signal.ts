import type { AlarmKind, AlarmPriority } from '../alarm.js';

/**
 * What every rule operator emits: one edge (or a change) of one alarm condition, before
 * the lifecycle layer decides how it is signalled (latching, acknowledgement, audio
 * pause, alarm off, escalation). Operators emit only on a change, never per observation.
 */
export interface ConditionSignal {
  /** The profile rule that produced it (`external` for alarms raised outside the engine). */
  readonly ruleId: string;
  /** Stable condition code, e.g. `SPO2_LOW`, `BP_HIGH_REPEATED`, `COMMUNICATION_LOST`. */
  readonly code: string;
  /** The device the condition comes from, or null for a bed-level condition (combinations). */
  readonly deviceId: string | null;
  /** True while the condition holds; false is its end. */
  readonly active: boolean;
  readonly kind: AlarmKind;
  readonly priority: AlarmPriority;
  /** What a nurse reads, e.g. `SpO2 84 % below 90 %`. */
  readonly message: string;
  readonly value: number | null;
  readonly limit: number | null;
  /** Scheduler time (epoch ms) of the edge. */
  readonly at: number;
  /**
   * Set only for alarms raised outside the engine (`external$`): their own id, kept so
   * that the station, the audit log and the raising module agree on it.
   */
  readonly alarmId?: string;
}

/** The fields of a signal a rule operator fills in; `at` and `active` come per edge. */
export type SignalTemplate = Omit<ConditionSignal, 'active' | 'at' | 'message' | 'value' | 'limit'>;

/** Builds one signal (allocated only on a change, never per observation). */
export function makeSignal(
  template: SignalTemplate,
  active: boolean,
  at: number,
  message: string,
  value: number | null = null,
  limit: number | null = null,
): ConditionSignal {
  return { ...template, active, at, message, value, limit };
}

/** True for a usable number: finite. A device's `null` or a NaN is no value. */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A duration for messages: `45 s`, `5 min`, `1 h 30 min`. */
export function formatDurationMs(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) {
    const min = Math.floor(ms / 60_000);
    const s = Math.round((ms % 60_000) / 1000);
    return s === 0 ? `${min} min` : `${min} min ${s} s`;
  }
  const h = Math.floor(ms / 3_600_000);
  const min = Math.round((ms % 3_600_000) / 60_000);
  return min === 0 ? `${h} h` : `${h} h ${min} min`;
}
