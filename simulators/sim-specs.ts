import { z } from 'zod';
import { VigilError } from '../src/core/errors.js';
import { SIM_RATE_LIMITS_ML_PER_HOUR } from './alaris-asena/pump-model.js';

/** Every device model the SimulatorHost can run. */
export const SIMULATED_MODELS = ['masimo-radical-7', 'masimo-radical-5', 'masimo-rad-8', 'alaris-asena-gh'] as const;
export type SimulatedModel = (typeof SIMULATED_MODELS)[number];

/** The simulated models that are infusion pumps (they need `pump`). */
export const SIMULATED_PUMP_MODELS: readonly SimulatedModel[] = ['alaris-asena-gh'];

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
