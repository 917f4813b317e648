import { z } from 'zod';
import { METRIC_IDS, METRICS, type MetricId } from '../../src/model/metrics.js';

/**
 * A Modbus device described without code: a register-map file in config/modbus-maps/
 * (docs/guides/add-modbus-device.md). No bedside monitor or clinical pump publishes a
 * Modbus map (device-protocols.md, Modbus), so each map is the device maker's or the
 * clinic's description, checked here as strictly as the configuration itself.
 *
 * Addresses are 0-based protocol addresses (what goes on the wire), not 4xxxx numbers.
 */

const register = z.number().int().min(0).max(65_535);
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-", 1-32 characters');

/** Register table: holding registers (function 3) or input registers (function 4). */
export const tableSchema = z.enum(['holding', 'input']);
export const dataTypeSchema = z.enum(['int16', 'uint16', 'int32', 'uint32', 'float32']);
/** Order of the two 16-bit words of a 32-bit value: `big` = high word first (Modbus convention). */
export const wordOrderSchema = z.enum(['big', 'little']);

export type DataType = z.infer<typeof dataTypeSchema>;

/** How many registers a value of this type spans. */
export function registerCount(type: DataType): 1 | 2 {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

/** Registers read together by one request, every `periodMs`. */
const pollGroupSchema = z.strictObject({
  id,
  table: tableSchema,
  start: register,
  /** At most 125 registers per read (Modbus limit). */
  count: z.number().int().min(1).max(125),
  periodMs: z.number().int().min(100).max(3_600_000),
});

/** A number in one or two registers: raw -> value = raw * scale + offset. */
const valueSchema = z.strictObject({
  register,
  type: dataTypeSchema.default('uint16'),
  wordOrder: wordOrderSchema.default('big'),
  scale: z.number().refine((v) => v !== 0, 'scale must not be 0').default(1),
  offset: z.number().default(0),
});

const metricFieldSchema = valueSchema.extend({
  metric: z.enum(METRIC_IDS as [MetricId, ...MetricId[]]),
  group: id,
  /** UCUM unit of the value after scaling; must be the metric's unit (no silent conversion). */
  unit: z.string().min(1),
  /** Raw register values that mean "no value" (e.g. 0x8000, 0xFFFF): published as null, never as a number. */
  invalid: z.array(z.number().int()).default([]),
  /**
   * A uint32 (big word order) of Unix seconds when this value was measured, e.g. the last
   * NIBP cuff measurement: it becomes the observation's device time, and a value whose
   * time has not changed is not published again.
   */
  measuredAtRegister: register.optional(),
});

/** One bit of a status register: a condition the device signals while the bit is set. */
const statusBitSchema = z.strictObject({
  group: id,
  register,
  bit: z.number().int().min(0).max(15),
  /** Stable condition code, e.g. SENSOR_OFF, OCCLUSION. */
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,47}$/, 'UPPER_SNAKE_CASE, 2-48 characters'),
  label: z.string().min(1).max(80),
  kind: z.enum(['technical', 'physiological']).default('technical'),
});

/** One step of a write-verify sequence (the control workflow runs it; nothing else does). */
const writeStepSchema = z.discriminatedUnion('op', [
  /** Write a fixed value to one holding register (function 6), e.g. an arm code or a commit flag. */
  z.strictObject({ op: z.literal('write'), register, value: z.number().int().min(0).max(65_535), label: z.string().optional() }),
  /** Write the order's target (mL/h) to a holding register or pair: raw = (target - offset) / scale. */
  z.strictObject({ op: z.literal('write-target'), value: valueSchema, label: z.string().optional() }),
]);

/** How a pump's running state is read: a status bit that is set while it infuses. */
const runningBitSchema = z.strictObject({ group: id, register, bit: z.number().int().min(0).max(15) });

/** A writable pump: its write-verify sequences and where its state is read back. */
const pumpSchema = z.strictObject({
  /** Set a new rate: e.g. arm, write target, commit. */
  rateChange: z.array(writeStepSchema).min(1),
  /** Stop the infusion. */
  stop: z.array(writeStepSchema).min(1),
  /** Read-back: the rate is the map's `pump-rate` metric; running is this bit. */
  running: runningBitSchema,
  /** Accepted rate range of the device, mL/h. */
  rateRangeMlPerHour: z.strictObject({ min: z.number().positive(), max: z.number().positive() }),
});

export const registerMapSchema = z
  .strictObject({
    /** The map's id (its file name without .yaml), e.g. `reference-monitor`. */
    model: id,
    description: z.string().min(1),
    manufacturer: z.string().optional(),
    /** Default unit id (slave address) when the device's options do not set one. */
    defaultUnitId: z.number().int().min(0).max(247).default(1),
    pollGroups: z.array(pollGroupSchema).min(1),
    metrics: z.array(metricFieldSchema).default([]),
    statusBits: z.array(statusBitSchema).default([]),
    pump: pumpSchema.optional(),
  })
  .superRefine((map, ctx) => {
    const groups = new Map(map.pollGroups.map((g) => [g.id, g]));
    const ids = new Set<string>();
    map.pollGroups.forEach((g, i) => {
      if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: ['pollGroups', i, 'id'], message: `duplicate poll group "${g.id}"` });
      ids.add(g.id);
      if (g.start + g.count > 65_536) ctx.addIssue({ code: 'custom', path: ['pollGroups', i, 'count'], message: 'runs past register 65535' });
    });
    const inGroup = (groupId: string, reg: number, count: number, path: (string | number)[]) => {
      const g = groups.get(groupId);
      if (!g) {
        ctx.addIssue({ code: 'custom', path: [...path, 'group'], message: `no poll group "${groupId}" (groups: ${[...groups.keys()].join(', ')})` });
      } else if (reg < g.start || reg + count > g.start + g.count) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'register'],
          message: `register ${reg}${count > 1 ? `-${reg + count - 1}` : ''} is outside poll group "${g.id}" (${g.start}-${g.start + g.count - 1})`,
        });
      }
    };
    map.metrics.forEach((m, i) => {
      inGroup(m.group, m.register, registerCount(m.type), ['metrics', i]);
      if (m.measuredAtRegister !== undefined) inGroup(m.group, m.measuredAtRegister, 2, ['metrics', i]);
      const unit = METRICS[m.metric].unit;
      if (m.unit !== unit) ctx.addIssue({ code: 'custom', path: ['metrics', i, 'unit'], message: `${m.metric} is measured in ${unit}, not ${m.unit}` });
    });
    map.statusBits.forEach((b, i) => inGroup(b.group, b.register, 1, ['statusBits', i]));
    if (map.pump) {
      inGroup(map.pump.running.group, map.pump.running.register, 1, ['pump', 'running']);
      if (!map.metrics.some((m) => m.metric === 'pump-rate')) {
        ctx.addIssue({ code: 'custom', path: ['pump'], message: 'a pump map needs a pump-rate metric for the read-back' });
      }
      if (!map.pump.rateChange.some((s) => s.op === 'write-target')) {
        ctx.addIssue({ code: 'custom', path: ['pump', 'rateChange'], message: 'the rate-change sequence must write the target (op: write-target)' });
      }
    }
  });

export type RegisterMap = z.output<typeof registerMapSchema>;
export type MetricField = RegisterMap['metrics'][number];
export type StatusBit = RegisterMap['statusBits'][number];
export type PollGroup = RegisterMap['pollGroups'][number];
export type PumpMap = NonNullable<RegisterMap['pump']>;
export type WriteStep = PumpMap['rateChange'][number];
