import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/core/errors.js';
import type { ConfigProblem } from '../../../src/config/validated-yaml.js';
import { parseConfigText } from '../../../src/config/load-config.js';
import type { DriverDefinition } from '../../../src/device/device-driver.js';
import { clearRegisterMapCache, loadRegisterMap, resolveMapFile } from '../../../drivers/modbus/map-loader.js';
import { modbusDriver, modbusOptionsSchema } from '../../../drivers/modbus/modbus-driver.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/modbus-maps');
const dir = mkdtempSync(join(tmpdir(), 'vigil-maps-'));
let n = 0;
afterEach(() => clearRegisterMapCache());

/** Writes a map file and returns its path. */
function mapFile(text: string): string {
  const file = join(dir, `map-${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}

const BASE = `
model: small
description: a small test map
pollGroups:
  - { id: fast, table: holding, start: 10, count: 4, periodMs: 1000 }
`;

function problems(text: string): ConfigProblem[] {
  try {
    loadRegisterMap(mapFile(text));
  } catch (err) {
    if (isVigilError(err, 'CONFIG_INVALID')) return err.context['problems'] as ConfigProblem[];
    throw err;
  }
  throw new Error('expected the map to be refused');
}

describe('register map files', () => {
  it('loads a valid map with its defaults', () => {
    const { map, file } = loadRegisterMap(join(FIXTURES, 'test-monitor.yaml'));
    expect(file).toBe(join(FIXTURES, 'test-monitor.yaml'));
    expect(map.defaultUnitId).toBe(17);
    expect(map.metrics.find((m) => m.metric === 'heart-rate')).toMatchObject({ scale: 1, offset: 0, wordOrder: 'big', invalid: [0xffff] });
    expect(map.statusBits[0]).toMatchObject({ code: 'SENSOR_OFF', kind: 'technical' });
    expect(loadRegisterMap(mapFile(BASE)).map).toMatchObject({ defaultUnitId: 1, metrics: [], statusBits: [] });
  });

  it('looks a map name up in config/modbus-maps and a path as a path', () => {
    expect(resolveMapFile('reference-monitor', '/opt/maps')).toBe('/opt/maps/reference-monitor.yaml');
    expect(resolveMapFile('/etc/vigil/x.yaml')).toBe('/etc/vigil/x.yaml');
    expect(resolveMapFile('maps/x.yaml')).toBe(resolve('maps/x.yaml'));
  });

  it('refuses an unknown metric, naming the path and line', () => {
    const [p, ...more] = problems(`${BASE}metrics:\n  - { metric: blood-sugar, group: fast, register: 10, unit: mg/dL }\n`);
    expect(more).toEqual([]);
    expect(p).toMatchObject({ path: 'metrics[0].metric', line: 7 });
  });

  it('refuses a unit that is not the metric\'s unit (no silent conversion)', () => {
    const [p] = problems(`${BASE}metrics:\n  - { metric: temp-body, group: fast, register: 10, unit: degF }\n`);
    expect(p).toMatchObject({ path: 'metrics[0].unit', message: 'temp-body is measured in Cel, not degF' });
  });

  it('refuses a register outside its poll group, a 32-bit value running past it, and an unknown group', () => {
    expect(problems(`${BASE}metrics:\n  - { metric: spo2, group: fast, register: 14, unit: '%' }\n`)[0]).toMatchObject({
      path: 'metrics[0].register',
      message: expect.stringContaining('outside poll group "fast" (10-13)'),
    });
    expect(problems(`${BASE}metrics:\n  - { metric: spo2, group: fast, register: 13, type: float32, unit: '%' }\n`)[0]).toMatchObject({
      path: 'metrics[0].register',
      message: expect.stringContaining('register 13-14'),
    });
    expect(problems(`${BASE}statusBits:\n  - { group: slow, register: 10, bit: 0, code: SENSOR_OFF, label: off }\n`)[0]).toMatchObject({
      path: 'statusBits[0].group',
    });
  });

  it('refuses a duplicate poll group', () => {
    const [p] = problems(`${BASE}  - { id: fast, table: input, start: 0, count: 2, periodMs: 1000 }\n`);
    expect(p).toMatchObject({ path: 'pollGroups[1].id', message: 'duplicate poll group "fast"', line: 6 });
  });

  it('refuses a pump without a pump-rate metric to read back', () => {
    const text = `${BASE}pump:
  running: { group: fast, register: 10, bit: 0 }
  rateChange: [ { op: write-target, value: { register: 20 } } ]
  stop: [ { op: write, register: 21, value: 1 } ]
  rateRangeMlPerHour: { min: 0.1, max: 100 }
`;
    const [p, ...more] = problems(text);
    expect(more).toEqual([]);
    expect(p).toMatchObject({ path: 'pump', message: 'a pump map needs a pump-rate metric for the read-back' });
  });

  it('reports the file and each problem in the message, and a missing map by its name', () => {
    try {
      loadRegisterMap(mapFile(`${BASE}unknownKey: 1\n`));
      expect.unreachable();
    } catch (err) {
      expect(isVigilError(err, 'CONFIG_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(/^Invalid register map .*map-\d+\.yaml \(1 problem\):\n.*map-\d+\.yaml:6:\d+ {2}unknownKey: unknown setting "unknownKey"$/);
    }
    expect(() => loadRegisterMap('no-such-map', dir)).toThrow(/register map "no-such-map" not found: no file .*no-such-map\.yaml/);
  });

  it('the maps shipped in config/modbus-maps are valid', () => {
    for (const name of ['reference-monitor', 'reference-syringe-pump']) {
      expect(loadRegisterMap(name).map.model).toBe(name);
    }
  });
});

describe('modbus driver options', () => {
  it('load the map, fill defaults and take the unit id from the map', () => {
    const options = modbusOptionsSchema.parse({ map: join(FIXTURES, 'test-monitor.yaml') });
    expect(options).toMatchObject({ unitId: 17, framing: 'rtu', timeoutMs: 1000, errorThreshold: 3, communicationLostAfterMs: 10_000 });
    expect(options.registerMap.model).toBe('test-monitor');
    expect(modbusOptionsSchema.parse({ map: join(FIXTURES, 'test-monitor.yaml'), unitId: 5, framing: 'tcp' })).toMatchObject({ unitId: 5, framing: 'tcp' });
  });

  it('make an unknown or invalid map a configuration error at options.map', () => {
    const unknown = modbusOptionsSchema.safeParse({ map: join(dir, 'nope.yaml') });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]).toMatchObject({ path: ['map'], message: expect.stringContaining('not found') });
    const invalid = modbusOptionsSchema.safeParse({ map: mapFile(`${BASE}metrics:\n  - { metric: spo2, group: fast, register: 99, unit: '%' }\n`) });
    expect(invalid.error?.issues[0]).toMatchObject({ path: ['map'], message: expect.stringContaining('metrics[0].register') });
  });

  it('refuse a communication-lost time shorter than 3 poll periods of the fastest group', () => {
    const r = modbusOptionsSchema.safeParse({ map: join(FIXTURES, 'test-monitor.yaml'), communicationLostAfterMs: 2500 });
    expect(r.error?.issues[0]).toMatchObject({ path: ['communicationLostAfterMs'], message: expect.stringContaining('at least 3000 ms') });
    expect(modbusOptionsSchema.safeParse({ map: join(FIXTURES, 'test-monitor.yaml'), communicationLostAfterMs: 3000 }).success).toBe(true);
  });

  it('say a device can be programmed only when its map has a pump section', () => {
    const monitor = modbusOptionsSchema.parse({ map: join(FIXTURES, 'test-monitor.yaml') });
    const pump = modbusOptionsSchema.parse({ map: join(FIXTURES, 'test-pump.yaml') });
    expect(modbusDriver.canProgram(monitor)).toBe(false);
    expect(modbusDriver.canProgram(pump)).toBe(true);
    expect(modbusDriver.serialDefaults).toEqual({ baudRate: 19_200, dataBits: 8, parity: 'even', stopBits: 1 });
  });
});

describe('a configuration using the modbus driver', () => {
  const config = (map: string) => `
beds:
  - id: bed-1
    label: Bed 1
    devices:
      - id: monitor
        driver: modbus
        transport: tcp://10.0.0.40:502
        options: { map: '${map}', framing: tcp }
`;
  const inputs = { drivers: [modbusDriver as DriverDefinition], simulatorModels: ['none'] };

  it('is valid with a valid map, and carries the loaded map', () => {
    const cfg = parseConfigText(config(join(FIXTURES, 'test-monitor.yaml')), 'clinic.yaml', inputs);
    expect(cfg.beds[0]?.devices[0]?.options).toMatchObject({ framing: 'tcp', unitId: 17, registerMap: { model: 'test-monitor' } });
  });

  it('names options.map, with the map file\'s own line and path, when the map is invalid', () => {
    const bad = mapFile(`${BASE}metrics:\n  - { metric: temp-body, group: fast, register: 10, unit: degC }\n`);
    try {
      parseConfigText(config(bad), 'clinic.yaml', inputs);
      expect.unreachable();
    } catch (err) {
      const [p] = (isVigilError(err, 'CONFIG_INVALID') ? err.context['problems'] : []) as ConfigProblem[];
      expect(p?.path).toBe('beds[0].devices[0].options.map');
      expect(p?.line).toBe(9);
      expect(p?.message).toContain(`${bad}:7:`);
      expect(p?.message).toContain('metrics[0].unit: temp-body is measured in Cel, not degC');
    }
  });
});
