import { z } from 'zod';
import { METRIC_IDS, type MetricId } from '../model/metrics.js';
import type { DriverDefinition } from '../device/device-driver.js';
import { parseTransportUrl, transportUrlProblems } from '../transport/transport-url.js';

/**
 * The one schema of Vigil's configuration file. It yields the types and the defaults,
 * and reports every problem at once with its path. See docs/configuration.md.
 *
 * The schema is built from the driver definitions so that each device's `options`
 * are checked by its own driver's schema in the same pass.
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 characters: lower-case letters, digits and "-", starting with a letter or digit');

export const priorityEnum = z.enum(['high', 'medium', 'low']);

/**
 * Plausible ranges for alarm limits, per metric. A limit outside its range is almost
 * certainly a typo (e.g. SpO2 low 900) and is refused rather than silently never firing.
 */
export const LIMIT_RANGES: Partial<Record<MetricId, readonly [number, number]>> = {
  spo2: [50, 100],
  'pulse-rate': [20, 300],
  'heart-rate': [20, 300],
  'perfusion-index': [0, 20],
  'nibp-sys': [40, 300],
  'nibp-dia': [20, 200],
  'nibp-mean': [30, 250],
  'resp-rate': [0, 80],
  'temp-body': [25, 45],
};

const limitRule = z
  .strictObject({
    /** Alarm when the value is below this. null: no low limit. */
    low: z.number().nullable().default(null),
    /** Alarm when the value is above this. null: no high limit. */
    high: z.number().nullable().default(null),
    priority: priorityEnum.default('medium'),
    /** Alarm condition delay: the violation must last this long before the alarm starts. */
    delayMs: z.number().int().min(0).max(120_000).default(10_000),
  })
  .refine((r) => r.low === null || r.high === null || r.low < r.high, {
    message: 'low must be below high',
  })
  .refine((r) => r.low !== null || r.high !== null, { message: 'give at least one of low and high' });

export type LimitRule = z.output<typeof limitRule>;

const limitsSchema = z
  .partialRecord(z.enum(METRIC_IDS as [MetricId, ...MetricId[]]), limitRule)
  .default({})
  .superRefine((limits, ctx) => {
    for (const [metric, rule] of Object.entries(limits) as [MetricId, LimitRule | undefined][]) {
      const range = LIMIT_RANGES[metric];
      if (!range || !rule) continue;
      for (const side of ['low', 'high'] as const) {
        const v = rule[side];
        if (v !== null && (v < range[0] || v > range[1])) {
          ctx.addIssue({
            code: 'custom',
            path: [metric, side],
            message: `must be between ${range[0]} and ${range[1]} for ${metric} (got ${v})`,
          });
        }
      }
    }
  });

const bedAlarms = z
  .strictObject({
    limits: limitsSchema,
    /** Priority of "communication lost" (a device silent past its driver's grace, or its link down). */
    communicationLostPriority: priorityEnum.default('medium'),
    /** Priority of the device's own technical conditions that stop measurement (sensor off, no sensor, no cable). */
    sensorOffPriority: priorityEnum.default('medium'),
    /** Priority of the device's other technical conditions (low perfusion, interference, low battery...). */
    deviceTechnicalPriority: priorityEnum.default('low'),
    /** Priority given to alarms the device raises from its own limits. */
    deviceAlarmPriority: priorityEnum.default('medium'),
  })
  .prefault({});

export type BedAlarmsConfig = z.output<typeof bedAlarms>;

const patientSchema = z
  .strictObject({
    seed: z.number().int().optional(),
    timeScale: z.number().min(0.1).max(100).default(1),
    baseline: z
      .strictObject({
        spo2: z.number().min(70).max(100).optional(),
        pulseRate: z.number().min(30).max(200).optional(),
        perfusionIndex: z.number().min(0.02).max(20).optional(),
      })
      .prefault({}),
  })
  .prefault({});

export type PatientConfig = z.output<typeof patientSchema>;

