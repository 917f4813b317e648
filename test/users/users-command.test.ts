import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { runUsersCommand, type CliIo } from '../../src/cli/users-command.js';
import { openDatabase } from '../../src/store/database.js';
import { SessionStore } from '../../src/users/session-store.js';
import { UserStore } from '../../src/users/user-store.js';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-users-cli-'));
  dbPath = join(dir, 'data', 'vigil.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Captures output; `passwords` are handed out one per readPassword call. */
function fakeIo(passwords: string[] = []): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (s) => stdout.push(s),
    err: (s) => stderr.push(s),
    readPassword: () => Promise.resolve(passwords.shift() ?? ''),
  };
}

async function run(argv: string[], passwords: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo(passwords);
  const code = await runUsersCommand(argv, io, dbPath);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const addAna = ['add', 'ana', '--role', 'nurse', '--name', 'Ana Silva', '--password-stdin'];

describe('vigil users', () => {
  it('adds a user (creating the database) who can then log in', async () => {
    const result = await run(addAna, ['ana-password-1\n']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toBe('added user ana (nurse, Ana Silva), id 1');

    const db = openDatabase(dbPath, { mustExist: true });
    try {
      const audit = new AuditLog(db);
      const sessions = new SessionStore(db, new UserStore(db, audit), audit);
      expect((await sessions.login('ana', 'ana-password-1')).user.role).toBe('nurse');
      expect(audit.query()[0]).toMatchObject({ action: 'user.added', subject: 'user:ana' });
      expect(audit.query()[0]!.actor).toMatch(/^cli:\S+$/);
    } finally {
      db.close();
    }
  });

  it('prompts twice without --password-stdin and refuses a mismatch', async () => {
    const argv = ['add', 'bo', '--role', 'physician', '--name', 'Bo Chen'];
    const mismatch = await run(argv, ['bo-password-22', 'bo-password-23']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain('do not match');
    const ok = await run(argv, ['bo-password-22', 'bo-password-22']);
    expect(ok.code).toBe(0);
    expect(ok.err).toContain('Password for bo');
  });

  it('cannot prompt without a password reader', async () => {
    const io = fakeIo();
    delete io.readPassword;
    expect(await runUsersCommand(['add', 'bo', '--role', 'nurse', '--name', 'Bo'], io, dbPath)).toBe(1);
    expect(io.stderr.join('\n')).toContain('--password-stdin');
  });

  it('lists users as a table and as JSON', async () => {
    await run(addAna, ['ana-password-1']);
    await run(['add', 'drbo', '--role', 'physician', '--name', 'Dr Bo Chen', '--password-stdin'], ['bo-password-22']);
    const table = await run(['list']);
    expect(table.code).toBe(0);
    const lines = table.out.split('\n');
    expect(lines[0]).toMatch(/^ID\s+USERNAME\s+ROLE\s+STATUS\s+CREATED\s+NAME$/);
    expect(lines[1]).toMatch(/^1\s+ana\s+nurse\s+active\s+\d{4}-\d\d-\d\dT\S+Z\s+Ana Silva$/);
    expect(lines[2]).toMatch(/^2\s+drbo\s+physician\s+active\s+.*Dr Bo Chen$/);
    const json = JSON.parse((await run(['list', '--json'])).out) as { username: string; role: string }[];
    expect(json.map((u) => [u.username, u.role])).toEqual([
      ['ana', 'nurse'],
      ['drbo', 'physician'],
    ]);
  });

  it('disables a user, says so when already disabled, and fails on an unknown user', async () => {
    await run(addAna, ['ana-password-1']);
    expect(await run(['disable', 'ana'])).toMatchObject({ code: 0, out: 'disabled user ana; their sessions are ended' });
    expect(await run(['disable', 'ana'])).toMatchObject({ code: 0, out: 'user ana was already disabled' });
    expect((await run(['list'])).out).toMatch(/ana\s+nurse\s+disabled/);
    const unknown = await run(['disable', 'zed']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no user named "zed"');
  });

  it('refuses a duplicate username and a short password with exit 1', async () => {
    await run(addAna, ['ana-password-1']);
    const dup = await run(['add', 'ANA', '--role', 'nurse', '--name', 'Other Ana', '--password-stdin'], ['another-password']);
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('already exists');
    const short = await run(['add', 'cy', '--role', 'nurse', '--name', 'Cy', '--password-stdin'], ['short']);
    expect(short.code).toBe(1);
    expect(short.err).toContain('at least 10 characters');
    expect((await run(['list'])).out).not.toContain('cy');
  });

  it.each([
    [['add', 'ana', '--name', 'Ana', '--password-stdin'], '--role is required'],
    [['add', 'ana', '--role', 'nurse', '--password-stdin'], '--name is required'],
    [['frobnicate'], 'unknown command'],
    [[], 'missing command'],
    [['list', '--bogus'], 'bogus'],
    [['disable'], 'usage'],
  ])('exits 2 with a usage error for %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).toContain('--help');
  });

  it('prints help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: vigil users');
  });

  it('does not create a database to list or disable', async () => {
    const result = await run(['list']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('does not exist');
    expect(existsSync(dbPath)).toBe(false);
  });
});
