import type { BedAlarmCommands } from './bed-alarm-commands.js';
import type { BedAlarmLifecycle, LifecycleRule } from './alarm-lifecycle.js';
import type { BedRules, RuleDiff } from './bed-rules.js';
import type { ConditionSignal } from './condition-signal.js';
import type { AlarmProfile } from './profile-schema.js';

/** What a profile change works on: one bed's running rules, lifecycle and commands. */
export interface ProfileChangeTarget {
  readonly rules: BedRules;
  readonly lifecycle: BedAlarmLifecycle;
  readonly commands: BedAlarmCommands;
}

const lifecycleRulesOf = new WeakMap<AlarmProfile, ReadonlyMap<string, LifecycleRule>>();

/** The lifecycle's view of a profile's rules (one per profile object: beds sharing a profile share it). */
export function lifecycleRules(profile: AlarmProfile): ReadonlyMap<string, LifecycleRule> {
  let rules = lifecycleRulesOf.get(profile);
  if (!rules) {
    rules = new Map(profile.rules.map((r) => [r.id, { latching: r.latching, allowOff: r.allowOff }]));
    lifecycleRulesOf.set(profile, rules);
  }
  return rules;
}

/**
 * Replaces a bed's running profile by a validated one (docs/alarms.md "Runtime changes"):
 * - unchanged rules keep running: their operators, pending delays and alarms are untouched;
 * - changed rules get new operators that first see the latest state (last values, device
 *   status and conditions); a limit or stale condition that held goes on holding (the
 *   same alarm, taking the new limit and priority) unless the new limit clears it;
 * - a condition of a removed rule, or of a changed rule that its new definition does not
 *   confirm at once (sustained, rate of change, combination with a delay), ends as if its
 *   condition had ended (`profile-changed`): a latching alarm latches until acknowledged;
 * - a removed rule that was off is forgotten; the lifecycle settings (latching, escalation
 *   tiers, audio pause) apply from now, and escalations are planned again.
 */
export function replaceBedProfile(bed: ProfileChangeTarget, profile: AlarmProfile, by: string): RuleDiff {
  const { rules, lifecycle, commands } = bed;
  const diff = rules.diff(profile.rules);
  const replaced = new Set([...diff.changed, ...diff.removed]);
  const seeds = new Map<string, ConditionSignal[]>();
  const carried: string[] = [];
  for (const [key, s] of lifecycle.raw) {
    if (s.alarmId !== undefined || !replaced.has(s.ruleId)) continue;
    carried.push(key);
    if (diff.changed.includes(s.ruleId)) seeds.set(s.ruleId, [...(seeds.get(s.ruleId) ?? []), s]);
  }
  for (const key of carried) lifecycle.raw.delete(key);
  for (const id of diff.removed) lifecycle.dropOff(id, by);

  lifecycle.reconfigure(profile.id, profile.lifecycle, lifecycleRules(profile));
  rules.unwire(replaced);
  const fresh = new Set([...diff.changed, ...diff.added]);
  rules.wire(
    profile.rules.filter((r) => fresh.has(r.id)),
    true,
    () => lifecycle.raw.values(),
    seeds,
  );
  for (const key of carried) if (!lifecycle.raw.has(key)) lifecycle.conditionGone(key);

  for (const rule of profile.rules) {
    if (!rule.allowOff && lifecycle.off.has(rule.id)) commands.setAlarmOff(rule.id, false, by);
  }
  lifecycle.replanEscalations();
  return diff;
}
