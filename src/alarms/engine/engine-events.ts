import type { AlarmCondition, AlarmEvent, AlarmPriority } from '../alarm.js';

/**
 * What the alarm engine tells the station, the audit log and the store. Alarm edges stay
 * `AlarmEvent`s (phase start/update/end) with an `EngineAlarmCondition`, a superset of
 * `AlarmCondition`; acknowledgements, audio pauses, escalations and alarm-off changes are
 * events of their own kinds, each a record with its time and who did it.
 */

/** An alarm condition with its signalling state (IEC 60601-1-8 inactivation states). */
export interface EngineAlarmCondition extends AlarmCondition {
  /** The profile rule that raised it (`external` for alarms from outside the engine). */
  readonly ruleId: string;
  /** The condition itself still holds (false while latched). */
  readonly conditionActive: boolean;
  /** The condition ended but the alarm stays until acknowledged (latching rule). */
  readonly latched: boolean;
  readonly acknowledged: boolean;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: number | null;
  /** Silenced by the bed's audio pause; the visual signal stays. */
  readonly audioPaused: boolean;
  /** Sounds now: active, not acknowledged, not audio-paused. */
  readonly audible: boolean;
  /** 0 at the bedside; n after the nth configured escalation tier. */
  readonly escalationTier: number;
  /** Who the alarm is escalated to: `bedside`, then the tiers' names. */
  readonly escalationTarget: string;
}

/** Why an alarm edge was emitted. */
export type AlarmChangeCause =
  | 'condition'
  | 'value'
  | 'latched'
  | 'reactivated'
  | 'acknowledged'
  | 'audio-paused'
  | 'audio-resumed'
  | 'escalated'
  | 'alarm-off'
  | 'alarm-on'
  /** The bed's profile changed and the alarm's rule was removed or changed (docs/alarms.md "Runtime changes"). */
  | 'profile-changed';

/** One lifecycle edge of an alarm: an `AlarmEvent` the station already understands. */
export interface EngineAlarmEvent extends AlarmEvent {
  readonly type: 'alarm';
  readonly alarm: EngineAlarmCondition;
  readonly cause: AlarmChangeCause;
}

/** An unacknowledged alarm reached an escalation tier. */
export interface EscalationEvent {
  readonly type: 'escalation';
  /** `<alarm id>/escalation/<tier>`. */
  readonly id: string;
  readonly bedId: string;
  readonly alarmId: string;
  readonly code: string;
  readonly priority: AlarmPriority;
  /** 1 for the first configured tier. */
  readonly tier: number;
  readonly target: string;
  readonly at: number;
}

/** A nurse acknowledged an alarm; `ended` when that ended a latched alarm. */
export interface AcknowledgementEvent {
  readonly type: 'acknowledgement';
  readonly bedId: string;
  readonly alarmId: string;
  readonly code: string;
  readonly by: string;
  readonly at: number;
  readonly ended: boolean;
}

/** A bed's audio was paused (until `until`) or its pause expired. */
export interface AudioPauseEvent {
  readonly type: 'audio-pause';
  readonly bedId: string;
  readonly state: 'paused' | 'resumed';
  /** Who paused; null when the pause expired. */
  readonly by: string | null;
  readonly at: number;
  readonly until: number | null;
  /** The alarms silenced (paused) or sounding again (resumed). */
  readonly alarmIds: readonly string[];
}

/** A rule of a bed was turned off or on again. */
export interface AlarmOffEvent {
  readonly type: 'alarm-off';
  readonly bedId: string;
  readonly ruleId: string;
  readonly off: boolean;
  readonly by: string;
  readonly at: number;
}

/** A rule is still off: the periodic reminder. */
export interface AlarmOffReminderEvent {
  readonly type: 'alarm-off-reminder';
  readonly bedId: string;
  readonly ruleId: string;
  readonly offSince: number;
  readonly by: string;
  readonly at: number;
}

export type EngineEvent = EngineAlarmEvent | EscalationEvent | AcknowledgementEvent | AudioPauseEvent | AlarmOffEvent | AlarmOffReminderEvent;

/** True for alarm edges (the `Observable<AlarmEvent>` seam of the station). */
export function isAlarmEvent(event: EngineEvent): event is EngineAlarmEvent {
  return event.type === 'alarm';
}

/** One entry of an alarm's history. */
export interface AlarmHistoryEntry {
  readonly at: number;
  readonly what: 'start' | 'latched' | 'reactivated' | 'acknowledged' | 'audio-paused' | 'audio-resumed' | 'escalated' | 'alarm-off' | 'end';
  readonly by?: string;
  readonly detail?: string;
}

/** An alarm and its history. */
export interface AlarmRecord {
  readonly alarm: EngineAlarmCondition;
  readonly history: readonly AlarmHistoryEntry[];
}

/** The alarm state of one bed. */
export interface BedAlarmSnapshot {
  readonly bedId: string;
  readonly profileId: string;
  readonly at: number;
  /** End of the current audio pause, or null. */
  readonly audioPausedUntil: number | null;
  readonly alarmsOff: readonly { readonly ruleId: string; readonly since: number; readonly by: string }[];
  /** Active (and latched) alarms, highest priority then newest first. */
  readonly active: readonly AlarmRecord[];
  /** Recently ended alarms, newest first (bounded). */
  readonly recent: readonly AlarmRecord[];
}

/** Why a command was refused. */
export type CommandRefusalCode =
  | 'UNKNOWN_BED'
  | 'UNKNOWN_ALARM'
  | 'UNKNOWN_RULE'
  | 'ALREADY_ACKNOWLEDGED'
  | 'ALARM_OFF_NOT_ALLOWED'
  | 'INVALID_ARGUMENT'
  /** A profile or a changed limit fails the profile schema; `field` holds the path. */
  | 'INVALID_PROFILE'
  /** No shipped profile of that id (AlarmControl.setProfile). */
  | 'UNKNOWN_PROFILE'
  /** setLimit on a rule that is not a limit rule. */
  | 'NOT_A_LIMIT_RULE'
  /** AlarmControl: the session token is unknown or ended, or expired. */
  | 'SESSION_INVALID'
  | 'SESSION_EXPIRED'
  /** AlarmControl: the user's role may not do this. */
  | 'FORBIDDEN'
  /** AlarmControl: the audit entry could not be written, so nothing was done. */
  | 'AUDIT_FAILED';

/** The result of an engine command: never thrown, always returned. */
export type CommandResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: CommandRefusalCode; readonly message: string; readonly field?: string };

export function refuse(code: CommandRefusalCode, message: string, field?: string): CommandResult {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

export const OK: CommandResult = { ok: true };
