import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildConfigSchema } from '../../src/config/schema.js';
import { CONFIG_INPUTS } from '../../src/config/vigil-config.js';
import { resolveBedProfiles } from '../../src/daemon/alarm-wiring.js';
import { loadAlarmProfiles } from '../../src/alarms/engine/profile-loader.js';

const bed = (id: string, alarms: Record<string, unknown> = {}) => ({
  id, label: id, session: 'iv-ketamine', alarms,
  devices: [{ id: 'ox', driver: 'masimo-ascii', transport: 'tcp://127.0.0.1:4001' }],
});

describe('resolveBedProfiles', () => {
  it('gives beds with the same profile and limits one shared profile object; a bed with its own limits its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-profiles-'));
    const file = join(dir, 'clinic.yaml');
    writeFileSync(file, stringify({ ...loadAlarmProfiles().get('adult-default')!, id: 'clinic' }));
    const config = buildConfigSchema(CONFIG_INPUTS).parse({
      beds: [
        bed('bed-1'), bed('bed-2'),
        bed('bed-3', { limits: { spo2: { low: 88, priority: 'high', delayMs: 10000 } } }),
        bed('bed-4', { profile: file }), bed('bed-5', { profile: file }),
      ],
    });
    const profiles = resolveBedProfiles(config, join(dir, 'vigil.yaml'));
    expect(profiles.get('bed-1')).toBe(profiles.get('bed-2'));
    expect(profiles.get('bed-1')?.id).toBe('ketamine-iv');
    expect(profiles.get('bed-3')).not.toBe(profiles.get('bed-1'));
    expect(profiles.get('bed-3')?.rules.find((r) => r.id === 'spo2-bed-limit')).toMatchObject({ low: 88, delayMs: 10000 });
    expect(profiles.get('bed-1')?.rules.some((r) => r.id === 'spo2-bed-limit')).toBe(false);
    expect(profiles.get('bed-4')).toBe(profiles.get('bed-5'));
    expect(profiles.get('bed-4')?.id).toBe('clinic');
  });
});
