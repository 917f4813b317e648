import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { DRIVERS } from '../../drivers/registry.js';
import { SIMULATED_MODELS } from '../../simulators/sim-host.js';
import { loadConfigFile } from './load-config.js';
import type { ConfigSchemaInputs, VigilConfig } from './schema.js';

/** The schema inputs of this build: every registered driver and simulator model. */
export const CONFIG_INPUTS: ConfigSchemaInputs = { drivers: DRIVERS, simulatorModels: SIMULATED_MODELS };

/** The embedded default configuration: two simulated beds and the nurse station. */
export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

/** Loads and validates a configuration file with every registered driver and simulator. */
export function loadVigilConfig(file: string): VigilConfig {
  return loadConfigFile(file, CONFIG_INPUTS);
}
