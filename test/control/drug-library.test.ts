import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from '../../src/config/validated-yaml.js';
import { isVigilError } from '../../src/core/errors.js';
import { defaultDrugLibraryPath, findDrug, loadDrugLibrary, parseDrugLibrary } from '../../src/config/drug-library.js';

const KETAMINE = `drugs:
  - id: ketamine
    name: Ketamine
    highAlert: true
    dosingUnit: mg/kg/h
    concentrationsMgPerMl: [1, 2, 10]
    limits: { hardMin: 0.05, softMin: 0.15, softMax: 1.5, hardMax: 2.0 }
`;

function problems(text: string): ConfigProblem[] {
  try {
    parseDrugLibrary(text, 'drugs.yaml');
  } catch (err) {
    if (isVigilError(err, 'CONFIG_INVALID')) return err.context['problems'] as ConfigProblem[];
    throw err;
  }
  throw new Error('expected the drug library to be refused');
}

describe('the shipped drug library', () => {
  it('loads, with the ketamine defaults of the clinical reference', () => {
    const library = loadDrugLibrary(defaultDrugLibraryPath());
    expect(findDrug(library, 'ketamine')).toEqual({
      id: 'ketamine',
      name: 'Ketamine',
      highAlert: true,
      dosingUnit: 'mg/kg/h',
      concentrationsMgPerMl: [1, 2, 10],
      limits: { softMin: 0.15, softMax: 1.5, hardMin: 0.05, hardMax: 2 },
    });
    expect(findDrug(library, 'propofol')).toBeUndefined();
  });
});

describe('drug library validation', () => {
  it('accepts a valid library', () => {
    expect(parseDrugLibrary(KETAMINE, 'drugs.yaml').drugs).toHaveLength(1);
  });

  it('refuses limits out of order, naming each with its line', () => {
    const found = problems(KETAMINE.replace('{ hardMin: 0.05, softMin: 0.15, softMax: 1.5, hardMax: 2.0 }', '{ hardMin: 0.2, softMin: 0.15, softMax: 2.5, hardMax: 2.0 }'));
    expect(found.map((p) => [p.path, p.message])).toEqual([
      ['drugs[0].limits.hardMin', 'hardMin 0.2 must not be above softMin 0.15'],
      ['drugs[0].limits.softMax', 'softMax 2.5 must not be above hardMax 2'],
    ]);
    expect(found[0]?.line).toBe(7);
  });

  it('refuses softMin not below softMax', () => {
    const found = problems(KETAMINE.replace('softMin: 0.15', 'softMin: 1.5'));
    expect(found.map((p) => p.path)).toEqual(['drugs[0].limits.softMin']);
  });

  it('refuses a bad unit, a missing field, an unknown key, a non-positive limit, no concentration', () => {
    const text = `drugs:
  - id: ketamine
    name: Ketamine
    dosingUnit: mg/h
    concentrationsMgPerMl: []
    colour: red
    limits: { hardMin: 0, softMin: 0.15, softMax: 1.5, hardMax: 2.0 }
`;
    const found = problems(text);
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['drugs[0].highAlert', 'drugs[0].dosingUnit', 'drugs[0].concentrationsMgPerMl', 'drugs[0].colour', 'drugs[0].limits.hardMin']),
    );
    expect(found.find((p) => p.path === 'drugs[0].highAlert')?.message).toBe('is required');
    expect(found.find((p) => p.path === 'drugs[0].colour')?.message).toBe('unknown setting "colour"');
  });

  it('refuses duplicate drug ids and repeated concentrations', () => {
    const twice = KETAMINE + KETAMINE.replace('drugs:\n', '').replace('[1, 2, 10]', '[1, 1]');
    const paths = problems(twice).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['drugs[1].id', 'drugs[1].concentrationsMgPerMl']));
  });

  it('refuses YAML syntax errors and an empty library', () => {
    expect(problems('drugs: [\n')[0]?.message).toMatch(/^YAML syntax/);
    expect(problems('drugs: []\n')[0]?.message).toBe('the drug library needs at least one drug');
  });

  it('names the file in the message and gives CONFIG_NOT_FOUND for a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-drugs-'));
    try {
      const file = join(dir, 'drug-library.yaml');
      writeFileSync(file, KETAMINE.replace('hardMax: 2.0', 'hardMax: -1'));
      expect(() => loadDrugLibrary(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(`${file}:7:`) }));
      expect(() => loadDrugLibrary(join(dir, 'missing.yaml'))).toThrow(expect.objectContaining({ code: 'CONFIG_NOT_FOUND' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
