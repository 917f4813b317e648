import { z } from 'zod';
import { VigilError } from '../src/core/errors.js';
import { SIM_RATE_LIMITS_ML_PER_HOUR } from './alaris-asena/pump-model.js';
import { NIBP_INTERVAL_LIMITS_SECONDS } from './modbus-monitor/nibp-cycle.js';

/** Every device model the SimulatorHost can run. */
export const SIMULATED_MODELS = ['masimo-radical-7', 'masimo-radical-5', 'masimo-rad-8', 'alaris-asena-gh', 'modbus-syringe-pump', 'modbus-monitor', 'nonin', 'nonin-format-2', 'ne1000'] as const;
export type SimulatedModel = (typeof SIMULATED_MODELS)[number];

/** The simulated models that are infusion pumps (they need `pump`). */
export const SIMULATED_PUMP_MODELS: readonly SimulatedModel[] = ['alaris-asena-gh', 'modbus-syringe-pump', 'ne1000'];

export const listenSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(0).max(65_535) }),
  z.strictObject({ kind: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive() }),
]);
export type SimulatedListen = z.infer<typeof listenSchema>;

export const idSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - only (1-64)');

/** A simulated pump's syringe and programme at start. The syringe is taken to hold ketamine. */
export const simulatedPumpSchema = z.strictObject({
  /** mg/mL of ketamine in the syringe. */
  concentrationMgPerMl: z.number().positive().max(1000),
  rateMlPerHour: z.number().min(SIM_RATE_LIMITS_ML_PER_HOUR.min).max(SIM_RATE_LIMITS_ML_PER_HOUR.max),
  vtbiMl: z.number().positive().max(9999).optional(),
  /** Syringe volume loaded, mL (default 50). */
  syringeVolumeMl: z.number().positive().max(100).optional(),
  /** Infusing at start (default false). */
  running: z.boolean().optional(),
});
export type SimulatedPump = z.infer<typeof simulatedPumpSchema>;

/** The simulated models that are Modbus slaves (they take `unitId`). */
export const SIMULATED_MODBUS_MODELS: readonly SimulatedModel[] = ['modbus-syringe-pump', 'modbus-monitor'];

/** Settings of the simulated Modbus monitor (`modbus-monitor`). */
export const simulatedMonitorSchema = z.strictObject({
  /** Seconds between automatic NIBP measurements: 0 = manual only, else 60-43200 (default 300). */
  nibpIntervalSeconds: z
    .union([z.literal(0), z.number().int().min(NIBP_INTERVAL_LIMITS_SECONDS.min).max(NIBP_INTERVAL_LIMITS_SECONDS.max)])
    .optional(),
  /** Take an NIBP measurement at start (default true). */
  nibpAtStart: z.boolean().optional(),
});

/** Settings of the simulated New Era NE-1000 (`ne1000`), set at the pump, never by Vigil. */
export const simulatedNe1000Schema = z.strictObject({
  /** Safe-mode watchdog, seconds 1-255 (default 10). */
  watchdogSeconds: z.number().int().min(1).max(255).optional(),
  /** Network address, 0-99 (default 0). */
  address: z.number().int().min(0).max(99).optional(),
});

const MASIMO_SERIAL = /^[A-Za-z0-9]{1,10}$/;

/**
 * One simulated device. `serialNumber`: up to 16 letters, digits or `-` (a Masimo serial:
 * up to 10 letters/digits); default derived from the ids. `pump`: required for a pump
 * model, refused for the others.
 */
export const simulatedDeviceSpecSchema = z
  .strictObject({
    bedId: idSchema,
    deviceId: idSchema,
    model: z.enum(SIMULATED_MODELS),
    serialNumber: z.string().regex(/^[A-Za-z0-9-]{1,16}$/, 'up to 16 letters, digits or "-"').optional(),
    listen: listenSchema,
    pump: simulatedPumpSchema.optional(),
    /** Modbus slave address of a Modbus model, 1-247 (default 1). */
    unitId: z.number().int().min(1).max(247).optional(),
    /** Only for `modbus-monitor`. */
    monitor: simulatedMonitorSchema.optional(),
    /** Only for `ne1000`. */
    ne1000: simulatedNe1000Schema.optional(),
  })
  .superRefine((spec, ctx) => {
    const isPump = SIMULATED_PUMP_MODELS.includes(spec.model);
    if (isPump && !spec.pump) {
      ctx.addIssue({
        code: 'custom', path: ['pump'],
        message: `required for model ${spec.model}: { concentrationMgPerMl, rateMlPerHour, vtbiMl?, syringeVolumeMl?, running? }`,
      });
    }
    if (!isPump && spec.pump) ctx.addIssue({ code: 'custom', path: ['pump'], message: `only for a pump model (${SIMULATED_PUMP_MODELS.join(', ')})` });
    if (spec.unitId !== undefined && !SIMULATED_MODBUS_MODELS.includes(spec.model)) {
      ctx.addIssue({ code: 'custom', path: ['unitId'], message: `only for a Modbus model (${SIMULATED_MODBUS_MODELS.join(', ')})` });
    }
    if (spec.monitor !== undefined && spec.model !== 'modbus-monitor') ctx.addIssue({ code: 'custom', path: ['monitor'], message: 'only for model modbus-monitor' });
    if (spec.ne1000 !== undefined && spec.model !== 'ne1000') ctx.addIssue({ code: 'custom', path: ['ne1000'], message: 'only for model ne1000' });
    if (!isPump && spec.serialNumber !== undefined && !MASIMO_SERIAL.test(spec.serialNumber)) {
      ctx.addIssue({ code: 'custom', path: ['serialNumber'], message: 'up to 10 letters or digits for a Masimo device' });
    }
  });
export type SimulatedDeviceSpec = z.input<typeof simulatedDeviceSpecSchema>;

/** A CONFIG_INVALID error naming each bad field of `what`. */
export function configInvalid(what: string, error: z.ZodError): VigilError {
  const detail = error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  return new VigilError('CONFIG_INVALID', `${what}: ${detail}`, { issues: error.issues });
}
