import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where `vigil sim` writes (each call is one line or block, no trailing newline). */
export interface SimCliIo {
  out(text: string): void;
  err(text: string): void;
  /** Ends `vigil sim run` like SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
}

/** The daemon's default control API address (`vigil sim list` / `event` default). */
export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:8081';

/** A mistake on the command line: printed with a hint and exit code 2. */
export class UsageError extends Error {}

/** node:util parseArgs, with its errors turned into UsageError. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Parses a numeric option; `integer` also requires a whole number. */
export function numberOption(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name}: "${value}" is not ${integer ? 'a whole number' : 'a number'}`);
  }
  return n;
}
