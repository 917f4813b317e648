import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfigFile, parseConfigText, type ConfigProblem } from '../../src/config/load-config.js';
import type { ConfigSchemaInputs } from '../../src/config/schema.js';
import { isVigilError } from '../../src/core/errors.js';
import type { DriverDefinition } from '../../src/device/device-driver.js';

const testDriver: DriverDefinition = {
  id: 'test-oximeter',
  description: 'a driver for schema tests',
  optionsSchema: z.strictObject({ communicationLostAfterMs: z.number().int().min(1100).max(60000).default(3000) }),
  serialDefaults: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  create: () => ({ start: () => undefined, stop: async () => undefined }),
};
const inputs: ConfigSchemaInputs = { drivers: [testDriver], simulatorModels: ['masimo-radical-7'] };

const VALID = `
station: { port: 9090 }
beds:
  - id: bed-1
    label: Bed 1
    session: iv-ketamine
    devices:
      - id: oximeter
        driver: test-oximeter
        transport: tcp://127.0.0.1:4101
        simulator: { model: masimo-radical-7 }
    alarms:
      limits:
        spo2: { low: 90, priority: high, delayMs: 15000 }
`;

function problems(text: string): ConfigProblem[] {
  try {
    parseConfigText(text, 'clinic.yaml', inputs);
  } catch (err) {
    if (isVigilError(err, 'CONFIG_INVALID')) return err.context['problems'] as ConfigProblem[];
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('loads a valid file and fills defaults', () => {
    const cfg = parseConfigText(VALID, 'clinic.yaml', inputs);
    expect(cfg.station).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(cfg.logging.level).toBe('info');
    expect(cfg.simulation.enabled).toBe(false);
    const bed = cfg.beds[0]!;
    expect(bed.devices[0]!.options).toEqual({ communicationLostAfterMs: 3000 });
    expect(bed.alarms.limits.spo2).toEqual({ low: 90, high: null, priority: 'high', delayMs: 15000 });
    expect(bed.alarms.profile).toBeUndefined();
    expect(bed.patient.timeScale).toBe(1);
  });

  it('reports a YAML syntax error with its line', () => {
    const [p] = problems('beds:\n  - id: bed-1\n    label: [unclosed\n');
    expect(p!.message).toMatch(/^YAML syntax/);
    expect(p!.line).toBeGreaterThanOrEqual(3);
  });

  it('names a wrong type, with the value found and its line', () => {
    const [p, ...rest] = problems(VALID.replace('port: 9090', 'port: "eighty"'));
    expect(rest).toEqual([]);
    expect(p!.path).toBe('station.port');
    expect(p!.message).toContain('"eighty"');
    expect(p!.line).toBe(2);
  });

  it('names a missing required setting', () => {
    const [p] = problems(VALID.replace('    label: Bed 1\n', ''));
    expect(p!.path).toBe('beds[0].label');
    expect(p!.message).toBe('is required');
  });

  it('refuses an unknown setting (a misspelt limit never falls back to a default)', () => {
    const [p] = problems(VALID.replace('delayMs: 15000', 'delayMS: 15000'));
    expect(p!.path).toBe('beds[0].alarms.limits.spo2.delayMS');
    expect(p!.message).toBe('unknown setting "delayMS"');
  });

  it('refuses an alarm limit outside the plausible range of its metric', () => {
    const [p] = problems(VALID.replace('low: 90', 'low: 900'));
    expect(p!.path).toBe('beds[0].alarms.limits.spo2.low');
    expect(p!.message).toContain('between 50 and 100');
  });

  it('refuses low above high', () => {
    const [p] = problems(VALID.replace('low: 90,', 'low: 90, high: 80,'));
    expect(p!.path).toBe('beds[0].alarms.limits.spo2');
    expect(p!.message).toBe('low must be below high');
  });

  it('refuses an unknown driver and lists the known ones', () => {
    const [p] = problems(VALID.replace('driver: test-oximeter', 'driver: masimo-typo'));
    expect(p!.path).toBe('beds[0].devices[0].driver');
    expect(p!.message).toContain('test-oximeter');
  });

  it("checks a device's options with its driver's own schema", () => {
    const text = VALID.replace('simulator: { model: masimo-radical-7 }', 'options: { communicationLostAfterMs: 10 }');
    const [p] = problems(text);
    expect(p!.path).toBe('beds[0].devices[0].options.communicationLostAfterMs');
  });

  it('refuses a bad transport URL with the reason', () => {
    const [p] = problems(VALID.replace('tcp://127.0.0.1:4101', 'tcp://127.0.0.1'));
    expect(p!.path).toBe('beds[0].devices[0].transport');
    expect(p!.message).toMatch(/port/i);
  });

  it('refuses duplicate bed ids and a bad id', () => {
    const twoBeds = VALID + VALID.split('beds:\n')[1]!;
    const found = problems(twoBeds.replace(/id: oximeter/, 'id: Oximeter 1'));
    expect(found.map((p) => p.path)).toEqual(expect.arrayContaining(['beds[0].devices[0].id', 'beds[1].id']));
    expect(found.find((p) => p.path === 'beds[1].id')!.message).toBe('duplicate bed id "bed-1"');
  });

  it('reports every problem at once', () => {
    const text = VALID.replace('port: 9090', 'port: 70000').replace('low: 90', 'low: 900').replace('session: iv-ketamine', 'session: ketamine');
    expect(problems(text).map((p) => p.path).sort()).toEqual([
      'beds[0].alarms.limits.spo2.low',
      'beds[0].session',
      'station.port',
    ]);
  });

  it('refuses a simulated device that is not on loopback when simulation is on', () => {
    const text = VALID.replace('station:', 'simulation: { enabled: true }\nstation:').replace('127.0.0.1:4101', '10.0.0.5:4001');
    const [p] = problems(text);
    expect(p!.path).toBe('beds[0].devices[0].transport');
  });

  it('names the file in the message, and a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, VALID.replace('port: 9090', 'port: -1'));
    expect(() => loadConfigFile(file, inputs)).toThrow(new RegExp(`${file}:2:\\d+ +station.port`));
    expect(() => loadConfigFile(join(dir, 'none.yaml'), inputs)).toThrow(/no such configuration file/);
  });
});
