import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../core/package-root.js';
import { loadValidatedYamlFile, parseValidatedYaml } from './validated-yaml.js';
import type { DoseUnit } from '../control/order-types.js';

/**
 * The drug library (config/drug-library.yaml): for each drug the concentrations a
 * clinic stocks, the unit it is dosed in, and the soft and hard dose limits that a
 * rate-change order is checked against (ISMP / smart-pump "dose error reduction").
 * Hard limits refuse an order; soft limits need an override reason.
 */

const drugId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 characters: lower-case letters, digits and "-", starting with a letter or digit');

/** A dose or rate limit: finite, positive, at most 10 000 in its unit (anything larger is a typo). */
const limitValue = z.number().positive().max(10_000);

const limitsSchema = z
  .strictObject({
    hardMin: limitValue,
    softMin: limitValue,
    softMax: limitValue,
    hardMax: limitValue,
  })
  .superRefine((l, ctx) => {
    if (l.hardMin > l.softMin) ctx.addIssue({ code: 'custom', path: ['hardMin'], message: `hardMin ${l.hardMin} must not be above softMin ${l.softMin}` });
    if (l.softMin >= l.softMax) ctx.addIssue({ code: 'custom', path: ['softMin'], message: `softMin ${l.softMin} must be below softMax ${l.softMax}` });
    if (l.softMax > l.hardMax) ctx.addIssue({ code: 'custom', path: ['softMax'], message: `softMax ${l.softMax} must not be above hardMax ${l.hardMax}` });
  });

const drugSchema = z.strictObject({
  id: drugId,
  name: z.string().min(1).max(60),
  /** ISMP high-alert medication: every change needs an independent double check by a second nurse. */
  highAlert: z.boolean(),
  dosingUnit: z.enum(['mg/kg/h', 'mL/h']),
  concentrationsMgPerMl: z
    .array(z.number().positive().max(1000))
    .min(1, 'list at least one concentration')
    .refine((list) => new Set(list).size === list.length, { message: 'concentrations must not repeat' }),
  /** In `dosingUnit`: hardMin <= softMin < softMax <= hardMax. */
  limits: limitsSchema,
});

export const drugLibrarySchema = z
  .strictObject({
    drugs: z.array(drugSchema).min(1, 'the drug library needs at least one drug'),
  })
  .superRefine((lib, ctx) => {
    const seen = new Set<string>();
    lib.drugs.forEach((d, i) => {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['drugs', i, 'id'], message: `duplicate drug id "${d.id}"` });
      seen.add(d.id);
    });
  });

/** One drug of the library. Limits are in `dosingUnit`. */
export interface DrugEntry {
  readonly id: string;
  readonly name: string;
  readonly highAlert: boolean;
  readonly dosingUnit: DoseUnit;
  readonly concentrationsMgPerMl: readonly number[];
  readonly limits: { readonly hardMin: number; readonly softMin: number; readonly softMax: number; readonly hardMax: number };
}

/** A validated drug library. */
export interface DrugLibrary {
  readonly drugs: readonly DrugEntry[];
}

/** The drug library shipped with Vigil (ketamine defaults; a clinic edits its own copy). */
export function defaultDrugLibraryPath(): string {
  return join(packageRoot(), 'config', 'drug-library.yaml');
}

/**
 * Reads and validates a drug library file.
 * @throws VigilError CONFIG_NOT_FOUND, CONFIG_UNREADABLE, CONFIG_INVALID (every problem, with path and line)
 */
export function loadDrugLibrary(file: string): DrugLibrary {
  return loadValidatedYamlFile(file, drugLibrarySchema);
}

/**
 * Validates drug library text; `file` names it in messages.
 * @throws VigilError CONFIG_INVALID
 */
export function parseDrugLibrary(text: string, file: string): DrugLibrary {
  return parseValidatedYaml(text, file, drugLibrarySchema);
}

/** The library entry of a drug, or undefined. */
export function findDrug(library: DrugLibrary, id: string): DrugEntry | undefined {
  return library.drugs.find((d) => d.id === id);
}
