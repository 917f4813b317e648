import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { VigilError, isVigilError } from '../../src/core/errors.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { openDatabase, type VigilDatabase } from '../../src/store/database.js';
import { LOGIN_FAILED_MESSAGE, SessionStore } from '../../src/users/session-store.js';
import { UserStore } from '../../src/users/user-store.js';

const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };
const MINUTE = 60_000;

let dir: string;
let db: VigilDatabase;
let clock: ManualClock;
let audit: AuditLog;
let users: UserStore;
let sessions: SessionStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-sessions-'));
  db = openDatabase(join(dir, 'vigil.db'));
  clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  audit = new AuditLog(db, { clock });
  users = new UserStore(db, audit, { clock, scrypt: FAST });
  sessions = new SessionStore(db, users, audit, { clock }); // defaults: 12 h absolute, 30 min idle
  await users.add({ username: 'ana', displayName: 'Ana Silva', role: 'nurse', password: 'ana-password-1' }, 'cli:root');
  await users.add({ username: 'bo', displayName: 'Bo Chen', role: 'physician', password: 'bo-password-22' }, 'cli:root');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(fn: () => unknown): Promise<VigilError> {
  try {
    await fn();
  } catch (err) {
    if (isVigilError(err)) return err;
    throw err;
  }
  throw new Error('expected a VigilError, nothing was thrown');
}

describe('SessionStore.login', () => {
  it('returns an opaque token that authenticates as the user, and audits the login', async () => {
    const session = await sessions.login('ANA', 'ana-password-1', { remoteAddress: '10.0.0.7' });
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(clock.now() + 12 * 60 * MINUTE);
    expect(sessions.authenticate(session.token)).toMatchObject({ username: 'ana', role: 'nurse' });
    expect(audit.query().at(-1)).toMatchObject({
      action: 'auth.login',
      actor: `user:${session.user.id}`,
      details: { remoteAddress: '10.0.0.7' },
    });
  });

  it('gives each login its own token and stores only its hash', async () => {
    const a = await sessions.login('ana', 'ana-password-1');
    const b = await sessions.login('ana', 'ana-password-1');
    expect(a.token).not.toBe(b.token);
    const dump = JSON.stringify(db.sqlite.prepare('SELECT * FROM sessions').all());
    expect(dump).not.toContain(a.token);
    expect(dump).not.toContain(b.token);
  });

  it('fails the same way for a wrong password, a disabled user and an unknown user', async () => {
    users.disable('bo', 'cli:root');
    const wrong = await failure(() => sessions.login('ana', 'not-her-password'));
    const disabled = await failure(() => sessions.login('bo', 'bo-password-22'));
    const unknown = await failure(() => sessions.login('zed', 'any-password-at-all'));
    for (const err of [wrong, disabled, unknown]) {
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.message).toBe(LOGIN_FAILED_MESSAGE);
      expect(err.context).toEqual({});
    }
    const failed = audit.query({ limit: 3 });
    expect(failed.map((e) => [e.action, e.subject, e.details['reason']])).toEqual([
      ['auth.login-failed', 'user:ana', 'wrong-password'],
      ['auth.login-failed', 'user:bo', 'user-disabled'],
      ['auth.login-failed', 'user:zed', 'unknown-user'],
    ]);
  });
});

describe('SessionStore.authenticate', () => {
  it('expires a session after 30 min without activity', async () => {
    const { token } = await sessions.login('ana', 'ana-password-1');
    clock.advance(29 * MINUTE);
    expect(sessions.authenticate(token).username).toBe('ana'); // activity resets the idle timer
    clock.advance(29 * MINUTE);
    expect(sessions.authenticate(token).username).toBe('ana');
    clock.advance(30 * MINUTE);
    const expired = await failure(() => sessions.authenticate(token));
    expect(expired.code).toBe('SESSION_EXPIRED');
    expect(expired.context).toEqual({ reason: 'idle' });
    expect((await failure(() => sessions.authenticate(token))).code).toBe('SESSION_INVALID');
  });

  it('expires a session 12 h after login even when active', async () => {
    const { token } = await sessions.login('ana', 'ana-password-1');
    for (let elapsed = 20; elapsed < 12 * 60; elapsed += 20) {
      clock.advance(20 * MINUTE);
      expect(sessions.authenticate(token).username).toBe('ana');
    }
    clock.advance(20 * MINUTE);
    const expired = await failure(() => sessions.authenticate(token));
    expect(expired.code).toBe('SESSION_EXPIRED');
    expect(expired.context).toEqual({ reason: 'absolute' });
  });

  it('honours configured timeouts', async () => {
    const short = new SessionStore(db, users, audit, { clock, idleTimeoutMs: 5 * MINUTE, absoluteTimeoutMs: 60 * MINUTE });
    const { token } = await short.login('ana', 'ana-password-1');
    clock.advance(4 * MINUTE);
    expect(short.authenticate(token).username).toBe('ana');
    clock.advance(5 * MINUTE);
    expect((await failure(() => short.authenticate(token))).code).toBe('SESSION_EXPIRED');
  });

  it('refuses an unknown token', async () => {
    expect((await failure(() => sessions.authenticate('made-up-token'))).code).toBe('SESSION_INVALID');
  });

  it("ends a user's sessions when the user is disabled", async () => {
    const { token } = await sessions.login('bo', 'bo-password-22');
    users.disable('bo', 'cli:root');
    expect((await failure(() => sessions.authenticate(token))).code).toBe('SESSION_INVALID');
  });
});

describe('SessionStore.logout', () => {
  it('ends the session once and audits it', async () => {
    const { token, user } = await sessions.login('ana', 'ana-password-1');
    expect(sessions.logout(token)).toBe(true);
    expect((await failure(() => sessions.authenticate(token))).code).toBe('SESSION_INVALID');
    expect(sessions.logout(token)).toBe(false);
    expect(audit.query().at(-1)).toMatchObject({ action: 'auth.logout', actor: `user:${user.id}`, subject: 'user:ana' });
    expect(audit.query().filter((e) => e.action === 'auth.logout')).toHaveLength(1);
    expect(audit.verify()).toMatchObject({ ok: true });
  });
});
