/**
 * The safety boundary: the station may name the control module's TYPES, never load its
 * code (so nothing in the station can reach a pump's programming interface).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

const stationDir = join(packageRoot(), 'src/station');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import/export-from statement and dynamic import of a file: [statement, specifier]. */
function importsOf(text: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const m of text.matchAll(/^\s*(import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gms)) found.push([m[0].trim(), m[2] ?? '']);
  for (const m of text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push([m[0].trim(), m[1] ?? '']);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g)) found.push([m[0], m[1] ?? '']);
  return found;
}

describe('station -> control boundary', () => {
  const files = sourceFiles(stationDir);

  it('finds the station sources and their control imports', () => {
    expect(files.length).toBeGreaterThan(10);
    const all = files.flatMap((f) => importsOf(readFileSync(f, 'utf8')));
    expect(all.some(([, spec]) => spec.includes('/control/'))).toBe(true);
  });

  it('imports only types from src/control', () => {
    const offending: string[] = [];
    for (const file of files) {
      for (const [statement, spec] of importsOf(readFileSync(file, 'utf8'))) {
        if (!/(^|\/)control\//.test(spec)) continue;
        if (!/^(import|export)\s+type\b/.test(statement)) offending.push(`${relative(stationDir, file)}: ${statement.split('\n')[0]}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('recognises a value import of src/control as a violation', () => {
    const sample = "import { ControlService } from '../control/control-service.js';\nimport type { ControlApi } from '../control/control-api.js';";
    const bad = importsOf(sample).filter(([s, spec]) => spec.includes('control/') && !/^(import|export)\s+type\b/.test(s));
    expect(bad.map(([, spec]) => spec)).toEqual(['../control/control-service.js']);
  });
});
