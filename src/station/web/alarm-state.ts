/**
 * How the page's copy of a bed takes `alarm-event` messages: audio pause and resume,
 * alarms off and their reminders, profile changes (acknowledgements and escalations
 * arrive as `alarm` updates as well, so they need nothing here). Pure and DOM-free.
 */
import type { AlarmDto, AlarmEventDto, AlarmPriorityDto, BedAlarmStateDto, BedSnapshot } from './protocol-types.js';

/** The bed's alarm state, created empty when the snapshot had none. */
export function alarmStateOf(bed: BedSnapshot): BedAlarmStateDto {
  bed.alarmState ??= { profileId: '', audioPausedUntil: null, alarmsOff: [] };
  return bed.alarmState;
}

/** Applies one alarm event to its bed's alarm state. */
export function applyAlarmEvent(bed: BedSnapshot, event: AlarmEventDto): void {
  const state = alarmStateOf(bed);
  switch (event.kind) {
    case 'audio-paused':
      state.audioPausedUntil = event.until;
      return;
    case 'audio-resumed':
      state.audioPausedUntil = null;
      return;
    case 'alarm-off':
      state.alarmsOff = state.alarmsOff.filter((o) => o.ruleId !== event.ruleId);
      if (event.off) state.alarmsOff.push({ ruleId: event.ruleId, since: event.at, by: event.by });
      return;
    case 'profile-changed':
      state.profileId = event.profileId;
      return;
    case 'alarm-off-reminder':
      if (!state.alarmsOff.some((o) => o.ruleId === event.ruleId)) state.alarmsOff.push({ ruleId: event.ruleId, since: event.offSince, by: event.by });
      return;
    case 'acknowledged':
    case 'escalated':
      return;
  }
}

const RANK: Record<AlarmPriorityDto, number> = { high: 3, medium: 2, low: 1 };

/**
 * Sounds now (IEC 60601-1-8): active, not acknowledged, not audio-paused. An alarm from a
 * gateway without the alarm engine carries no `audible`: it sounds (never silence by default).
 */
export function isAudible(alarm: AlarmDto): boolean {
  return alarm.audible ?? !(alarm.acknowledged === true || alarm.audioPaused === true);
}

/** The highest priority that sounds among these beds' alarms, or `none`. */
export function soundingLevel(beds: readonly BedSnapshot[]): AlarmPriorityDto | 'none' {
  let best: AlarmPriorityDto | 'none' = 'none';
  for (const bed of beds) {
    for (const alarm of bed.alarms) {
      if (isAudible(alarm) && (best === 'none' || RANK[alarm.priority] > RANK[best])) best = alarm.priority;
    }
  }
  return best;
}
