/**
 * `npm run bench`: builds nothing itself (the npm script compiles with tsconfig.bench.json
 * first), runs the benchmark plan with the gateway in a child process, prints the tables
 * and writes bench/results.json. Options: see parseBenchArgs (bench-plan.ts), e.g.
 *   npm run bench -- --quick
 *   npm run bench -- --sizes 100,500 --no-waveforms --profile
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/core/package-root.js';
import { parseBenchArgs } from './bench-plan.js';
import { writeBenchProfile } from './bench-profile.js';
import { runBench } from './bench-runner.js';
import { formatProfileSummary } from './cpu-profile-summary.js';
import { childProcessGateway, pinToCpus } from './gateway-host.js';
import { DAEMON_NODE_FLAGS } from '../src/daemon/node-flags.js';
import { formatResults } from './results-table.js';

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2), join(packageRoot(), 'bench', 'results.json'));
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    const profilePath = writeBenchProfile(work);
    const cpuCount = availableParallelism();
    const pinned = args.pin && process.platform === 'linux' && cpuCount >= 2;
    // The gateway gets a CPU of its own; the emulators and the station client share the rest.
    if (pinned) pinToCpus(process.pid, Array.from({ length: cpuCount - 1 }, (_, i) => i));
    const script = join(dirname(fileURLToPath(import.meta.url)), 'gateway-child.js');
    const launch = childProcessGateway({ script, ...(pinned ? { cpu: cpuCount - 1 } : {}), ...(args.nodeFlags ? { nodeFlags: args.nodeFlags } : {}) });
    const results = await runBench({
      plan: args.plan,
      launch,
      profilePath,
      // dist/ is not committed: the .cpuprofile (open it in Chrome DevTools) stays local.
      ...(args.profile ? { cpuProfileDir: join(packageRoot(), 'dist', 'bench') } : {}),
      progress: (line) => console.log(`[bench] ${line}`),
      gatewayNodeFlags: args.nodeFlags ?? DAEMON_NODE_FLAGS,
    });
    console.log('');
    console.log(formatResults(results));
    if (results.profile) console.log(`\n${formatProfileSummary(results.profile)}`);
    for (const f of results.failures) console.log(`FAILED: ${f.scenario.beds} beds${f.scenario.nonin ? ' + waveform' : ''}: ${f.error}`);
    writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults: ${args.out} (${(results.durationMs / 1000).toFixed(0)} s)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
