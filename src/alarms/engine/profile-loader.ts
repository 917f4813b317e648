import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { loadValidatedYamlFile, parseValidatedYaml } from '../../config/validated-yaml.js';
import { alarmProfileSchema, type AlarmProfile } from './profile-schema.js';

/** The folder of the profiles shipped with Vigil (`config/alarm-profiles/`). */
export function shippedProfilesDir(): string {
  return join(packageRoot(), 'config', 'alarm-profiles');
}

/**
 * Reads and validates one alarm profile file.
 * @throws VigilError CONFIG_NOT_FOUND, CONFIG_UNREADABLE, CONFIG_INVALID (context: file, problems with line and path)
 */
export function loadAlarmProfile(file: string): AlarmProfile {
  return loadValidatedYamlFile(file, alarmProfileSchema);
}

/**
 * Validates profile YAML text; `file` names it in messages.
 * @throws VigilError CONFIG_INVALID
 */
export function parseAlarmProfile(text: string, file: string): AlarmProfile {
  return parseValidatedYaml(text, file, alarmProfileSchema);
}

/**
 * Loads every `*.yaml` profile of a folder (default: the shipped ones), keyed by profile id.
 * @throws VigilError CONFIG_NOT_FOUND (no such folder), CONFIG_INVALID (a bad file, or two files with one id)
 */
export function loadAlarmProfiles(dir: string = shippedProfilesDir()): Map<string, AlarmProfile> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch {
    throw new VigilError('CONFIG_NOT_FOUND', `${dir}: no such alarm profile folder`, { file: dir });
  }
  const profiles = new Map<string, AlarmProfile>();
  for (const name of names) {
    const file = join(dir, name);
    const profile = loadAlarmProfile(file);
    if (profiles.has(profile.id)) {
      throw new VigilError('CONFIG_INVALID', `${file}: profile id "${profile.id}" is used by another file of ${dir}`, {
        file,
        problems: [{ path: 'id', message: `duplicate profile id "${profile.id}"` }],
      });
    }
    profiles.set(profile.id, profile);
  }
  return profiles;
}
