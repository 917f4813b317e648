import { z } from 'zod';
import { metricCodeStem } from './metric-naming.js';
import { ruleSchema, type AlarmRule } from './rule-schemas.js';

/**
 * The schema of an alarm profile (config/alarm-profiles/*.yaml): the lifecycle settings
 * and the rules a bed runs. Cross-rule checks (unique ids and codes, combination terms that
 * name real codes, one technical rule) run here so every problem comes out at once.
 */

const escalationTier = z.strictObject({
  /** Who is called at this tier, e.g. `charge-nurse`, `physician`. */
  tier: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-"'),
  /** Time since the alarm started, unacknowledged, after which this tier is called. */
  afterMs: z.number().int().min(1000).max(3_600_000),
});

const tierList = z
  .array(escalationTier)
  .max(5)
  .default([])
  .superRefine((tiers, ctx) => {
    tiers.forEach((t, i) => {
      const previous = tiers[i - 1];
      if (previous && t.afterMs <= previous.afterMs) {
        ctx.addIssue({ code: 'custom', path: [i, 'afterMs'], message: `must be later than the previous tier (${previous.afterMs})` });
      }
    });
  });

export const lifecycleSchema = z
  .strictObject({
    /** AUDIO PAUSED duration when the nurse gives none (IEC 60601-1-8: time-limited). */
    audioPauseMs: z.number().int().min(10_000).max(900_000).default(120_000),
    /** The longest audio pause a nurse may ask for. */
    audioPauseMaxMs: z.number().int().min(10_000).max(900_000).default(300_000),
    /** While a rule is off, a reminder event comes this often. */
    alarmOffReminderMs: z.number().int().min(10_000).max(3_600_000).default(300_000),
    /** Whether an alarm stays after its condition ends, until acknowledged (per priority; a rule may override). */
    latching: z
      .strictObject({ high: z.boolean().default(true), medium: z.boolean().default(false), low: z.boolean().default(false) })
      .prefault({}),
    /** Escalation tiers of an unacknowledged alarm, per priority (tier 0 is the bedside). */
    escalation: z.strictObject({ high: tierList, medium: tierList, low: tierList }).prefault({}),
  })
  .prefault({})
  .refine((l) => l.audioPauseMs <= l.audioPauseMaxMs, { path: ['audioPauseMs'], message: 'must not exceed audioPauseMaxMs' });

export type LifecycleSettings = z.output<typeof lifecycleSchema>;
export type EscalationTier = z.output<typeof escalationTier>;

/** The codes a rule can raise that other rules may name (device-dependent codes excluded). */
export function ruleCodes(rule: AlarmRule): string[] {
  switch (rule.kind) {
    case 'limit': {
      const stem = rule.codeStem ?? metricCodeStem(rule.metric);
      return [...(rule.low !== null ? [`${stem}_LOW`] : []), ...(rule.high !== null ? [`${stem}_HIGH`] : [])];
    }
    case 'rate-of-change':
      return [rule.code ?? `${metricCodeStem(rule.metric)}_${rule.direction === 'falling' ? 'FALLING' : 'RISING'}`];
    case 'stale':
      return rule.metrics.map((m) => `${metricCodeStem(m)}_STALE`);
    case 'sustained':
    case 'combination':
      return [rule.code];
    case 'technical':
    case 'pump':
      return [];
  }
}

export const alarmProfileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, '1-48 characters: lower-case letters, digits and "-"'),
    label: z.string().min(1).max(80),
    description: z.string().max(2000).optional(),
    lifecycle: lifecycleSchema,
    rules: z.array(ruleSchema).min(1),
  })
  .superRefine((profile, ctx) => {
    const ids = new Map<string, number>();
    const codes = new Map<string, { index: number; combination: boolean }>();
    profile.rules.forEach((rule, i) => {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      ids.set(rule.id, i);
      for (const code of ruleCodes(rule)) {
        const other = codes.get(code);
        if (other) ctx.addIssue({ code: 'custom', path: ['rules', i], message: `code ${code} is also raised by rules[${other.index}]` });
        else codes.set(code, { index: i, combination: rule.kind === 'combination' });
      }
    });
    profile.rules.forEach((rule, i) => {
      if (rule.kind !== 'combination') return;
      rule.terms.forEach((term, j) => {
        if (!('code' in term)) return;
        const source = codes.get(term.code);
        if (!source) {
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'terms', j, 'code'], message: `no rule of this profile raises ${term.code}` });
        } else if (source.combination) {
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'terms', j, 'code'], message: `${term.code} is a combination: combinations cannot nest` });
        }
      });
    });
    const count = (kind: AlarmRule['kind']) => profile.rules.filter((r) => r.kind === kind).length;
    if (count('technical') !== 1) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'a profile needs exactly one technical rule (communication lost must always alarm)' });
    }
    if (count('pump') > 1) ctx.addIssue({ code: 'custom', path: ['rules'], message: 'at most one pump rule' });
  });

/** A validated alarm profile. */
export type AlarmProfile = z.output<typeof alarmProfileSchema>;
