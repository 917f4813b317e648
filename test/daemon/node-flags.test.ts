import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { DAEMON_NODE_FLAGS, missingDaemonFlags } from '../../src/daemon/node-flags.js';

describe('the daemon\'s Node flags', () => {
  it('npm start passes every one of them', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const flag of DAEMON_NODE_FLAGS) expect(pkg.scripts.start).toContain(`node ${flag}`);
  });

  it('tells which are missing, from the command line or NODE_OPTIONS, whatever their value', () => {
    expect(missingDaemonFlags([], '')).toEqual([...DAEMON_NODE_FLAGS]);
    expect(missingDaemonFlags(['--max-semi-space-size=4'], '')).toEqual([]);
    expect(missingDaemonFlags([], '--inspect --max-semi-space-size=2')).toEqual([]);
  });
});
