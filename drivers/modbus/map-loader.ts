import { isAbsolute, join, resolve } from 'node:path';
import { VigilError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/package-root.js';
import { loadValidatedYamlFile, type ConfigProblem } from '../../src/config/validated-yaml.js';
import { registerMapSchema, type RegisterMap } from './register-map.js';

/**
 * Finds and loads register-map files (docs/guides/add-modbus-device.md). A device's
 * `options.map` is either a map name, looked up as `config/modbus-maps/<name>.yaml` in
 * Vigil's folder, or a path to a .yaml file (absolute, or relative to the working directory).
 * Each file is validated with registerMapSchema and reported like every configuration file:
 * file, line, setting path and reason. A valid map is cached by its absolute path.
 */

/** A map name: what `config/modbus-maps/<name>.yaml` is looked up by. */
const MAP_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A loaded map and the file it came from. */
export interface LoadedRegisterMap {
  readonly file: string;
  readonly map: RegisterMap;
}

const cache = new Map<string, RegisterMap>();

/** The folder of the maps shipped with Vigil. */
export function builtInMapsDir(): string {
  return join(packageRoot(), 'config', 'modbus-maps');
}

/** The absolute file a map reference names (`reference-monitor`, `./maps/x.yaml`, `/etc/vigil/x.yaml`). */
export function resolveMapFile(reference: string, mapsDir: string = builtInMapsDir()): string {
  if (MAP_NAME.test(reference)) return join(mapsDir, `${reference}.yaml`);
  return isAbsolute(reference) ? reference : resolve(reference);
}

/**
 * Loads and validates a register map by name or path.
 * @throws VigilError CONFIG_NOT_FOUND (no such map file), CONFIG_UNREADABLE, or CONFIG_INVALID
 *   (context: file, problems; the message names the file, line, path and reason of each problem)
 */
export function loadRegisterMap(reference: string, mapsDir?: string): LoadedRegisterMap {
  const file = resolveMapFile(reference, mapsDir);
  const cached = cache.get(file);
  if (cached) return { file, map: cached };
  let map: RegisterMap;
  try {
    map = loadValidatedYamlFile(file, registerMapSchema);
  } catch (err) {
    if (err instanceof VigilError && err.code === 'CONFIG_INVALID') {
      const problems = (err.context['problems'] ?? []) as ConfigProblem[];
      throw new VigilError('CONFIG_INVALID', formatMapProblems(file, problems), { file, problems });
    }
    if (err instanceof VigilError && err.code === 'CONFIG_NOT_FOUND') {
      const hint = MAP_NAME.test(reference) ? ` (a map name is looked up in ${mapsDir ?? builtInMapsDir()})` : '';
      throw new VigilError('CONFIG_NOT_FOUND', `register map "${reference}" not found: no file ${file}${hint}`, { file, reference });
    }
    throw err;
  }
  cache.set(file, map);
  return { file, map };
}

/** Forgets every cached map (for tools and tests that rewrite a map file). */
export function clearRegisterMapCache(): void {
  cache.clear();
}

function formatMapProblems(file: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
    return `  ${where}  ${p.path || '(file)'}: ${p.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `Invalid register map ${file} (${count}):\n${lines.join('\n')}`;
}