function isLoopbackTcp(url: string): boolean {
  const spec = parseTransportUrl(url);
  return spec.kind === 'tcp' && (spec.host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(spec.host));
}

export interface ConfigSchemaInputs {
  readonly drivers: readonly DriverDefinition[];
  /** Simulator models the daemon can start, e.g. `masimo-radical-7`. */
  readonly simulatorModels: readonly string[];
}

export function buildConfigSchema({ drivers, simulatorModels }: ConfigSchemaInputs) {
  const transport = z.string().superRefine((url, ctx) => {
    for (const problem of transportUrlProblems(url)) ctx.addIssue({ code: 'custom', message: problem });
  });
  const simulator = z.strictObject({
    model: z.enum(simulatorModels as [string, ...string[]]),
    serialNumber: z.string().regex(/^[0-9A-Za-z]{1,10}$/, "up to 10 letters or digits").optional(),
  });
  const deviceBase = {
    id,
    label: z.string().min(1).max(60).optional(),
    transport,
    /** When simulation is enabled, the daemon starts this simulator at the transport's address. */
    simulator: simulator.optional(),
  };
  const [first, ...rest] = drivers.map((d) =>
    z.strictObject({ ...deviceBase, driver: z.literal(d.id), options: d.optionsSchema.prefault({}) }),
  );
  if (!first) throw new Error('no drivers registered');
  const device = z.discriminatedUnion('driver', [first, ...rest], {
    error: (issue) =>
      issue.code === 'invalid_union' ? `unknown driver; known drivers: ${drivers.map((d) => d.id).join(', ')}` : undefined,
  });

  const bed = z.strictObject({
    id,
    label: z.string().min(1).max(60),
    session: z.enum(['iv-ketamine', 'im-ketamine', 'other']).default('other'),
    devices: z.array(device).min(1, 'a bed needs at least one device'),
    alarms: bedAlarms,
    /** The simulated patient of this bed (used only when simulation is enabled). */
    patient: patientSchema,
  });

  return z
    .strictObject({
      station: z
        .strictObject({
          host: z.string().min(1).default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(8080),
        })
        .prefault({}),
      logging: z
        .strictObject({
          level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
          pretty: z.boolean().default(false),
        })
        .prefault({}),
      storage: z
        .strictObject({
          /** SQLite file of users, orders and the audit log; relative paths are from the working directory. */
          databasePath: z.string().min(1).default('var/vigil.sqlite'),
        })
        .prefault({}),
      simulation: z
        .strictObject({
          enabled: z.boolean().default(false),
          controlHost: z.string().min(1).default('127.0.0.1'),
          controlPort: z.number().int().min(0).max(65535).default(8081),
        })
        .prefault({}),
      beds: z.array(bed).min(1, 'configure at least one bed'),
    })
    .superRefine((cfg, ctx) => {
      const bedIds = new Set<string>();
      cfg.beds.forEach((b, i) => {
        if (bedIds.has(b.id)) ctx.addIssue({ code: 'custom', path: ['beds', i, 'id'], message: `duplicate bed id "${b.id}"` });
        bedIds.add(b.id);
        const deviceIds = new Set<string>();
        b.devices.forEach((d, j) => {
          if (deviceIds.has(d.id)) {
            ctx.addIssue({ code: 'custom', path: ['beds', i, 'devices', j, 'id'], message: `duplicate device id "${d.id}" in bed "${b.id}"` });
          }
          deviceIds.add(d.id);
          if (cfg.simulation.enabled && d.simulator && transportUrlProblems(d.transport).length === 0 && !isLoopbackTcp(d.transport)) {
            ctx.addIssue({
              code: 'custom',
              path: ['beds', i, 'devices', j, 'transport'],
              message: 'a simulated device needs a loopback tcp:// address (its simulator listens there); for a serial line run `vigil sim run --serial` instead',
            });
          }
        });
      });
    });
}

export type VigilConfig = z.output<ReturnType<typeof buildConfigSchema>>;
export type BedConfig = VigilConfig['beds'][number];
export type DeviceConfig = BedConfig['devices'][number];
