import type { SchedulerLike, Subscription } from 'rxjs';
import { PRIORITY_ORDER } from '../alarm.js';
import type { ConditionSignal } from './condition-signal.js';
import type { AlarmChangeCause, AlarmHistoryEntry, AlarmRecord, BedAlarmSnapshot, EngineAlarmCondition, EngineEvent } from './engine-events.js';
import type { LifecycleSettings } from './profile-schema.js';

/** What the lifecycle needs to know of each rule of the bed's profile. */
export interface LifecycleRule {
  /** Overrides the profile's per-priority latching; undefined: the profile default. */
  readonly latching: boolean | undefined;
  readonly allowOff: boolean;
}

export interface BedLifecycleOptions {
  readonly bedId: string;
  readonly profileId: string;
  readonly settings: LifecycleSettings;
  readonly rules: ReadonlyMap<string, LifecycleRule>;
  readonly scheduler: SchedulerLike;
  readonly emit: (event: EngineEvent) => void;
  /** Ended alarms kept for the snapshot (default 50). */
  readonly recentLimit?: number;
}

/** An alarm the bed signals now (active or latched). */
export interface TrackedAlarm {
  readonly key: string;
  readonly external: boolean;
  alarm: EngineAlarmCondition;
  readonly history: AlarmHistoryEntry[];
  escalation: Subscription | null;
}

const HISTORY_LIMIT = 100;

/** The key of one condition: one alarm at a time per key. */
export function conditionKey(s: ConditionSignal): string {
  return s.alarmId ?? `${s.ruleId}\u0000${s.deviceId ?? ''}\u0000${s.code}`;
}

/**
 * The alarm lifecycle of one bed (IEC 60601-1-8, docs/alarms.md "Lifecycle"): turns
 * condition signals into alarms with ids, start/update/end edges and a history, and
 * applies latching and escalation. The commands (acknowledge, audio pause, alarm off)
 * live in BedAlarmCommands, which works on this state.
 */
export class BedAlarmLifecycle {
  readonly byKey = new Map<string, TrackedAlarm>();
  readonly byId = new Map<string, TrackedAlarm>();
  /** Raw conditions that hold now (before alarm off), by key. */
  readonly raw = new Map<string, ConditionSignal>();
  /** Rules turned off, with who and since when. */
  readonly off = new Map<string, { since: number; by: string; reminder: Subscription | null }>();
  audioPausedUntil: number | null = null;
  private readonly recent: AlarmRecord[] = [];

  /** Replaced (never mutated) by `reconfigure` when the bed's profile changes. */
  options: BedLifecycleOptions;

  constructor(options: BedLifecycleOptions) {
    this.options = options;
  }

  /** Takes a new profile's id, settings and rules (docs/alarms.md "Runtime changes"). */
  reconfigure(profileId: string, settings: LifecycleSettings, rules: ReadonlyMap<string, LifecycleRule>): void {
    this.options = { ...this.options, profileId, settings, rules };
  }

  /**
   * A condition whose rule was removed or changed and that its new definition did not
   * confirm: it ends as if its condition had ended (a latching alarm latches), with
   * `profile-changed` as the cause.
   */
  conditionGone(key: string): void {
    this.raw.delete(key);
    const t = this.byKey.get(key);
    if (!t || !t.alarm.conditionActive) return;
    if (this.latches(t) && !t.alarm.acknowledged) {
      this.change(t, { conditionActive: false, latched: true }, 'profile-changed', { what: 'latched', detail: 'profile-changed' });
    } else {
      this.end(t, 'profile-changed');
    }
  }

  /** Plans every unacknowledged alarm's escalation again (after the tiers changed). */
  replanEscalations(): void {
    for (const t of this.byKey.values()) this.replanEscalation(t);
  }

  /** Forgets that a rule is off (the rule is gone), announcing it as turned on. */
  dropOff(ruleId: string, by: string): void {
    const entry = this.off.get(ruleId);
    if (!entry) return;
    entry.reminder?.unsubscribe();
    this.off.delete(ruleId);
    this.options.emit({ type: 'alarm-off', bedId: this.options.bedId, ruleId, off: false, by, at: this.now });
  }

  get now(): number {
    return this.options.scheduler.now();
  }

  /** Applies one condition edge or change. */
  signal(s: ConditionSignal): void {
    const key = conditionKey(s);
    if (s.active) this.raw.set(key, s);
    else this.raw.delete(key);
    if (this.off.has(s.ruleId)) return;
    const t = this.byKey.get(key);
    if (s.active) {
      if (!t) this.start(key, s, 'condition');
      else this.refresh(t, s);
      return;
    }
    if (!t || !t.alarm.conditionActive) return;
    const value = s.value ?? t.alarm.value ?? null;
    if (this.latches(t) && !t.alarm.acknowledged) {
      this.change(t, { conditionActive: false, latched: true, value }, 'latched', { what: 'latched' });
    } else {
      this.end(t, 'condition', value);
    }
  }

  /** Starts an alarm for a condition. */
  start(key: string, s: ConditionSignal, cause: AlarmChangeCause): void {
    const now = this.now;
    const { bedId } = this.options;
    let id = s.alarmId ?? `${bedId}/${s.deviceId ?? 'bed'}/${s.code}/${Math.round(now)}`;
    for (let n = 2; this.byId.has(id); n++) id = `${s.alarmId ?? `${bedId}/${s.deviceId ?? 'bed'}/${s.code}/${Math.round(now)}`}.${n}`;
    const alarm: EngineAlarmCondition = {
      id, bedId, deviceId: s.deviceId, code: s.code, kind: s.kind, priority: s.priority, message: s.message,
      startedAt: now, updatedAt: now, endedAt: null, value: s.value, limit: s.limit, ruleId: s.ruleId,
      conditionActive: true, latched: false, acknowledged: false, acknowledgedBy: null, acknowledgedAt: null,
      audioPaused: false, audible: true, escalationTier: 0, escalationTarget: 'bedside',
    };
    const t: TrackedAlarm = { key, external: s.alarmId !== undefined, alarm, history: [{ at: now, what: 'start', detail: s.message }], escalation: null };
    this.byKey.set(key, t);
    this.byId.set(id, t);
    this.options.emit({ type: 'alarm', phase: 'start', alarm, cause });
    this.planEscalation(t);
  }

