import type { Observable } from 'rxjs';
import { isVigilError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { userActor, type AuditAction } from '../audit/audit-actions.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { SessionStore } from '../users/session-store.js';
import type { User, UserRole } from '../users/user.js';
import type { AlarmControlApi, BedProfileView, LimitChange } from './alarm-control-api.js';
import type { AlarmEngine } from './engine/alarm-engine.js';
import { OK, refuse, type BedAlarmSnapshot, type CommandResult, type EngineEvent } from './engine/engine-events.js';
import { alarmProfileSchema, type AlarmProfile } from './engine/profile-schema.js';
import type { LimitRule } from './engine/rule-schemas.js';

export interface AlarmControlOptions {
  readonly engine: AlarmEngine;
  /** Checks the station's session tokens (the same sessions as pump control). */
  readonly sessions: SessionStore;
  /** Every command is written here before it takes effect. */
  readonly audit: AuditLog;
  /** The shipped profiles a bed may switch to, by id (loadAlarmProfiles()). */
  readonly profiles: ReadonlyMap<string, AlarmProfile>;
  /**
   * Each bed's configured profile, as the engine started with it (with the bed's own
   * limits). Switching a bed back to that id restores this version.
   */
  readonly bedProfiles: ReadonlyMap<string, AlarmProfile>;
  readonly logger?: Logger;
}

/** A user as the station shows one. */
export interface AlarmControlUser {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
}

/** The commands and who may give them (docs/alarms.md "Who may do what"). Admin is not a clinician. */
export const ALARM_COMMAND_ROLES = {
  acknowledge: ['nurse', 'physician'],
  'audio-pause': ['nurse', 'physician'],
  'alarm-off': ['nurse', 'physician'],
  profile: ['nurse', 'physician'],
  limit: ['nurse', 'physician'],
} as const satisfies Record<string, readonly UserRole[]>;

type AlarmCommand = keyof typeof ALARM_COMMAND_ROLES;
type Authorised = { ok: true; user: User } | { ok: false; result: CommandResult };

const toUser = (u: User): AlarmControlUser => ({ id: u.id, username: u.username, displayName: u.displayName, role: u.role });
const limitValues = (r: LimitRule) => ({ low: r.low, high: r.high, priority: r.priority, delayMs: r.delayMs });

/**
 * The station's alarm commands (src/alarms/alarm-control-api.ts): each authenticates the
 * session, checks the role, writes the audit entry (subject `bed:<id>`, before and after
 * values) and only then tells the engine. A refusal is a result, never a throw; an audit
 * failure refuses the command (AUDIT_FAILED). Also logs users in for the station when the
 * gateway has no pump control (login, logout, whoami over the same sessions).
 */
export class AlarmControl implements AlarmControlApi {
  readonly events$: Observable<EngineEvent>;
  private readonly engine: AlarmEngine;
  private readonly log: Logger;

  constructor(private readonly options: AlarmControlOptions) {
    this.engine = options.engine;
    this.events$ = options.engine.events$;
    this.log = (options.logger ?? silentLogger()).child({ component: 'alarm-control' });
  }

  acknowledge(token: string, bedId: string, alarmId: string): CommandResult {
    const auth = this.authorise(token, 'acknowledge', bedId);
    if (!auth.ok) return auth.result;
    const snap = this.engine.snapshot(bedId);
    if (!snap) return refuse('UNKNOWN_BED', `no bed ${JSON.stringify(bedId)}`);
    const alarm = snap.active.find((r) => r.alarm.id === alarmId)?.alarm;
    if (!alarm) return refuse('UNKNOWN_ALARM', `no active alarm ${JSON.stringify(alarmId)} in bed ${bedId}`);
    if (alarm.acknowledged) return refuse('ALREADY_ACKNOWLEDGED', `alarm ${alarm.id} was acknowledged by ${alarm.acknowledgedBy}`);
    const { code, priority, message, latched, escalationTier, escalationTarget } = alarm;
    const details = { alarmId, code, priority, message, before: { acknowledged: false, latched, escalationTier, escalationTarget }, after: { acknowledged: true } };
    return this.audited(auth.user, 'alarm.acknowledged', bedId, details, () => this.engine.acknowledge(bedId, alarmId, byName(auth.user)));
  }

  pauseAudio(token: string, bedId: string, ms?: number): CommandResult {
    const auth = this.authorise(token, 'audio-pause', bedId);
    if (!auth.ok) return auth.result;
    const snap = this.engine.snapshot(bedId);
    const profile = this.engine.profile(bedId);
    if (!snap || !profile) return refuse('UNKNOWN_BED', `no bed ${JSON.stringify(bedId)}`);
    const { audioPauseMs, audioPauseMaxMs } = profile.lifecycle;
    const durationMs = ms ?? audioPauseMs;
    if (!Number.isInteger(durationMs) || durationMs < 1000 || durationMs > audioPauseMaxMs) {
      return refuse('INVALID_ARGUMENT', `ms: expected whole milliseconds from 1000 to ${audioPauseMaxMs} (this bed's longest audio pause)`, 'ms');
    }
    const silenced = snap.active.filter((r) => !r.alarm.acknowledged).map((r) => r.alarm.id);
    const details = { durationMs, alarmIds: silenced, before: { pausedUntil: snap.audioPausedUntil }, after: { pausedUntil: snap.at + durationMs } };
    return this.audited(auth.user, 'alarm.audio-paused', bedId, details, () => this.engine.pauseAudio(bedId, byName(auth.user), durationMs));
  }

  setAlarmOff(token: string, bedId: string, ruleId: string, off: boolean): CommandResult {
    const auth = this.authorise(token, 'alarm-off', bedId);
    if (!auth.ok) return auth.result;
    const snap = this.engine.snapshot(bedId);
    const rule = this.engine.profile(bedId)?.rules.find((r) => r.id === ruleId);
    if (!snap) return refuse('UNKNOWN_BED', `no bed ${JSON.stringify(bedId)}`);
    if (!rule) return refuse('UNKNOWN_RULE', `no rule ${JSON.stringify(ruleId)} in the profile of bed ${bedId}`);
    if (typeof off !== 'boolean') return refuse('INVALID_ARGUMENT', 'off: expected true or false', 'off');
    if (off && !rule.allowOff) return refuse('ALARM_OFF_NOT_ALLOWED', `rule ${ruleId} cannot be turned off (technical and pump alarms never are)`);
    const wasOff = snap.alarmsOff.some((o) => o.ruleId === ruleId);
    if (wasOff === off) return OK; // nothing changes, nothing to audit
    const ended = off ? snap.active.filter((r) => r.alarm.ruleId === ruleId).map((r) => r.alarm.id) : [];
    const details = { ruleId, kind: rule.kind, endedAlarmIds: ended, before: { off: wasOff }, after: { off } };
    return this.audited(auth.user, off ? 'alarm.off' : 'alarm.on', bedId, details, () => this.engine.setAlarmOff(bedId, ruleId, off, byName(auth.user)));
  }

  setProfile(token: string, bedId: string, profileId: string): CommandResult {
    const auth = this.authorise(token, 'profile', bedId);
    if (!auth.ok) return auth.result;
    const current = this.engine.profile(bedId);
    if (!current) return refuse('UNKNOWN_BED', `no bed ${JSON.stringify(bedId)}`);
    const configured = this.options.bedProfiles.get(bedId);
    const target = configured?.id === profileId ? configured : this.options.profiles.get(profileId);
    if (!target) return refuse('UNKNOWN_PROFILE', `no alarm profile ${JSON.stringify(profileId)} (available: ${this.available(bedId).map((p) => p.id).join(', ')})`, 'profileId');
    const checked = this.engine.checkProfile(bedId, target);
    if (!checked.ok) return checked;
    const details = { before: { profileId: current.id, label: current.label }, after: { profileId: target.id, label: target.label } };
    return this.audited(auth.user, 'alarm.profile-changed', bedId, details, () => this.engine.replaceProfile(bedId, target, byName(auth.user)));
  }

  setLimit(token: string, bedId: string, ruleId: string, change: LimitChange): CommandResult {
    const auth = this.authorise(token, 'limit', bedId);
    if (!auth.ok) return auth.result;
    const current = this.engine.profile(bedId);
    if (!current) return refuse('UNKNOWN_BED', `no bed ${JSON.stringify(bedId)}`);
    const index = current.rules.findIndex((r) => r.id === ruleId);
    const rule = current.rules[index];
    if (!rule) return refuse('UNKNOWN_RULE', `no rule ${JSON.stringify(ruleId)} in the profile of bed ${bedId}`);
    if (rule.kind !== 'limit') return refuse('NOT_A_LIMIT_RULE', `rule ${ruleId} is a ${rule.kind} rule: only limit rules have limits to change`);
    const patch = Object.fromEntries(Object.entries(change ?? {}).filter(([k, v]) => v !== undefined && ['low', 'high', 'priority', 'delayMs'].includes(k)));
    if (Object.keys(patch).length === 0) return refuse('INVALID_ARGUMENT', 'give at least one of low, high, priority and delayMs', 'body');
    const modified = { ...current, rules: current.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) };
    const parsed = alarmProfileSchema.safeParse(modified);
    if (!parsed.success) {
      const prefix = `rules.${index}.`;
      const issues = parsed.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message }));
      const where = (p: string) => (p.startsWith(prefix) ? p.slice(prefix.length) : p === `rules.${index}` ? 'limit' : p);
      const text = issues.map((x) => `${where(x.path)}: ${x.message}`).join('; ');
      return refuse('INVALID_PROFILE', `limit ${ruleId} refused: ${text}`, where(issues[0]?.path ?? ''));
    }
    const checked = this.engine.checkProfile(bedId, parsed.data);
    if (!checked.ok) return checked;
    const after = parsed.data.rules[index] as LimitRule;
    const details = { profileId: current.id, ruleId, metric: rule.metric, before: limitValues(rule), after: limitValues(after) };
    return this.audited(auth.user, 'alarm.limit-changed', bedId, details, () => this.engine.replaceProfile(bedId, parsed.data, byName(auth.user)));
  }

  snapshot(bedId: string): BedAlarmSnapshot | undefined {
    return this.engine.snapshot(bedId);
  }

  profile(bedId: string): BedProfileView | undefined {
    const current = this.engine.profile(bedId);
    if (!current) return undefined;
    const configured = this.options.bedProfiles.get(bedId);
    // The profile as loaded: the bed's configured one, or the shipped profile it was switched to.
    const base = configured?.id === current.id ? configured : this.options.profiles.get(current.id);
    const baseRules = new Map((base?.rules ?? []).map((r) => [r.id, JSON.stringify(r)]));
    const changedRules = current.rules.filter((r) => baseRules.get(r.id) !== JSON.stringify(r)).map((r) => r.id);
    return { current, available: this.available(bedId), configuredId: configured?.id ?? current.id, changedRules };
  }

  /** Logs in over the shared sessions (for a station without pump control). @throws VigilError AUTH_FAILED */
  async login(username: string, password: string, remoteAddress?: string): Promise<{ token: string; user: AlarmControlUser; expiresAt: number }> {
    const session = await this.options.sessions.login(username, password, remoteAddress ? { remoteAddress } : {});
    return { token: session.token, user: toUser(session.user), expiresAt: session.expiresAt };
  }

  logout(token: string): void {
    this.options.sessions.logout(token);
  }

  /** @throws VigilError SESSION_INVALID / SESSION_EXPIRED */
  whoami(token: string): AlarmControlUser {
    return toUser(this.options.sessions.authenticate(token));
  }

  /** The shipped profiles, and the bed's configured one when it is not among them. */
  private available(bedId: string): { id: string; label: string }[] {
    const list = [...this.options.profiles.values()].map((p) => ({ id: p.id, label: p.label }));
    const configured = this.options.bedProfiles.get(bedId);
    if (configured && !this.options.profiles.has(configured.id)) list.push({ id: configured.id, label: configured.label });
    return list;
  }

  private authorise(token: string, command: AlarmCommand, bedId: string): Authorised {
    let user: User;
    try {
      user = this.options.sessions.authenticate(token);
    } catch (err) {
      const code = isVigilError(err) && err.code === 'SESSION_EXPIRED' ? 'SESSION_EXPIRED' : 'SESSION_INVALID';
      const message = isVigilError(err) ? err.message : 'not logged in';
      return { ok: false, result: refuse(code, `${message}: log in to ${command.replace('-', ' ')} an alarm`) };
    }
    const allowed: readonly UserRole[] = ALARM_COMMAND_ROLES[command];
    if (allowed.includes(user.role)) return { ok: true, user };
    const message = `${user.displayName} is ${user.role === 'admin' ? 'an' : 'a'} ${user.role}: only a nurse or a physician may do this (${command})`;
    try {
      this.options.audit.append({ actor: userActor(user.id), action: 'alarm.command-refused', subject: `bed:${String(bedId).slice(0, 64)}`, details: { command, reason: 'FORBIDDEN', role: user.role } });
    } catch (err) {
      this.log.error({ err, command }, 'refusal could not be audited');
    }
    return { ok: false, result: refuse('FORBIDDEN', message) };
  }

  /** Writes the audit entry, then applies the command; an audit failure refuses it. */
  private audited(user: User, action: AuditAction, bedId: string, details: Record<string, unknown>, apply: () => CommandResult): CommandResult {
    try {
      this.options.audit.append({ actor: userActor(user.id), action, subject: `bed:${bedId}`, details });
    } catch (err) {
      this.log.error({ err, action, bedId }, 'audit entry not written: alarm command refused');
      return refuse('AUDIT_FAILED', `not done: the audit log could not record it (${isVigilError(err) ? err.code : 'error'}); the alarm state is unchanged`);
    }
    const result = apply();
    if (!result.ok) {
      // Checked beforehand, so this is a bug or a race: the log says the command was not applied after all.
      this.log.error({ action, bedId, code: result.code }, 'alarm command audited but refused by the engine');
      try {
        this.options.audit.append({ actor: userActor(user.id), action: 'alarm.command-refused', subject: `bed:${bedId}`, details: { command: action, reason: result.code, message: result.message } });
      } catch (err) {
        this.log.error({ err }, 'engine refusal could not be audited');
      }
    }
    return result;
  }
}

/** How the engine records who did it: the display name (at most 64 characters). */
function byName(user: User): string {
  return user.displayName.slice(0, 64);
}
