import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../core/logger.js';
import { VigilError } from '../core/errors.js';
import { formatConfigProblems, type ConfigProblem } from '../config/load-config.js';
import type { BedConfig, VigilConfig } from '../config/schema.js';
import type { MetricId } from '../model/metrics.js';
import type { AlarmEngineInputs } from '../alarms/engine/alarm-engine.js';
import { createAlarmEngine, type AlarmEngine } from '../alarms/engine/alarm-engine.js';
import { alarmProfileSchema, type AlarmProfile } from '../alarms/engine/profile-schema.js';
import { loadAlarmProfile, loadAlarmProfiles } from '../alarms/engine/profile-loader.js';

const PROFILE_BY_SESSION: Record<BedConfig['session'], string> = {
  'iv-ketamine': 'ketamine-iv',
  'im-ketamine': 'ketamine-im',
  other: 'adult-default',
};

/** The profile id or path a bed names, or its session's default. */
export function profileNameOf(bed: BedConfig): string {
  return bed.alarms.profile ?? PROFILE_BY_SESSION[bed.session];
}

/**
 * Each bed's effective alarm profile: the named (or session default) profile, with the
 * bed's own `alarms.limits` replacing that profile's limit rules of the same metric.
 * Beds with the same profile and the same limits share one profile object (a profile
 * file is read once), so 500 beds hold one copy of it, not 500.
 * Throws CONFIG_INVALID naming the bed when a profile is unknown, unreadable or, after
 * the bed's limits, invalid (e.g. a combination rule naming a code that is gone).
 */
export function resolveBedProfiles(config: VigilConfig, configFile: string): Map<string, AlarmProfile> {
  const shipped = loadAlarmProfiles();
  const problems: ConfigProblem[] = [];
  const result = new Map<string, AlarmProfile>();
  const files = new Map<string, AlarmProfile>();
  const resolved = new Map<AlarmProfile, Map<string, AlarmProfile>>();
  config.beds.forEach((bed, i) => {
    const name = profileNameOf(bed);
    let profile = shipped.get(name);
    if (!profile) {
      const file = isAbsolute(name) ? name : resolve(dirname(configFile), name);
      if (!existsSync(file)) {
        problems.push({ path: `beds[${i}].alarms.profile`, message: `no alarm profile "${name}" (shipped: ${[...shipped.keys()].join(', ')}; or a path to a profile file)` });
        return;
      }
      profile = files.get(file) ?? loadAlarmProfile(file); // its own problems name the profile file
      files.set(file, profile);
    }
    const byLimits = resolved.get(profile) ?? new Map<string, AlarmProfile>();
    resolved.set(profile, byLimits);
    const limitsKey = JSON.stringify(bed.alarms.limits);
    const same = byLimits.get(limitsKey);
    if (same) {
      result.set(bed.id, same);
      return;
    }
    const withLimits = applyBedLimits(profile, bed);
    const checked = alarmProfileSchema.safeParse(withLimits);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        problems.push({ path: `beds[${i}].alarms (profile ${profile.id} with this bed's limits): ${issue.path.join('.')}`, message: issue.message });
      }
      return;
    }
    byLimits.set(limitsKey, checked.data);
    result.set(bed.id, checked.data);
  });
  if (problems.length > 0) throw new VigilError('CONFIG_INVALID', formatConfigProblems(configFile, problems), { file: configFile, problems });
  return result;
}

function applyBedLimits(profile: AlarmProfile, bed: BedConfig): unknown {
  const limits = Object.entries(bed.alarms.limits).filter(([, rule]) => rule !== undefined) as [MetricId, NonNullable<BedConfig['alarms']['limits'][MetricId]>][];
  if (limits.length === 0) return profile;
  const replaced = new Set(limits.map(([metric]) => metric));
  const rules = profile.rules.filter((r) => !(r.kind === 'limit' && replaced.has(r.metric)));
  for (const [metric, rule] of limits) {
    rules.push({ id: `${metric}-bed-limit`, kind: 'limit', metric, low: rule.low, high: rule.high, priority: rule.priority, delayMs: rule.delayMs, hysteresis: 0, allowOff: true } as (typeof rules)[number]);
  }
  return { ...profile, rules };
}

/** Starts the alarm engine over the gateway streams and the control module's alarms. */
export function startAlarmEngine(
  config: VigilConfig,
  profiles: ReadonlyMap<string, AlarmProfile>,
  inputs: AlarmEngineInputs,
  scheduler: SchedulerLike,
  logger: Logger,
): AlarmEngine {
  return createAlarmEngine({
    beds: config.beds.map((bed) => ({
      bedId: bed.id,
      profile: profiles.get(bed.id)!,
      devices: bed.devices.map((d) => ({ deviceId: d.id, label: d.label ?? d.id, pump: bed.infusion?.pump === d.id || d.driver === 'ne1000' })),
    })),
    inputs,
    scheduler,
    logger: logger.child({ component: 'alarms' }),
  });
}
