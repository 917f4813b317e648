import { z } from 'zod';
import { METRIC_IDS, type MetricId } from '../../model/metrics.js';
import { LIMIT_RANGES, priorityEnum } from '../../config/schema.js';
import { PUMP_CONDITION_PRIORITIES } from '../condition-codes.js';

/**
 * The zod schemas of one alarm rule per kind (docs/alarms.md "Rule kinds"). Rules name
 * metrics by Vigil metric id (src/model/metrics.ts) and conditions by code.
 */

export const metricId = z.enum(METRIC_IDS as [MetricId, ...MetricId[]]);
export const alarmCode = z.string().regex(/^[A-Z][A-Z0-9_]{1,47}$/, 'UPPER_SNAKE_CASE, 2-48 characters');
const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, '1-48 characters: lower-case letters, digits and "-"');
const deviceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a device id of the bed');
const ms = (min: number, max: number) => z.number().int().min(min).max(max);

/** Fields every rule has. `latching` overrides the profile's per-priority default. */
const common = {
  id: ruleId,
  priority: priorityEnum.default('medium'),
  latching: z.boolean().optional(),
  /** Only this device's data (default: every device of the bed, each on its own). */
  device: deviceId.optional(),
};

/** A physiological rule may be turned off per bed (with a reminder) unless `allowOff: false`. */
const allowOff = z.boolean().default(true);

/** One comparison on the latest value of a metric. */
export const metricTerm = z
  .strictObject({ metric: metricId, above: z.number().optional(), below: z.number().optional() })
  .refine((t) => (t.above === undefined) !== (t.below === undefined), { message: 'give exactly one of above and below' });
export type MetricTerm = z.output<typeof metricTerm>;

/** A condition of another rule of the same profile, by its code (e.g. `SPO2_LOW`). */
export const codeTerm = z.strictObject({ code: alarmCode });
export type CodeTerm = z.output<typeof codeTerm>;

export const limitRuleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('limit'),
    allowOff,
    metric: metricId,
    low: z.number().nullable().default(null),
    high: z.number().nullable().default(null),
    /** The value must come back this far inside the limit to end the condition (same unit). */
    hysteresis: z.number().min(0).default(0),
    /** Alarm condition delay (IEC 60601-1-8): the violation must last this long. */
    delayMs: ms(0, 120_000).default(10_000),
    /** Code stem, default from the metric (`SPO2` gives `SPO2_LOW` / `SPO2_HIGH`). */
    codeStem: alarmCode.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.low === null && r.high === null) ctx.addIssue({ code: 'custom', message: 'give at least one of low and high' });
    if (r.low !== null && r.high !== null && r.low >= r.high) ctx.addIssue({ code: 'custom', path: ['low'], message: 'low must be below high' });
    if (r.low !== null && r.high !== null && r.low < r.high && r.hysteresis >= r.high - r.low) {
      ctx.addIssue({ code: 'custom', path: ['hysteresis'], message: `must be less than high - low (${r.high - r.low})` });
    }
    const range = LIMIT_RANGES[r.metric];
    for (const side of ['low', 'high'] as const) {
      const v = r[side];
      if (range && v !== null && (v < range[0] || v > range[1])) {
        ctx.addIssue({ code: 'custom', path: [side], message: `must be between ${range[0]} and ${range[1]} for ${r.metric} (got ${v})` });
      }
    }
  });

const termList = z.array(metricTerm).min(1).max(4);

export const sustainedRuleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('sustained'),
    allowOff,
    code: alarmCode,
    /** The condition holds when any (or all) of these comparisons hold. */
    any: termList.optional(),
    all: termList.optional(),
    /** Duration-based: the condition must hold on every reading for this long. */
    durationMs: ms(1000, 3_600_000).optional(),
    /** Readings-based: `count` violating readings, each at least `minSpacingMs` after the previous counted one. */
    readings: z
      .strictObject({
        count: z.number().int().min(2).max(10),
        minSpacingMs: ms(0, 3_600_000),
        /** Values of the rule's metrics arriving within this window form one reading (e.g. one NIBP measurement). */
        groupWindowMs: ms(0, 60_000).default(5000),
      })
      .optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.any === undefined) === (r.all === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of any and all' });
    if ((r.durationMs === undefined) === (r.readings === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of durationMs (duration-based) and readings (readings-based)' });
    }
  });

export const rateOfChangeRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('rate-of-change'),
  allowOff,
  metric: metricId,
  direction: z.enum(['falling', 'rising']),
  /** The change (in the metric's unit) within `windowMs` that makes the condition. */
  delta: z.number().positive(),
  windowMs: ms(5000, 3_600_000),
  /** Default `<STEM>_FALLING` or `<STEM>_RISING`. */
  code: alarmCode.optional(),
});

export const combinationRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('combination'),
  allowOff,
  code: alarmCode,
  mode: z.enum(['all', 'any']),
  terms: z.array(z.union([metricTerm, codeTerm])).min(2).max(8),
  /** Condition delay: the combination must hold this long. */
  delayMs: ms(0, 600_000).default(0),
});

export const staleRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('stale'),
  /** Technical: off only when the profile says so explicitly. */
  allowOff: z.boolean().default(false),
  metrics: z.array(metricId).min(1),
  /** No valid value of the metric from a device that sends it, for this long: `<STEM>_STALE`. */
  afterMs: ms(1000, 3_600_000),
});

export const technicalRuleSchema = z.strictObject({
  id: ruleId,
  kind: z.literal('technical'),
  latching: z.boolean().optional(),
  /** Communication lost can never be turned off (docs/safety.md rule 3). */
  allowOff: z.literal(false).default(false),
  communicationLost: priorityEnum.default('medium'),
  sensorOff: priorityEnum.default('medium'),
  deviceTechnical: priorityEnum.default('low'),
  /** Alarms a device raises from its own limits, as `DEVICE_<code>`. */
  deviceAlarm: priorityEnum.default('medium'),
  /** Per-code priority of device technical conditions, overriding the two above. */
  codes: z.record(alarmCode, priorityEnum).default({}),
  /** Priority of `<STEM>_INVALID` (a value no device can report); null: not raised. */
  invalidData: priorityEnum.nullable().default('medium'),
});

export const pumpRuleSchema = z.strictObject({
  id: ruleId,
  kind: z.literal('pump'),
  latching: z.boolean().optional(),
  allowOff: z.literal(false).default(false),
  /** Pump condition codes and their priority; external alarms with these codes (RATE_CHANGE_NOT_VERIFIED) too. */
  conditions: z.record(alarmCode, priorityEnum).default({ ...PUMP_CONDITION_PRIORITIES, RATE_CHANGE_NOT_VERIFIED: 'high' }),
});

export const ruleSchema = z.discriminatedUnion('kind', [
  limitRuleSchema,
  sustainedRuleSchema,
  rateOfChangeRuleSchema,
  combinationRuleSchema,
  staleRuleSchema,
  technicalRuleSchema,
  pumpRuleSchema,
]);

export type AlarmRule = z.output<typeof ruleSchema>;
export type LimitRule = z.output<typeof limitRuleSchema>;
export type SustainedRule = z.output<typeof sustainedRuleSchema>;
export type RateOfChangeRule = z.output<typeof rateOfChangeRuleSchema>;
export type CombinationRule = z.output<typeof combinationRuleSchema>;
export type StaleRule = z.output<typeof staleRuleSchema>;
export type TechnicalRule = z.output<typeof technicalRuleSchema>;
export type PumpRule = z.output<typeof pumpRuleSchema>;
