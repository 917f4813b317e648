/**
 * The bench's alarm profile: the shipped ketamine IV profile (all its rules, so the engine
 * carries a realistic load) with three changes that make every oximeter line of the bench
 * one alarm edge, and nothing else an edge:
 * - `spo2-low` fires at once (delayMs 0): a line with SpO2 85 % starts SPO2_LOW, the next
 *   line with 95 % ends it;
 * - no latching, so the end is an `end` edge (not a latched update waiting for an acknowledge);
 * - no escalation, so no timer-driven update lands between two lines.
 * It is written to a YAML file and named by path in the bench configuration, the way a
 * clinic names its own profile, so the daemon's own profile resolution reads it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadAlarmProfiles } from '../src/alarms/engine/profile-loader.js';
import { alarmProfileSchema, type AlarmProfile } from '../src/alarms/engine/profile-schema.js';

/** Id of the bench profile. */
export const BENCH_PROFILE_ID = 'bench-ketamine-iv';
/** The shipped profile it is made from. */
export const BENCH_BASE_PROFILE_ID = 'ketamine-iv';
/** SpO2 values the oximeter alternates between: below and above the 90 % limit (hysteresis 1). */
export const BENCH_SPO2_LOW = 85;
export const BENCH_SPO2_NORMAL = 95;
/** The alarm code every measured line produces (start or end). */
export const BENCH_ALARM_CODE = 'SPO2_LOW';

/** Builds the bench profile from the shipped ketamine IV profile. */
export function benchProfile(): AlarmProfile {
  const base = loadAlarmProfiles().get(BENCH_BASE_PROFILE_ID);
  if (!base) throw new Error(`shipped alarm profile ${BENCH_BASE_PROFILE_ID} not found`);
  let found = false;
  const rules = base.rules.map((rule) => {
    if (rule.id !== 'spo2-low' || rule.kind !== 'limit') return rule;
    found = true;
    return { ...rule, delayMs: 0 };
  });
  if (!found) throw new Error(`profile ${BENCH_BASE_PROFILE_ID} has no spo2-low limit rule`);
  return alarmProfileSchema.parse({
    ...base,
    id: BENCH_PROFILE_ID,
    label: 'Benchmark: ketamine IV, SpO2 low without delay',
    lifecycle: {
      ...base.lifecycle,
      latching: { high: false, medium: false, low: false },
      escalation: { high: [], medium: [], low: [] },
    },
    rules,
  });
}

/** Writes the bench profile as YAML into `dir`; returns the file's path. */
export function writeBenchProfile(dir: string): string {
  const file = join(dir, `${BENCH_PROFILE_ID}.yaml`);
  writeFileSync(file, `# Written by the benchmark (bench/bench-profile.ts); not a clinical profile.\n${stringify(benchProfile())}`);
  return file;
}
