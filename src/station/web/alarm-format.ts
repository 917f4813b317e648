/**
 * How the page words alarm signalling state, alarm histories and profile rules.
 * Pure and DOM-free (unit-tested in Node).
 */
import type { AlarmHistoryEntryDto, AlarmRuleDto } from './api-types.js';
import type { AlarmDto } from './protocol-types.js';

/** A state marker of an alarm row. */
export interface AlarmBadge {
  readonly key: 'ack' | 'latched' | 'paused' | 'escalated';
  readonly text: string;
}

/** `charge-nurse` -> `charge nurse`. */
export function targetName(target: string): string {
  return target.replace(/-/g, ' ');
}

/**
 * The markers of an alarm's signalling state. IEC 60601-1-8: acknowledged or paused,
 * the alarm keeps its colour and flashing; only its sound stops. These say why.
 */
export function alarmBadges(alarm: AlarmDto): AlarmBadge[] {
  const badges: AlarmBadge[] = [];
  if (alarm.latched) badges.push({ key: 'latched', text: 'LATCHED · condition ended' });
  if (alarm.acknowledged) badges.push({ key: 'ack', text: `ACK · ${alarm.acknowledgedBy ?? 'acknowledged'}` });
  else if (alarm.audioPaused) badges.push({ key: 'paused', text: 'AUDIO PAUSED' });
  if ((alarm.escalationTier ?? 0) > 0) {
    badges.push({ key: 'escalated', text: `TIER ${alarm.escalationTier} → ${targetName(alarm.escalationTarget ?? '?')}` });
  }
  return badges;
}

/** `1:58` for a countdown in ms (rounded up to the second); `0:00` when over. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `2 min`, `45 s`, `1 h 30 min`: a duration for settings. */
export function formatDuration(ms: number): string {
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

const WHAT: Record<AlarmHistoryEntryDto['what'], string> = {
  start: 'Started',
  latched: 'Latched (condition ended)',
  reactivated: 'Condition back',
  acknowledged: 'Acknowledged',
  'audio-paused': 'Audio paused',
  'audio-resumed': 'Audio resumed',
  escalated: 'Escalated',
  'alarm-off': 'Alarm turned off',
  end: 'Ended',
};

const END_CAUSES: Record<string, string> = {
  condition: 'condition ended',
  acknowledged: 'latched alarm acknowledged',
  'alarm-off': 'rule turned off',
  'profile-changed': 'profile changed',
};

/** One history entry in words, e.g. `Escalated → charge nurse`, `Acknowledged by Ana Silva`. */
export function historyText(entry: AlarmHistoryEntryDto): string {
  let text = WHAT[entry.what] ?? entry.what;
  if (entry.what === 'escalated' && entry.detail) text = `${text} → ${targetName(entry.detail)}`;
  else if (entry.what === 'end' && entry.detail) text = `${text} (${END_CAUSES[entry.detail] ?? entry.detail})`;
  else if (entry.what === 'latched' && entry.detail === 'profile-changed') text = 'Latched (profile changed)';
  else if (entry.what === 'start' && entry.detail) text = `${text}: ${entry.detail}`;
  return entry.by ? `${text} by ${entry.by}` : text;
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : String(v));

/** A rule's condition in a few words, e.g. `spo2 < 90`, `HR_HIGH_SUSTAINED: pulse-rate > 120 for 5 min`. */
export function ruleSummary(rule: AlarmRuleDto): string {
  switch (rule.kind) {
    case 'limit': {
      const parts = [rule.low != null ? `< ${fmt(rule.low)}` : '', rule.high != null ? `> ${fmt(rule.high)}` : ''].filter((p) => p !== '');
      return `${rule.metric ?? '?'} ${parts.join(' or ')}`;
    }
    case 'sustained': {
      const terms = (rule.any ?? rule.all ?? []) as Array<{ metric: string; above?: number; below?: number }>;
      const join = rule.any ? ' or ' : ' and ';
      const text = terms.map((t) => `${t.metric} ${t.above !== undefined ? `> ${t.above}` : `< ${fmt(t.below)}`}`).join(join);
      const readings = rule.readings as { count: number } | undefined;
      return `${rule.code ?? ''}: ${text} ${readings ? `on ${readings.count} readings` : `for ${formatDuration(rule.durationMs ?? 0)}`}`;
    }
    case 'rate-of-change':
      return `${rule.metric ?? '?'} ${rule.direction === 'falling' ? 'falls' : 'rises'} by ${fmt(rule.delta as number)} within ${formatDuration(Number(rule.windowMs))}`;
    case 'combination': {
      const terms = (rule.terms ?? []) as Array<{ metric?: string; above?: number; below?: number; code?: string }>;
      const text = terms.map((t) => t.code ?? `${t.metric} ${t.above !== undefined ? `> ${t.above}` : `< ${fmt(t.below)}`}`);
      return `${rule.code ?? ''}: ${text.join(rule.mode === 'any' ? ' or ' : ' and ')}`;
    }
    case 'stale':
      return `no valid ${(rule.metrics ?? []).join(', ')} for ${formatDuration(rule.afterMs ?? 0)}`;
    case 'technical':
      return `communication lost (${String(rule.communicationLost)}), sensor off, device conditions`;
    case 'pump':
      return `pump conditions: ${Object.keys((rule.conditions ?? {}) as object).join(', ')}`;
  }
}
