import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../core/clock.js';
import { VigilError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { AuditActor } from '../audit/audit-actions.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { VigilDatabase } from '../store/database.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password-hash.js';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  checkPassword,
  checkRole,
  normalizeDisplayName,
  normalizeUsername,
  type User,
  type UserRole,
} from './user.js';

export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole | string;
  readonly password: string;
}

export interface UserStoreOptions {
  clock?: Clock;
  logger?: Logger;
  /** scrypt parameters for new hashes (and rehash after login when they change). */
  scrypt?: ScryptParams;
  minPasswordLength?: number;
}

/** Outcome of a password check. `reason` is for the audit log only, never for the person logging in. */
export type CredentialCheck =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'wrong-password' | 'user-disabled'; readonly user: User | null };

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at_ms: number;
  disabled_at_ms: number | null;
}

const COLUMNS = 'id, username, display_name, role, password_hash, disabled, created_at_ms, disabled_at_ms';

/** Users with roles and scrypt-hashed passwords. Adding and disabling are audited in the same transaction. */
export class UserStore {
  private readonly sqlite: Database.Database;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly scryptParams: ScryptParams;
  private readonly minPasswordLength: number;
  private dummyHash: Promise<string> | null = null;

  constructor(
    database: VigilDatabase,
    private readonly audit: AuditLog,
    options: UserStoreOptions = {},
  ) {
    this.sqlite = database.sqlite;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger()).child({ component: 'users' });
    this.scryptParams = options.scrypt ?? DEFAULT_SCRYPT_PARAMS;
    this.minPasswordLength = options.minPasswordLength ?? MIN_PASSWORD_LENGTH;
  }

  /**
   * Adds a user and audits `user.added`.
   * @throws VigilError USER_INVALID, USER_EXISTS, AUDIT_WRITE_FAILED
   */
  async add(newUser: NewUser, actor: AuditActor): Promise<User> {
    const username = normalizeUsername(newUser.username);
    const displayName = normalizeDisplayName(newUser.displayName);
    const role = checkRole(newUser.role);
    checkPassword(newUser.password, this.minPasswordLength);
    if (this.findRow(username)) throw exists(username);
    const passwordHash = await hashPassword(newUser.password, this.scryptParams);
    const createdAt = Math.floor(this.clock.now());
    const insert = this.sqlite.transaction((): number => {
      if (this.findRow(username)) throw exists(username); // added by another process while hashing
      const result = this.sqlite
        .prepare('INSERT INTO users (username, display_name, role, password_hash, disabled, created_at_ms) VALUES (?, ?, ?, ?, 0, ?)')
        .run(username, displayName, role, passwordHash, createdAt);
      const id = Number(result.lastInsertRowid);
      this.audit.append({ actor, action: 'user.added', subject: `user:${username}`, details: { userId: id, username, displayName, role } });
      return id;
    });
    const id = insert.immediate();
    this.log.info({ userId: id, username, role }, 'user added');
    return this.requireById(id);
  }

  /**
   * Disables a user, ends their sessions, audits `user.disabled`. Disabling a disabled
   * user changes nothing and writes no entry (`changed: false`).
   * @throws VigilError USER_NOT_FOUND, AUDIT_WRITE_FAILED
   */
  disable(username: string, actor: AuditActor, reason?: string): { user: User; changed: boolean } {
    const run = this.sqlite.transaction((): { user: User; changed: boolean } => {
      const row = this.findRow(safeNormalize(username));
      if (!row) throw new VigilError('USER_NOT_FOUND', `no user named "${username}"`, { username });
      if (row.disabled) return { user: toUser(row), changed: false };
      const now = Math.floor(this.clock.now());
      this.sqlite.prepare('UPDATE users SET disabled = 1, disabled_at_ms = ? WHERE id = ?').run(now, row.id);
      this.sqlite
        .prepare("UPDATE sessions SET ended_at_ms = ?, end_reason = 'user-disabled' WHERE user_id = ? AND ended_at_ms IS NULL")
        .run(now, row.id);
      this.audit.append({
        actor,
        action: 'user.disabled',
        subject: `user:${row.username}`,
        details: reason ? { userId: row.id, username: row.username, reason } : { userId: row.id, username: row.username },
      });
      return { user: this.requireById(row.id), changed: true };
    });
    const result = run.immediate();
    if (result.changed) this.log.info({ userId: result.user.id, username: result.user.username }, 'user disabled');
    return result;
  }

  /** All users, by username. */
  list(): User[] {
    const rows = this.sqlite.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username`).all() as UserRow[];
    return rows.map(toUser);
  }

  /** The user with this username (any case), or null. */
  findByUsername(username: string): User | null {
    const row = this.findRow(safeNormalize(username));
    return row ? toUser(row) : null;
  }

  /** The user with this id, or null. */
  findById(id: number): User | null {
    const row = this.sqlite.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  /**
   * Checks a username and password. Takes one scrypt computation whether or not the
   * user exists, so timing does not tell which usernames exist. On success with
   * outdated scrypt parameters the hash is upgraded.
   */
  async checkCredentials(username: string, password: string): Promise<CredentialCheck> {
    const row = this.findRow(safeNormalize(username));
    const candidate = typeof password === 'string' && password.length <= 4 * MAX_PASSWORD_LENGTH ? password : '';
    if (!row) {
      await verifyPassword(candidate, await this.dummy());
      return { ok: false, reason: 'unknown-user', user: null };
    }
    const matches = (await verifyPassword(candidate, row.password_hash)) && candidate.length > 0;
    if (!matches) return { ok: false, reason: 'wrong-password', user: toUser(row) };
    if (row.disabled) return { ok: false, reason: 'user-disabled', user: toUser(row) };
    if (needsRehash(row.password_hash, this.scryptParams)) {
      const upgraded = await hashPassword(candidate, this.scryptParams);
      this.sqlite.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?').run(upgraded, row.id, row.password_hash);
      this.log.info({ userId: row.id }, 'password hash upgraded to current scrypt parameters');
    }
    return { ok: true, user: toUser(row) };
  }

  private requireById(id: number): User {
    const user = this.findById(id);
    if (!user) throw new VigilError('USER_NOT_FOUND', `no user with id ${id}`, { id });
    return user;
  }

  private findRow(normalizedUsername: string | null): UserRow | undefined {
    if (normalizedUsername === null) return undefined;
    return this.sqlite.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(normalizedUsername) as UserRow | undefined;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword('vigil-dummy-password-for-timing', this.scryptParams);
    return this.dummyHash;
  }
}

function safeNormalize(username: string): string | null {
  try {
    return normalizeUsername(username);
  } catch {
    return null;
  }
}

function exists(username: string): VigilError {
  return new VigilError('USER_EXISTS', `a user named "${username}" already exists`, { username });
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: checkRole(row.role),
    disabled: row.disabled === 1,
    createdAt: row.created_at_ms,
    disabledAt: row.disabled_at_ms,
  };
}
