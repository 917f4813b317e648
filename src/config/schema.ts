import { z } from 'zod';
import { METRIC_IDS, type MetricId } from '../model/metrics.js';
import type { DriverDefinition } from '../device/device-driver.js';
import { parseTransportUrl, transportUrlProblems } from '../transport/transport-url.js';
import { patientSpecSchema } from '../../simulators/patient/virtual-patient.js';
import { simulatedMonitorSchema, simulatedNe1000Schema } from '../../simulators/sim-specs.js';

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
  etco2: [0, 150],
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
    /**
     * The alarm profile (docs/alarms.md): the id of a shipped profile in config/alarm-profiles/
     * (`adult-default`, `ketamine-iv`, `ketamine-im`) or a path to a profile file, relative to
     * this file. Default from the bed's session: iv-ketamine -> ketamine-iv, im-ketamine ->
     * ketamine-im, other -> adult-default.
     */
    profile: z.string().min(1).optional(),
    /** This bed's own limits: each replaces the profile's limit rules of that metric. */
    limits: limitsSchema,
  })
  .prefault({});

export type BedAlarmsConfig = z.output<typeof bedAlarms>;

/**
 * The simulated patient of a bed: the simulator's own schema, less the weight (which is
 * the bed's `infusion.patientWeightKg`), with the time scale defaulting to real time.
 */
const patientSchema = patientSpecSchema
  .omit({ weightKg: true })
  .extend({ timeScale: z.number().min(0.1).max(100).default(1) })
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
    serialNumber: z.string().regex(/^[0-9A-Za-z-]{1,16}$/, 'up to 16 letters, digits or "-"').optional(),
    /** A simulated pump's state at start (its drug concentration comes from the bed's `infusion`). */
    pump: z
      .strictObject({
        rateMlPerHour: z.number().min(0.1).max(1200),
        vtbiMl: z.number().positive().max(1000).optional(),
        syringeVolumeMl: z.number().positive().max(100).default(50),
        running: z.boolean().default(true),
      })
      .optional(),
    /** Modbus slave address of a simulated Modbus device (default 1). */
    unitId: z.number().int().min(1).max(247).optional(),
    /** A simulated Modbus monitor: NIBP cycle. */
    monitor: simulatedMonitorSchema.optional(),
    /** A simulated NE-1000: its safe-mode watchdog and address, as set at the pump. */
    ne1000: simulatedNe1000Schema.optional(),
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

  const infusion = z.strictObject({
    /** The device id (in this bed) of the pump that runs this infusion. */
    pump: id,
    /** Drug id in the drug library, e.g. `ketamine`. */
    drug: id,
    concentrationMgPerMl: z.number().positive().max(1000),
    patientWeightKg: z.number().min(2).max(350),
  });

  const bed = z.strictObject({
    id,
    label: z.string().min(1).max(60),
    session: z.enum(['iv-ketamine', 'im-ketamine', 'other']).default('other'),
    /** The infusion programme of this bed's pump: what is in the syringe and for whom. */
    infusion: infusion.optional(),
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
      /** The drug library file; relative paths are from this configuration file's folder. */
      drugLibrary: z.string().min(1).default('drug-library.yaml'),
      control: z
        .strictObject({
          /** An order not executed within this time expires (default 2 min). */
          orderTimeoutMs: z.number().int().min(10_000).max(600_000).default(120_000),
          /** Wait for the pump's reply to each programming command. */
          commandTimeoutMs: z.number().int().min(200).max(10_000).default(2000),
          /** A fresh read-back must arrive within this time after the last command. */
          readbackDeadlineMs: z.number().int().min(1000).max(60_000).default(10_000),
        })
        .prefault({}),
      /**
       * DEMO ONLY: create the demo users (nurses ana and ben, physician dr.cho, documented
       * passwords) when they do not exist. Never enable on a clinical system.
       */
      demoUsers: z.boolean().default(false),
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
        if (b.infusion) {
          const pump = b.devices.find((d) => d.id === b.infusion?.pump);
          const definition = drivers.find((d) => d.id === pump?.driver);
          if (!pump) {
            ctx.addIssue({ code: 'custom', path: ['beds', i, 'infusion', 'pump'], message: `no device "${b.infusion.pump}" in bed "${b.id}"` });
          } else if (!definition?.programmablePump || (definition.canProgram && !definition.canProgram(pump.options))) {
            ctx.addIssue({ code: 'custom', path: ['beds', i, 'infusion', 'pump'], message: `device "${pump.id}" (driver ${pump.driver}) is not a programmable pump` });
          }
        }
        if (bedIds.has(b.id)) ctx.addIssue({ code: 'custom', path: ['beds', i, 'id'], message: `duplicate bed id "${b.id}"` });
        bedIds.add(b.id);
        const deviceIds = new Set<string>();
        b.devices.forEach((d, j) => {
          if (deviceIds.has(d.id)) {
            ctx.addIssue({ code: 'custom', path: ['beds', i, 'devices', j, 'id'], message: `duplicate device id "${d.id}" in bed "${b.id}"` });
          }
          deviceIds.add(d.id);
          if (d.simulator?.pump && !b.infusion) {
            ctx.addIssue({ code: 'custom', path: ['beds', i, 'devices', j, 'simulator', 'pump'], message: 'a simulated pump needs the bed\'s `infusion` (its drug concentration)' });
          }
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
