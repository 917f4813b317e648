import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { describeError, isVigilError } from '../core/errors.js';
import type { AuditActor } from '../audit/audit-actions.js';
import { AuditLog } from '../audit/audit-log.js';
import { openDatabase } from '../store/database.js';
import { UserStore } from '../users/user-store.js';
import { USER_ROLES, type User } from '../users/user.js';

/** Output and input of a CLI command. `readPassword` reads one line (without echo on a terminal). */
export interface CliIo {
  out(s: string): void;
  err(s: string): void;
  readPassword?: () => Promise<string>;
}

const USAGE = `Usage: vigil users <command>

Commands:
  add <username> --role <${USER_ROLES.join('|')}> --name "<display name>" [--password-stdin]
      Add a user. The password is prompted for twice, or read as one line from
      standard input with --password-stdin.
  list [--json]
      List users.
  disable <username> [--reason "<text>"]
      Disable a user and end their sessions. Users are never deleted.

Every change is written to the audit log as actor cli:<your OS user>.`;

const OPTIONS = {
  role: { type: 'string' },
  name: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

/**
 * `vigil users ...`: `argv` is what follows `users` (a leading `users` is tolerated).
 * Exit codes: 0 done, 1 failed (error on `err`), 2 usage error.
 */
export async function runUsersCommand(argv: string[], io: CliIo, databasePath: string): Promise<number> {
  const args = argv[0] === 'users' ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    switch (command) {
      case 'add':
        return await add(rest, values, io, databasePath);
      case 'list':
        expectArgs(rest, 0, 'list');
        return list(values.json === true, io, databasePath);
      case 'disable':
        expectArgs(rest, 1, 'disable <username>');
        return disable(rest[0] ?? '', values.reason, io, databasePath);
      case undefined:
        throw new UsageError('missing command');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`vigil users: ${err.message}\nRun "vigil users --help" for usage.`);
      return 2;
    }
    io.err(`vigil users: ${isVigilError(err) ? err.message : describeError(err)}`);
    return 1;
  }
}

async function add(
  rest: string[],
  values: { role?: string; name?: string; 'password-stdin'?: boolean },
  io: CliIo,
  databasePath: string,
): Promise<number> {
  expectArgs(rest, 1, 'add <username>');
  const username = rest[0] ?? '';
  if (!values.role) throw new UsageError(`--role is required (${USER_ROLES.join(', ')})`);
  if (!values.name) throw new UsageError('--name is required');
  const password = await readNewPassword(username, values['password-stdin'] === true, io);
  if (password === null) return 1;
  const database = openDatabase(databasePath);
  try {
    const users = new UserStore(database, new AuditLog(database));
    const user = await users.add({ username, displayName: values.name, role: values.role, password }, cliActor());
    io.out(`added user ${user.username} (${user.role}, ${user.displayName}), id ${user.id}`);
    return 0;
  } finally {
    database.close();
  }
}

function list(json: boolean, io: CliIo, databasePath: string): number {
  const database = openDatabase(databasePath, { mustExist: true });
  try {
    const users = new UserStore(database, new AuditLog(database)).list();
    if (json) {
      io.out(JSON.stringify(users.map((u) => ({ ...u, createdAt: iso(u.createdAt), disabledAt: u.disabledAt && iso(u.disabledAt) }))));
    } else if (users.length === 0) {
      io.out('no users');
    } else {
      io.out(formatTable(users));
    }
    return 0;
  } finally {
    database.close();
  }
}

function disable(username: string, reason: string | undefined, io: CliIo, databasePath: string): number {
  const database = openDatabase(databasePath, { mustExist: true });
  try {
    const users = new UserStore(database, new AuditLog(database));
    const { user, changed } = users.disable(username, cliActor(), reason);
    io.out(changed ? `disabled user ${user.username}; their sessions are ended` : `user ${user.username} was already disabled`);
    return 0;
  } finally {
    database.close();
  }
}

async function readNewPassword(username: string, fromStdin: boolean, io: CliIo): Promise<string | null> {
  if (fromStdin) return stripNewline(await (io.readPassword ?? readStdinLine)());
  if (!io.readPassword) {
    io.err('vigil users: cannot prompt for a password here; use --password-stdin');
    return null;
  }
  io.err(`Password for ${username}: `);
  const first = stripNewline(await io.readPassword());
  io.err('Repeat password: ');
  const second = stripNewline(await io.readPassword());
  if (first !== second) {
    io.err('vigil users: the passwords do not match');
    return null;
  }
  return first;
}

function formatTable(users: readonly User[]): string {
  const rows = [
    ['ID', 'USERNAME', 'ROLE', 'STATUS', 'CREATED', 'NAME'],
    ...users.map((u) => [String(u.id), u.username, u.role, u.disabled ? 'disabled' : 'active', iso(u.createdAt), u.displayName]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ')).join('\n');
}

function expectArgs(rest: string[], count: number, usage: string): void {
  if (rest.length !== count) throw new UsageError(`usage: vigil users ${usage}`);
}

/** The audit actor of someone at this machine's command line. */
export function cliActor(): AuditActor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env['USER'] ?? 'unknown';
  }
  const safe = name.replace(/[\s:]/g, '_').slice(0, 64) || 'unknown';
  return `cli:${safe}`;
}

function stripNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

/** Reads standard input to its end and returns the first line. */
async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
