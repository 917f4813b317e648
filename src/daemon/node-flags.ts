/**
 * Node/V8 flags the daemon is meant to run with (`npm start` passes them; the benchmark's
 * gateway process runs with them, so it measures what ships).
 *
 * `--max-semi-space-size=2` caps the young generation at 2 MB semi-spaces. The gateway
 * allocates steadily (a JSON message per observation, parsed frames) and almost all of
 * it dies young; with V8's default (up to 16 MB semi-spaces, sized by allocation rate)
 * the heap reserved grows with the number of beds although the live heap does not. Capped,
 * scavenges are more frequent and each shorter: at 500 beds RSS falls from about 236 MB
 * to 171 MB for about 3 points more CPU (docs/benchmark.md).
 *
 * `--heap-growing-percent=30` lets the old generation grow to 1.3 times the live heap
 * before the next full collection instead of V8's own factor (up to 4 times when the
 * collector is fast compared to the allocation, which it is here). The live heap of a
 * gateway is small and steady (about 100 KB a bed), so the headroom was most of the RSS:
 * RSS per added bed (100 -> 500 beds) fell from 305 KB to 133-148 KB in three runs, with
 * the same share of time in GC pauses (docs/benchmark.md). V8 does not take this flag from
 * NODE_OPTIONS: it must be on the node command line.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--heap-growing-percent=30'];

/** V8 flags Node refuses in NODE_OPTIONS (`node: ... is not allowed in NODE_OPTIONS`). */
const COMMAND_LINE_ONLY = new Set(['--heap-growing-percent']);

/** The flags of DAEMON_NODE_FLAGS this process was not started with (process.execArgv, or NODE_OPTIONS for the flags Node takes from it). */
export function missingDaemonFlags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/).filter((f) => !COMMAND_LINE_ONLY.has(f.split('=')[0]!))].map((f) => f.split('=')[0]));
  return DAEMON_NODE_FLAGS.filter((flag) => !given.has(flag.split('=')[0]));
}

/** What `vigil start` logs when flags are missing: the command that would pass them, with the script being run. */
export function missingFlagsHint(missing: readonly string[], script: string = process.argv[1] ?? 'bin/vigil.js'): string {
  return `running without the daemon's Node flags: memory grows faster with many beds (run node ${missing.join(' ')} ${script} start ...; npm start does)`;
}
