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
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** The flags of DAEMON_NODE_FLAGS this process was not started with (process.execArgv or NODE_OPTIONS). */
export function missingDaemonFlags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0]));
  return DAEMON_NODE_FLAGS.filter((flag) => !given.has(flag.split('=')[0]));
}
