import { buildConfigSchema, type ConfigSchemaInputs, type VigilConfig } from './schema.js';
import { loadValidatedYamlFile, parseValidatedYaml } from './validated-yaml.js';

export { formatConfigProblems, type ConfigProblem } from './validated-yaml.js';

/** Reads, parses and validates a configuration file. Throws VigilError CONFIG_* listing every problem. */
export function loadConfigFile(file: string, inputs: ConfigSchemaInputs): VigilConfig {
  return loadValidatedYamlFile(file, buildConfigSchema(inputs));
}

/** Parses and validates configuration text; `file` names it in messages. */
export function parseConfigText(text: string, file: string, inputs: ConfigSchemaInputs): VigilConfig {
  return parseValidatedYaml(text, file, buildConfigSchema(inputs));
}
