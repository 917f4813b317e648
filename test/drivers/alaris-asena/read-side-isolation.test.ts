import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Relative imports of a TypeScript file (static `import`/`export ... from` and dynamic `import()`), as .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] as string);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every file reachable from `entry` through relative imports, as paths relative to the repo. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [resolve(root, entry)];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    const rel = relative(root, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    stack.push(...importsOf(file));
  }
  return seen;
}

describe('safety: the read side cannot reach the programming commands', () => {
  it('the import graph finds what it should (self-check)', () => {
    const graph = reachable('drivers/alaris-asena/asena-driver.ts');
    expect(graph).toContain('drivers/alaris-asena/messages.ts');
    expect(graph).toContain('drivers/shared/command-queue.ts');
    expect(reachable('drivers/alaris-asena/programming-commands.ts')).toContain('drivers/alaris-asena/programming-commands.ts');
  });

  it('asena-driver.ts does not import programming-commands.ts, directly or indirectly', () => {
    expect(reachable('drivers/alaris-asena/asena-driver.ts')).not.toContain('drivers/alaris-asena/programming-commands.ts');
  });

  it('the simulator uses only crc16 and the frame codec from driver code, never the driver', () => {
    const dir = join(root, 'simulators/alaris-asena');
    const driverFiles = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      for (const dep of reachable(`simulators/alaris-asena/${f}`)) if (dep.startsWith('drivers/')) driverFiles.add(dep);
    }
    // Of the Asena driver, only the frame codec; of other driver code, only CRCs and the
    // Modbus map schema (reached through the simulators' shared event types).
    const files = [...driverFiles].sort();
    expect(files).toContain('drivers/alaris-asena/frame-codec.ts');
    expect(files.filter((f) => f.startsWith('drivers/alaris-asena/') && f !== 'drivers/alaris-asena/frame-codec.ts')).toEqual([]);
    expect(files.filter((f) => !f.startsWith('drivers/alaris-asena/') && !/(crc[^/]*|register-map)\.ts$/.test(f))).toEqual([]);
  });
});
