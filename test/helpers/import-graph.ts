import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One module's runtime imports (type-only imports are left out: they load nothing). */
export type ImportGraph = Map<string, string[]>;

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The runtime import graph of the project's own modules under `roots`, keyed by path
 * relative to `base` (e.g. `src/alarms/limit-alarm.ts`). Only relative specifiers are
 * followed; `.js` specifiers map to their `.ts` sources.
 */
export function buildImportGraph(base: string, roots: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const root of roots) {
    for (const file of listTs(join(base, root))) {
      const text = readFileSync(file, 'utf8');
      const deps: string[] = [];
      for (const m of text.matchAll(IMPORT)) {
        const [, , typeOnly, spec] = m;
        if (typeOnly || !spec || !spec.startsWith('.')) continue;
        // `import { type A, type B } from` loads nothing either.
        const named = m[0].match(/^\s*(?:import|export)\s*\{([^}]*)\}\s*from/);
        const names = named?.[1]?.split(',').map((n) => n.trim()).filter(Boolean) ?? [];
        if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
        deps.push(relative(base, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
      }
      graph.set(relative(base, file), deps);
    }
  }
  return graph;
}

/** Every module reachable from `start` (excluding itself), with one path to each. */
export function reachable(graph: ImportGraph, start: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const dep of graph.get(current) ?? []) {
      if (paths.has(dep)) continue;
      paths.set(dep, [...paths.get(current)!, dep]);
      queue.push(dep);
    }
  }
  paths.delete(start);
  return paths;
}
