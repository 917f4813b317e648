/**
 * Safety rule 1, checked on the code itself (docs/safety.md): the pump programming door
 * (src/control/ and the pump families' programming codecs) is reachable at run time only
 * from src/control/ and from the daemon's wiring. Nothing in the alarm, bus, station,
 * transport, driver or simulator code can load it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImportGraph, reachable } from '../helpers/import-graph.js';

const ROOT = join(import.meta.dirname, '..', '..');
const graph = buildImportGraph(ROOT, ['src', 'drivers', 'simulators']);

const isDoor = (m: string) => m.startsWith('src/control/') || /\/programming-commands\.ts$/.test(m);
/** Who may hold the door: the control module itself and the daemon that wires it (and the CLI that starts the daemon). */
const mayReachDoor = (m: string) => m.startsWith('src/control/') || m.startsWith('src/daemon/') || m === 'src/cli/main.ts' || m === 'src/cli/start-command.ts';

describe('the pump programming boundary', () => {
  it('the graph covers the code (sanity: the parser finds imports)', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('src/daemon/daemon.ts')).toContain('src/daemon/alarm-wiring.ts');
    expect(graph.get('src/control/asena/asena-executor.ts')).toContain('drivers/alaris-asena/programming-commands.ts');
  });

  it('no module outside src/control/ and the daemon wiring can load the programming door', () => {
    const offenders: string[] = [];
    for (const module of graph.keys()) {
      if (mayReachDoor(module)) continue;
      for (const [dep, path] of reachable(graph, module)) {
        if (isDoor(dep)) {
          offenders.push(path.join(' -> '));
          break;
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the alarm path, the station, the bus and the drivers are among the modules checked', () => {
    const checked = [...graph.keys()].filter((m) => !mayReachDoor(m));
    for (const prefix of ['src/alarms/', 'src/station/', 'src/bus/', 'src/transport/', 'drivers/alaris-asena/', 'drivers/masimo-ascii/', 'drivers/modbus/', 'drivers/nonin/', 'drivers/ne1000/', 'simulators/']) {
      expect(checked.some((m) => m.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('only src/control/ loads a programming codec', () => {
    const loaders = [...graph.entries()]
      .filter(([, deps]) => deps.some((d) => /\/programming-commands\.ts$/.test(d)))
      .map(([m]) => m);
    expect(loaders.length).toBeGreaterThan(0);
    expect(loaders.filter((m) => !m.startsWith('src/control/'))).toEqual([]);
  });

  it('only the daemon wiring hands out command and register lanes', () => {
    const granters = [...graph.keys()].filter((m) => /(commandLaneGrant|registerLaneGrant)\s*:/.test(readSource(m)));
    expect(granters.length).toBeGreaterThan(0);
    expect(granters.filter((m) => !m.startsWith('src/daemon/'))).toEqual([]);
  });
});

function readSource(module: string): string {
  return readFileSync(join(ROOT, module), 'utf8');
}
