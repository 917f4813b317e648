import type { Subscription } from 'rxjs';
import { conditionKey, type BedAlarmLifecycle } from './alarm-lifecycle.js';
import { OK, refuse, type CommandResult } from './engine-events.js';

/** Who did it: a user name, 1-64 characters. Anything else is refused, never thrown. */
function badActor(by: unknown): CommandResult | null {
  return typeof by === 'string' && by.trim().length > 0 && by.length <= 64 ? null : refuse('INVALID_ARGUMENT', 'by: expected the user name (1-64 characters)');
}

/**
 * The commands a nurse gives for one bed (IEC 60601-1-8 alarm signal inactivation states):
 * acknowledge, audio pause, alarm off. Each returns a result; bad input is a refusal.
 */
export class BedAlarmCommands {
  private pauseTimer: Subscription | null = null;

  constructor(private readonly lc: BedAlarmLifecycle) {}

  /**
   * ACKNOWLEDGED: silences this alarm only, and stops its escalation; a latched alarm
   * (condition already gone) ends. A condition that starts later sounds again.
   */
  acknowledge(alarmId: unknown, by: unknown): CommandResult {
    const bad = badActor(by);
    if (bad) return bad;
    const t = typeof alarmId === 'string' ? this.lc.byId.get(alarmId) : undefined;
    if (!t) return refuse('UNKNOWN_ALARM', `no active alarm ${JSON.stringify(alarmId)} in bed ${this.lc.options.bedId}`);
    if (t.alarm.acknowledged) return refuse('ALREADY_ACKNOWLEDGED', `alarm ${t.alarm.id} was acknowledged by ${t.alarm.acknowledgedBy}`);
    const who = by as string;
    const at = this.lc.now;
    t.escalation?.unsubscribe();
    t.escalation = null;
    const { bedId } = this.lc.options;
    if (!t.alarm.conditionActive) {
      t.alarm = { ...t.alarm, acknowledged: true, acknowledgedBy: who, acknowledgedAt: at };
      this.lc.record(t, { at, what: 'acknowledged', by: who });
      this.lc.options.emit({ type: 'acknowledgement', bedId, alarmId: t.alarm.id, code: t.alarm.code, by: who, at, ended: true });
      this.lc.end(t, 'acknowledged', t.alarm.value ?? null, who);
      return OK;
    }
    this.lc.change(t, { acknowledged: true, acknowledgedBy: who, acknowledgedAt: at, audioPaused: false }, 'acknowledged', { what: 'acknowledged', by: who });
    this.lc.options.emit({ type: 'acknowledgement', bedId, alarmId: t.alarm.id, code: t.alarm.code, by: who, at, ended: false });
    return OK;
  }

  /**
   * AUDIO PAUSED for `ms` (default the profile's audioPauseMs): silences the bed's alarms
   * sounding now, for a limited time; the visual signal stays. A condition that starts
   * during the pause sounds (silencing one condition must not affect others). A new
   * pause replaces the running one.
   */
  pauseAudio(by: unknown, ms?: unknown): CommandResult {
    const bad = badActor(by);
    if (bad) return bad;
    const { settings, scheduler, bedId } = this.lc.options;
    const durationMs = ms === undefined ? settings.audioPauseMs : ms;
    if (typeof durationMs !== 'number' || !Number.isInteger(durationMs) || durationMs < 1000 || durationMs > settings.audioPauseMaxMs) {
      return refuse('INVALID_ARGUMENT', `ms: expected whole milliseconds from 1000 to ${settings.audioPauseMaxMs}`);
    }
    this.pauseTimer?.unsubscribe();
    const at = this.lc.now;
    this.lc.audioPausedUntil = at + durationMs;
    const ids: string[] = [];
    for (const t of this.lc.byKey.values()) {
      if (t.alarm.acknowledged) continue;
      ids.push(t.alarm.id);
      if (!t.alarm.audioPaused) this.lc.change(t, { audioPaused: true }, 'audio-paused', { what: 'audio-paused', by: by as string });
    }
    this.lc.options.emit({ type: 'audio-pause', bedId, state: 'paused', by: by as string, at, until: at + durationMs, alarmIds: ids });
    this.pauseTimer = scheduler.schedule(() => this.resumeAudio(), durationMs);
    return OK;
  }

  /**
   * ALARM OFF for one rule, with a reminder every alarmOffReminderMs while off. Its alarms
   * end now; while off its conditions raise none; turned on again, a condition that still
   * holds starts an alarm. Rules with allowOff false (technical, pump) are refused.
   */
  setAlarmOff(ruleId: unknown, off: unknown, by: unknown): CommandResult {
    const bad = badActor(by);
    if (bad) return bad;
    if (typeof off !== 'boolean') return refuse('INVALID_ARGUMENT', 'off: expected true or false');
    const { rules, settings, scheduler, bedId, emit } = this.lc.options;
    const rule = typeof ruleId === 'string' ? rules.get(ruleId) : undefined;
    if (!rule) return refuse('UNKNOWN_RULE', `no rule ${JSON.stringify(ruleId)} in the profile of bed ${bedId}`);
    const id = ruleId as string;
    const who = by as string;
    const at = this.lc.now;
    if (off) {
      if (!rule.allowOff) return refuse('ALARM_OFF_NOT_ALLOWED', `rule ${id} cannot be turned off`);
      if (this.lc.off.has(id)) return OK;
      const entry = { since: at, by: who, reminder: null as Subscription | null };
      this.lc.off.set(id, entry);
      emit({ type: 'alarm-off', bedId, ruleId: id, off: true, by: who, at });
      for (const t of [...this.lc.byKey.values()]) {
        if (t.alarm.ruleId !== id) continue;
        this.lc.record(t, { at, what: 'alarm-off', by: who });
        this.lc.end(t, 'alarm-off', t.alarm.value ?? null, who);
      }
      const remind = () => {
        entry.reminder = scheduler.schedule(() => {
          emit({ type: 'alarm-off-reminder', bedId, ruleId: id, offSince: entry.since, by: entry.by, at: this.lc.now });
          remind();
        }, settings.alarmOffReminderMs);
      };
      remind();
      return OK;
    }
    const entry = this.lc.off.get(id);
    if (!entry) return OK;
    entry.reminder?.unsubscribe();
    this.lc.off.delete(id);
    emit({ type: 'alarm-off', bedId, ruleId: id, off: false, by: who, at });
    for (const s of [...this.lc.raw.values()]) {
      if (s.ruleId === id && !this.lc.byKey.has(conditionKey(s))) this.lc.start(conditionKey(s), s, 'alarm-on');
    }
    return OK;
  }

  /** Cancels the audio pause timer. */
  dispose(): void {
    this.pauseTimer?.unsubscribe();
  }

  private resumeAudio(): void {
    this.pauseTimer = null;
    this.lc.audioPausedUntil = null;
    const ids: string[] = [];
    for (const t of this.lc.byKey.values()) {
      if (!t.alarm.audioPaused) continue;
      ids.push(t.alarm.id);
      this.lc.change(t, { audioPaused: false }, 'audio-resumed', { what: 'audio-resumed' });
    }
    this.lc.options.emit({ type: 'audio-pause', bedId: this.lc.options.bedId, state: 'resumed', by: null, at: this.lc.now, until: null, alarmIds: ids });
  }
}
