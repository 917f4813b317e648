import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/core/errors.js';
import { openDatabase, VIGIL_APPLICATION_ID, type VigilDatabase } from '../../src/store/database.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';

let dir: string;
const opened: VigilDatabase[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(path: string, options?: Parameters<typeof openDatabase>[1]): VigilDatabase {
  const db = openDatabase(path, options);
  opened.push(db);
  return db;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isVigilError(err) ? err.code : `not a VigilError: ${String(err)}`;
  }
  return undefined;
}

describe('openDatabase', () => {
  it('creates the file and its folders, with WAL, synchronous FULL and foreign keys on', () => {
    const path = join(dir, 'a', 'b', 'vigil.db');
    const db = open(path);
    expect(existsSync(path)).toBe(true);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('application_id', { simple: true })).toBe(VIGIL_APPLICATION_ID);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
  });

  it('applies each migration once: reopening changes nothing', () => {
    const path = join(dir, 'vigil.db');
    const first = open(path);
    const before = first.sqlite.prepare('SELECT version, name, applied_at_ms FROM schema_migrations ORDER BY version').all();
    first.sqlite.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at_ms) VALUES ('ana', 'Ana', 'nurse', 'x', 1)").run();
    first.close();

    const second = open(path);
    const after = second.sqlite.prepare('SELECT version, name, applied_at_ms FROM schema_migrations ORDER BY version').all();
    expect(after).toEqual(before);
    expect(after.map((r) => (r as { version: number }).version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(second.sqlite.prepare('SELECT username FROM users').all()).toEqual([{ username: 'ana' }]);
  });

  it('applies only the new migrations to an older database', () => {
    const path = join(dir, 'vigil.db');
    const older = MIGRATIONS.slice(0, 1);
    open(path, { migrations: older }).close();
    const db = open(path);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    expect(db.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'sessions'").get()).toBeDefined();
  });

  it('rolls back a failing migration completely and reports it', () => {
    const path = join(dir, 'vigil.db');
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;' },
    ];
    expect(codeOf(() => open(path, { migrations: broken }))).toBe('STORE_MIGRATION_FAILED');
    const raw = new Database(path);
    try {
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
      expect((raw.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(MIGRATIONS.length);
    } finally {
      raw.close();
    }
  });

  it('refuses a database whose schema is newer than this Vigil', () => {
    const path = join(dir, 'vigil.db');
    const newer: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', sql: 'CREATE TABLE future (x INTEGER)' }];
    open(path, { migrations: newer }).close();
    expect(codeOf(() => open(path))).toBe('STORE_SCHEMA_TOO_NEW');
  });

  it('refuses a file that is not SQLite', () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are not the bytes of a database, just some text that is long enough '.repeat(20));
    expect(codeOf(() => open(path))).toBe('STORE_NOT_VIGIL');
  });

  it("refuses another application's SQLite database and leaves it untouched", () => {
    const path = join(dir, 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE customers (id INTEGER)');
    other.close();
    expect(codeOf(() => open(path))).toBe('STORE_NOT_VIGIL');
    const check = new Database(path);
    try {
      expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'").get()).toBeUndefined();
    } finally {
      check.close();
    }
  });

  it('reports a path that cannot be opened', () => {
    const path = join(dir, 'a-folder');
    mkdirSync(path);
    expect(codeOf(() => open(path))).toBe('STORE_OPEN_FAILED');
    const underFile = join(dir, 'plain-file');
    writeFileSync(underFile, 'x');
    expect(codeOf(() => open(join(underFile, 'vigil.db')))).toBe('STORE_OPEN_FAILED');
  });

  it('with mustExist, reports a missing file instead of creating it', () => {
    const path = join(dir, 'missing.db');
    expect(codeOf(() => open(path, { mustExist: true }))).toBe('STORE_NOT_FOUND');
    expect(existsSync(path)).toBe(false);
  });

  it('close is idempotent', () => {
    const db = open(join(dir, 'vigil.db'));
    db.close();
    expect(() => db.close()).not.toThrow();
    expect(db.isOpen).toBe(false);
  });
});
