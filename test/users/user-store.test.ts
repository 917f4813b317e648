import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { openDatabase, type VigilDatabase } from '../../src/store/database.js';
import { UserStore } from '../../src/users/user-store.js';

const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };

let dir: string;
let db: VigilDatabase;
let clock: ManualClock;
let audit: AuditLog;
let users: UserStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-users-'));
  db = openDatabase(join(dir, 'vigil.db'));
  clock = new ManualClock(Date.UTC(2026, 2, 1, 9, 0, 0));
  audit = new AuditLog(db, { clock });
  users = new UserStore(db, audit, { clock, scrypt: FAST });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    return isVigilError(err) ? err.code : `not a VigilError: ${String(err)}`;
  }
  return undefined;
}

const ana = { username: 'Ana', displayName: 'Ana Silva', role: 'nurse', password: 'ana-password-1' };

describe('UserStore', () => {
  it('adds users and lists them, with no password material', async () => {
    const added = await users.add(ana, 'cli:root');
    await users.add({ username: 'drbo', displayName: 'Dr Bo Chen', role: 'physician', password: 'bo-password-22' }, 'cli:root');
    expect(added).toEqual({
      id: added.id,
      username: 'ana',
      displayName: 'Ana Silva',
      role: 'nurse',
      disabled: false,
      createdAt: Date.UTC(2026, 2, 1, 9, 0, 0),
      disabledAt: null,
    });
    expect(users.list().map((u) => [u.username, u.role])).toEqual([
      ['ana', 'nurse'],
      ['drbo', 'physician'],
    ]);
    expect(users.findByUsername('ANA')?.id).toBe(added.id);
    expect(users.findById(added.id)?.username).toBe('ana');
    expect(users.findByUsername('nobody')).toBeNull();
  });

  it('audits user.added with who did it, and never the password', async () => {
    const added = await users.add(ana, 'cli:root');
    const [entry] = audit.query();
    expect(entry).toMatchObject({
      actor: 'cli:root',
      action: 'user.added',
      subject: 'user:ana',
      details: { userId: added.id, username: 'ana', role: 'nurse', displayName: 'Ana Silva' },
    });
    expect(JSON.stringify(audit.query())).not.toContain(ana.password);
  });

  it('stores only a scrypt hash of the password', async () => {
    await users.add(ana, 'cli:root');
    const row = db.sqlite.prepare('SELECT password_hash FROM users').get() as { password_hash: string };
    expect(row.password_hash.startsWith('scrypt$')).toBe(true);
    expect(row.password_hash).not.toContain(ana.password);
  });

  it('keeps usernames unique regardless of case', async () => {
    await users.add(ana, 'cli:root');
    expect(await codeOf(() => users.add({ ...ana, username: 'ANA' }, 'cli:root'))).toBe('USER_EXISTS');
    expect(users.list()).toHaveLength(1);
    expect(audit.query()).toHaveLength(1);
  });

  it.each([
    ['a short password', { ...ana, password: 'short' }],
    ['an unknown role', { ...ana, role: 'surgeon' }],
    ['a username with spaces', { ...ana, username: 'ana silva' }],
    ['an empty display name', { ...ana, displayName: '   ' }],
  ])('refuses %s and records nothing', async (_label, input) => {
    expect(await codeOf(() => users.add(input, 'cli:root'))).toBe('USER_INVALID');
    expect(users.list()).toEqual([]);
    expect(audit.query()).toEqual([]);
  });

  it('disables a user once, with an audit entry, and is a no-op the second time', async () => {
    await users.add(ana, 'cli:root');
    clock.advance(60_000);
    const first = users.disable('ana', 'user:9', 'left the clinic');
    expect(first.changed).toBe(true);
    expect(first.user).toMatchObject({ disabled: true, disabledAt: Date.UTC(2026, 2, 1, 9, 1, 0) });
    expect(audit.query().at(-1)).toMatchObject({
      actor: 'user:9',
      action: 'user.disabled',
      subject: 'user:ana',
      details: { reason: 'left the clinic' },
    });
    const second = users.disable('Ana', 'user:9');
    expect(second.changed).toBe(false);
    expect(audit.query()).toHaveLength(2);
    expect(users.list()[0]!.disabled).toBe(true);
  });

  it('reports an unknown user on disable', async () => {
    expect(await codeOf(() => users.disable('ghost', 'cli:root'))).toBe('USER_NOT_FOUND');
  });

  it('upgrades a hash made with old scrypt parameters after a good login', async () => {
    await users.add(ana, 'cli:root');
    const stronger = new UserStore(db, audit, { clock, scrypt: { ...FAST, cost: 2 ** 11 } });
    const hashOf = (): string => (db.sqlite.prepare('SELECT password_hash FROM users').get() as { password_hash: string }).password_hash;
    expect(hashOf().split('$')[1]).toBe('1024');
    expect((await stronger.checkCredentials('ana', ana.password)).ok).toBe(true);
    expect(hashOf().split('$')[1]).toBe('2048');
    expect((await stronger.checkCredentials('ana', ana.password)).ok).toBe(true);
  });
});
