import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { DRIVERS } from '../../drivers/registry.js';
import { SIMULATED_MODELS } from '../../simulators/sim-host.js';
import { loadConfigFile } from './load-config.js';
import type { ConfigSchemaInputs, VigilConfig } from './schema.js';

/** The schema inputs of this build: every registered driver and simulator model. */
export const CONFIG_INPUTS: ConfigSchemaInputs = { drivers: DRIVERS, simulatorModels: SIMULATED_MODELS };

/** The embedded default configuration: simulated beds and the nurse station. */
export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

/**
 * Loads and validates a configuration file with every registered driver and simulator.
 * The drug library path in the result is absolute (resolved from the file's folder).
 */
export function loadVigilConfig(file: string): VigilConfig {
  const config = loadConfigFile(file, CONFIG_INPUTS);
  return { ...config, drugLibrary: resolve(dirname(file), config.drugLibrary) };
}
