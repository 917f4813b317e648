import { VigilError } from '../core/errors.js';
import { formatConfigProblems, type ConfigProblem } from '../config/load-config.js';
import type { VigilConfig } from '../config/schema.js';
import { findDrug, loadDrugLibrary } from '../config/drug-library.js';

/**
 * Checks what one file cannot check alone: each bed's infusion names a drug of the drug
 * library, at a concentration the library lists. Throws CONFIG_INVALID (the library's own
 * problems, or these) naming the configuration file and path.
 */
export function checkDrugReferences(config: VigilConfig, configFile: string): void {
  if (!config.beds.some((b) => b.infusion)) return;
  const library = loadDrugLibrary(config.drugLibrary);
  const problems: ConfigProblem[] = [];
  config.beds.forEach((bed, i) => {
    if (!bed.infusion) return;
    const drug = findDrug(library, bed.infusion.drug);
    if (!drug) {
      problems.push({ path: `beds[${i}].infusion.drug`, message: `"${bed.infusion.drug}" is not in the drug library ${config.drugLibrary} (known: ${library.drugs.map((d) => d.id).join(', ')})` });
    } else if (!drug.concentrationsMgPerMl.includes(bed.infusion.concentrationMgPerMl)) {
      problems.push({
        path: `beds[${i}].infusion.concentrationMgPerMl`,
        message: `${bed.infusion.concentrationMgPerMl} mg/mL is not a concentration of ${drug.name} in the drug library (${drug.concentrationsMgPerMl.join(', ')} mg/mL)`,
      });
    }
  });
  if (problems.length > 0) throw new VigilError('CONFIG_INVALID', formatConfigProblems(configFile, problems), { file: configFile, problems });
}
