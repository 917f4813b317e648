import type { Observable } from 'rxjs';
import type { AlarmProfile } from './engine/profile-schema.js';
import type { BedAlarmSnapshot, CommandResult, EngineEvent } from './engine/engine-events.js';

/** A limit rule's settable values, as a user changes them at runtime. */
export interface LimitChange {
  readonly low?: number | null;
  readonly high?: number | null;
  readonly priority?: 'high' | 'medium' | 'low';
  readonly delayMs?: number;
}

/**
 * What the nurse station may ask of the alarm engine. Each command checks the caller's
 * session (any logged-in clinician may acknowledge or pause audio; changing a profile,
 * a limit or turning a rule off needs a nurse or physician — see docs/alarms.md) and is
 * written to the audit log before it takes effect. Refusals are results, never throws.
 */
export interface AlarmControlApi {
  acknowledge(token: string, bedId: string, alarmId: string): CommandResult;
  pauseAudio(token: string, bedId: string, ms?: number): CommandResult;
  setAlarmOff(token: string, bedId: string, ruleId: string, off: boolean): CommandResult;
  /** Switches a bed to another shipped profile (by id). */
  setProfile(token: string, bedId: string, profileId: string): CommandResult;
  /** Changes one limit rule of the bed's current profile (validated like a profile file). */
  setLimit(token: string, bedId: string, ruleId: string, change: LimitChange): CommandResult;
  /** The bed's alarms (active, latched, recent) with their histories, audio pause and alarms off. */
  snapshot(bedId: string): BedAlarmSnapshot | undefined;
  /** The bed's current profile (with runtime changes) and the profiles it may switch to. */
  profile(bedId: string): BedProfileView | undefined;
  /** Every engine event: alarm edges, acknowledgements, audio pauses, escalations, alarm off and reminders. */
  readonly events$: Observable<EngineEvent>;
}

/** A bed's running profile, what it may switch to, and what was changed at runtime. */
export interface BedProfileView {
  readonly current: AlarmProfile;
  readonly available: readonly { id: string; label: string }[];
  /** The profile the bed's configuration gives it (the one a restart brings back). */
  readonly configuredId: string;
  /** Rules of `current` that differ from (or are absent in) the profile of the same id as loaded, i.e. changed at the station. */
  readonly changedRules: readonly string[];
}
