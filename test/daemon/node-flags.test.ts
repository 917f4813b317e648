import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { DAEMON_NODE_FLAGS, missingDaemonFlags, missingFlagsHint } from '../../src/daemon/node-flags.js';

describe('the daemon\'s Node flags', () => {
  it('npm start passes every one of them', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const nodeArgs = /\bnode((?: --[^\s]+)*) bin\/vigil\.js start/.exec(pkg.scripts.start ?? '')?.[1]?.trim().split(' ') ?? [];
    expect(nodeArgs).toEqual([...DAEMON_NODE_FLAGS]);
  });

  it('are flags this Node accepts (a misspelt one would stop npm start)', () => {
    const run = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, '-e', ''], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('tells which are missing, from the command line or NODE_OPTIONS, whatever their value', () => {
    expect(missingDaemonFlags([], '')).toEqual([...DAEMON_NODE_FLAGS]);
    expect(missingDaemonFlags(['--max-semi-space-size=4'], '')).toEqual(['--heap-growing-percent=30']);
    expect(missingDaemonFlags(['--max-semi-space-size=4', '--heap-growing-percent=50'], '')).toEqual([]);
    expect(missingDaemonFlags(['--heap-growing-percent=30'], '--inspect --max-semi-space-size=2')).toEqual([]);
  });

  it('does not count a flag Node refuses in NODE_OPTIONS as given there', () => {
    expect(missingDaemonFlags([], '--max-semi-space-size=2 --heap-growing-percent=30')).toEqual(['--heap-growing-percent=30']);
  });

  it('the start hint names the flags and the script being run', () => {
    expect(missingFlagsHint(['--heap-growing-percent=30'], '/opt/vigil/bin/vigil.js')).toContain('run node --heap-growing-percent=30 /opt/vigil/bin/vigil.js start');
  });
});
