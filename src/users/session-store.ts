import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../core/clock.js';
import { VigilError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { userActor } from '../audit/audit-actions.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { VigilDatabase } from '../store/database.js';
import type { User } from './user.js';
import type { UserStore } from './user-store.js';

/** The one message of every failed login: it never tells whether the username exists. */
export const LOGIN_FAILED_MESSAGE = 'invalid username or password';

export interface SessionStoreOptions {
  clock?: Clock;
  logger?: Logger;
  /** A session ends this long after login, whatever happens. Default 12 h. */
  absoluteTimeoutMs?: number;
  /** A session ends after this long without `authenticate`. Default 30 min. */
  idleTimeoutMs?: number;
}

/** What a successful login returns. The token is shown once; only its SHA-256 is stored. */
export interface Session {
  /** Opaque bearer token (43 characters, base64url of 32 random bytes). */
  readonly token: string;
  readonly user: User;
  /** Epoch ms of the absolute expiry. */
  readonly expiresAt: number;
}

/** Where a login came from, for the audit entry. */
export interface LoginContext {
  readonly remoteAddress?: string;
}

interface SessionRow {
  user_id: number;
  created_at_ms: number;
  last_seen_at_ms: number;
  expires_at_ms: number;
  ended_at_ms: number | null;
}

const TOKEN_BYTES = 32;
export const DEFAULT_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** Login sessions: opaque random tokens with an absolute and an idle expiry. */
export class SessionStore {
  private readonly sqlite: Database.Database;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly absoluteTimeoutMs: number;
  private readonly idleTimeoutMs: number;

  constructor(
    database: VigilDatabase,
    private readonly users: UserStore,
    private readonly audit: AuditLog,
    options: SessionStoreOptions = {},
  ) {
    this.sqlite = database.sqlite;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger()).child({ component: 'sessions' });
    this.absoluteTimeoutMs = options.absoluteTimeoutMs ?? DEFAULT_ABSOLUTE_TIMEOUT_MS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  /**
   * Logs in. Audits `auth.login`, or `auth.login-failed` with the real reason
   * (unknown user, wrong password, disabled user), while the caller always gets
   * the same AUTH_FAILED error with LOGIN_FAILED_MESSAGE.
   * @throws VigilError AUTH_FAILED, AUDIT_WRITE_FAILED
   */
  async login(username: string, password: string, context: LoginContext = {}): Promise<Session> {
    const check = await this.users.checkCredentials(username, password);
    const remote = context.remoteAddress ? { remoteAddress: context.remoteAddress } : {};
    if (!check.ok) {
      this.audit.append({
        actor: check.user ? userActor(check.user.id) : 'system',
        action: 'auth.login-failed',
        subject: `user:${check.user?.username ?? String(username).slice(0, 64)}`,
        details: { reason: check.reason, ...remote },
      });
      this.log.info({ reason: check.reason }, 'login failed');
      throw new VigilError('AUTH_FAILED', LOGIN_FAILED_MESSAGE);
    }
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const now = Math.floor(this.clock.now());
    const expiresAt = now + this.absoluteTimeoutMs;
    const { user } = check;
    this.sqlite
      .transaction(() => {
        this.sqlite
          .prepare(
            'INSERT INTO sessions (token_hash, user_id, created_at_ms, last_seen_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)',
          )
          .run(tokenHash(token), user.id, now, now, expiresAt);
        this.audit.append({ actor: userActor(user.id), action: 'auth.login', subject: `user:${user.username}`, details: remote });
      })
      .immediate();
    this.log.info({ userId: user.id }, 'login');
    return { token, user, expiresAt };
  }

  /**
   * The user of a live session; refreshes its idle timer.
   * @throws VigilError SESSION_INVALID (unknown or ended token, user disabled) or
   *   SESSION_EXPIRED (context.reason 'absolute' or 'idle': log in again)
   */
  authenticate(token: string): User {
    const hash = tokenHash(token);
    const row = this.sqlite
      .prepare('SELECT user_id, created_at_ms, last_seen_at_ms, expires_at_ms, ended_at_ms FROM sessions WHERE token_hash = ?')
      .get(hash) as SessionRow | undefined;
    if (!row || row.ended_at_ms !== null) throw new VigilError('SESSION_INVALID', 'not logged in (unknown or ended session)');
    const now = Math.floor(this.clock.now());
    const expiry =
      now >= row.expires_at_ms ? 'absolute' : now - row.last_seen_at_ms >= this.idleTimeoutMs ? 'idle' : null;
    if (expiry) {
      this.end(hash, now, `expired-${expiry}`);
      throw new VigilError('SESSION_EXPIRED', `session expired (${expiry === 'idle' ? 'inactive too long' : 'too old'}); log in again`, {
        reason: expiry,
      });
    }
    const user = this.users.findById(row.user_id);
    if (!user || user.disabled) {
      this.end(hash, now, 'user-disabled');
      throw new VigilError('SESSION_INVALID', 'not logged in (user disabled)');
    }
    this.sqlite.prepare('UPDATE sessions SET last_seen_at_ms = ? WHERE token_hash = ?').run(now, hash);
    return user;
  }

  /** Ends a session and audits `auth.logout`. Returns false when the token was not a live session. */
  logout(token: string): boolean {
    const hash = tokenHash(token);
    const row = this.sqlite.prepare('SELECT user_id, ended_at_ms FROM sessions WHERE token_hash = ?').get(hash) as
      | Pick<SessionRow, 'user_id' | 'ended_at_ms'>
      | undefined;
    if (!row || row.ended_at_ms !== null) return false;
    const user = this.users.findById(row.user_id);
    this.sqlite
      .transaction(() => {
        this.end(hash, Math.floor(this.clock.now()), 'logout');
        this.audit.append({ actor: userActor(row.user_id), action: 'auth.logout', subject: user ? `user:${user.username}` : null });
      })
      .immediate();
    return true;
  }

  private end(hash: string, now: number, reason: string): void {
    this.sqlite
      .prepare('UPDATE sessions SET ended_at_ms = ?, end_reason = ? WHERE token_hash = ? AND ended_at_ms IS NULL')
      .run(now, reason, hash);
  }
}

function tokenHash(token: string): string {
  return createHash('sha256').update(String(token), 'utf8').digest('hex');
}