  /** Ends an alarm (condition gone, latched alarm acknowledged, or rule turned off). */
  end(t: TrackedAlarm, cause: AlarmChangeCause, value: number | null = t.alarm.value ?? null, by?: string): void {
    t.escalation?.unsubscribe();
    t.escalation = null;
    const now = this.now;
    this.byKey.delete(t.key);
    this.byId.delete(t.alarm.id);
    t.alarm = { ...t.alarm, value, updatedAt: now, endedAt: now, conditionActive: false, latched: false, audioPaused: false, audible: false };
    this.record(t, { at: now, what: 'end', ...(by ? { by } : {}), detail: cause });
    this.options.emit({ type: 'alarm', phase: 'end', alarm: t.alarm, cause });
    this.recent.unshift({ alarm: t.alarm, history: t.history });
    if (this.recent.length > (this.options.recentLimit ?? 50)) this.recent.pop();
  }

  /** Applies a change to an alarm, records it and emits an update. */
  change(t: TrackedAlarm, patch: Partial<EngineAlarmCondition>, cause: AlarmChangeCause, entry?: Omit<AlarmHistoryEntry, 'at'>): void {
    const now = this.now;
    const next = { ...t.alarm, ...patch, updatedAt: now };
    t.alarm = { ...next, audible: !next.acknowledged && !next.audioPaused };
    if (entry) this.record(t, { at: now, ...entry });
    this.options.emit({ type: 'alarm', phase: 'update', alarm: t.alarm, cause });
  }

  /** Cancels every timer. */
  dispose(): void {
    for (const t of this.byKey.values()) t.escalation?.unsubscribe();
    for (const o of this.off.values()) o.reminder?.unsubscribe();
  }

  snapshot(): BedAlarmSnapshot {
    const copy = (t: { alarm: EngineAlarmCondition; history: readonly AlarmHistoryEntry[] }): AlarmRecord => ({ alarm: t.alarm, history: [...t.history] });
    const active = [...this.byKey.values()]
      .sort((a, b) => PRIORITY_ORDER[b.alarm.priority] - PRIORITY_ORDER[a.alarm.priority] || b.alarm.startedAt - a.alarm.startedAt)
      .map(copy);
    return {
      bedId: this.options.bedId,
      profileId: this.options.profileId,
      at: this.now,
      audioPausedUntil: this.audioPausedUntil,
      alarmsOff: [...this.off].map(([ruleId, o]) => ({ ruleId, since: o.since, by: o.by })),
      active,
      recent: this.recent.map(copy),
    };
  }

  record(t: TrackedAlarm, entry: AlarmHistoryEntry): void {
    // Bounded: the start stays, the oldest later entries go.
    if (t.history.length >= HISTORY_LIMIT) t.history.splice(1, 1);
    t.history.push(entry);
  }

  private refresh(t: TrackedAlarm, s: ConditionSignal): void {
    const a = t.alarm;
    if (!a.conditionActive) {
      this.change(t, { conditionActive: true, latched: false, value: s.value, limit: s.limit, message: s.message, priority: s.priority }, 'reactivated', {
        what: 'reactivated',
      });
    } else if (a.value !== s.value || a.message !== s.message || a.priority !== s.priority || a.limit !== s.limit) {
      this.change(t, { value: s.value, limit: s.limit, message: s.message, priority: s.priority }, 'value');
    }
    if (t.alarm.priority !== a.priority) this.replanEscalation(t);
  }

  /** Plans an alarm's escalation again, on its priority's tiers (its priority changed). */
  private replanEscalation(t: TrackedAlarm): void {
    t.escalation?.unsubscribe();
    t.escalation = null;
    this.planEscalation(t);
  }

  private latches(t: TrackedAlarm): boolean {
    if (t.external) return false; // its source decides when it ends (e.g. RATE_CHANGE_NOT_VERIFIED)
    return this.options.rules.get(t.alarm.ruleId)?.latching ?? this.options.settings.latching[t.alarm.priority];
  }

  /** Schedules the next escalation tier of an unacknowledged alarm, counted from its start. */
  private planEscalation(t: TrackedAlarm): void {
    const tiers = this.options.settings.escalation[t.alarm.priority];
    const next = tiers[t.alarm.escalationTier];
    if (!next || t.alarm.acknowledged) return;
    const dueInMs = Math.max(0, t.alarm.startedAt + next.afterMs - this.now);
    t.escalation = this.options.scheduler.schedule(() => {
      t.escalation = null;
      if (t.alarm.acknowledged || t.alarm.endedAt !== null) return;
      const tier = t.alarm.escalationTier + 1;
      this.change(t, { escalationTier: tier, escalationTarget: next.tier }, 'escalated', { what: 'escalated', detail: next.tier });
      const { id, bedId, code, priority } = t.alarm;
      this.options.emit({ type: 'escalation', id: `${id}/escalation/${tier}`, bedId, alarmId: id, code, priority, tier, target: next.tier, at: this.now });
      this.planEscalation(t);
    }, dueInMs);
  }
}
