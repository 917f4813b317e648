import { parseArgs } from 'node:util';
import { describeError, isVigilError } from '../core/errors.js';
import { formatAuditEntry, formatVerifyResult } from '../audit/audit-format.js';
import { AuditLog } from '../audit/audit-log.js';
import { openDatabase } from '../store/database.js';
import { UserStore } from '../users/user-store.js';
import type { CliIo } from './users-command.js';

const USAGE = `Usage: vigil audit <command>

Commands:
  verify
      Recompute the hash chain of the whole audit log. Prints "audit log OK: N entries"
      and exits 0, or names the first bad entry and exits 1.
  tail [-n 20] [--subject <subject>] [--json]
      Show the most recent entries, oldest first.`;

const OPTIONS = {
  lines: { type: 'string', short: 'n' },
  subject: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MAX_TAIL = 1000;

class UsageError extends Error {}

/**
 * `vigil audit ...`: `argv` is what follows `audit` (a leading `audit` is tolerated).
 * Exit codes: 0 done (verify: chain intact), 1 failed (verify: chain broken), 2 usage error.
 * Never creates a database: a missing file is an error, not an empty, "OK" log.
 */
export async function runAuditCommand(argv: string[], io: CliIo, databasePath: string): Promise<number> {
  const args = argv[0] === 'audit' ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    switch (command) {
      case 'verify':
        return verify(io, databasePath);
      case 'tail':
        return tail(parseCount(values.lines), values.subject, values.json === true, io, databasePath);
      case undefined:
        throw new UsageError('missing command');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`vigil audit: ${err.message}\nRun "vigil audit --help" for usage.`);
      return 2;
    }
    io.err(`vigil audit: ${isVigilError(err) ? err.message : describeError(err)}`);
    return 1;
  }
}

function verify(io: CliIo, databasePath: string): number {
  const database = openDatabase(databasePath, { mustExist: true });
  try {
    const result = new AuditLog(database).verify();
    if (result.ok) {
      io.out(formatVerifyResult(result));
      return 0;
    }
    io.err(formatVerifyResult(result));
    return 1;
  } finally {
    database.close();
  }
}

function tail(count: number, subject: string | undefined, json: boolean, io: CliIo, databasePath: string): number {
  const database = openDatabase(databasePath, { mustExist: true });
  try {
    const audit = new AuditLog(database);
    const entries = audit.query(subject === undefined ? { limit: count } : { limit: count, subject });
    if (json) {
      io.out(entries.map((e) => JSON.stringify(e)).join('\n'));
      return 0;
    }
    if (entries.length === 0) {
      io.out('audit log is empty');
      return 0;
    }
    const users = new UserStore(database, audit);
    const actorLabel = (actor: string): string | undefined => {
      const match = /^user:(\d+)$/.exec(actor);
      return match ? users.findById(Number(match[1]))?.username : undefined;
    };
    io.out(entries.map((e) => formatAuditEntry(e, actorLabel)).join('\n'));
    return 0;
  } finally {
    database.close();
  }
}

function parseCount(value: string | undefined): number {
  if (value === undefined) return 20;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_TAIL) {
    throw new UsageError(`-n must be a whole number from 1 to ${MAX_TAIL}`);
  }
  return Number(value);
}
