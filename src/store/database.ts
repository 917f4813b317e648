import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError, describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/**
 * SQLite `application_id` of a Vigil database ('VGIL' in ASCII). A file with another
 * id, or with tables but no id, is not a Vigil database and is refused.
 */
export const VIGIL_APPLICATION_ID = 0x5647494c;

/** How long a connection waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** Fail with STORE_NOT_FOUND instead of creating a new database (read-side CLI commands). */
  mustExist?: boolean;
  logger?: Logger;
  /** The schema to migrate to; defaults to Vigil's MIGRATIONS (tests pass their own). */
  migrations?: readonly Migration[];
}

/** An open Vigil database: one better-sqlite3 connection, migrated to the current schema. */
export class VigilDatabase {
  private closed = false;

  constructor(
    /** Absolute path of the database file. */
    readonly path: string,
    /** The connection. Synchronous: each statement completes (and a commit is on disk) on return. */
    readonly sqlite: Database.Database,
  ) {}

  /** Highest migration version applied. */
  get schemaVersion(): number {
    return currentVersion(this.sqlite);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes the connection (checkpointing the WAL). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sqlite.close();
  }
}

/**
 * Opens (or creates, with its folder) the database file, checks that it is a Vigil
 * database, sets the connection pragmas and applies missing migrations.
 *
 * Pragmas: WAL (readers never block the writer; the daemon and the CLI can share the
 * file), `synchronous = FULL` (in WAL mode NORMAL may lose the last commits on power
 * loss; FULL syncs the WAL on every commit, so an audit entry is on disk when
 * `append` returns - see docs/audit-and-users.md), `foreign_keys = ON`.
 *
 * @throws VigilError STORE_NOT_FOUND, STORE_OPEN_FAILED, STORE_NOT_VIGIL,
 *   STORE_SCHEMA_TOO_NEW, STORE_MIGRATION_FAILED
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): VigilDatabase {
  const file = resolve(path);
  const log = (options.logger ?? silentLogger()).child({ component: 'store' });
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrationList(migrations);

  if (options.mustExist && !existsSync(file)) {
    throw new VigilError('STORE_NOT_FOUND', `database ${file} does not exist`, { file });
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new VigilError('STORE_OPEN_FAILED', `cannot open database ${file}: it is a directory`, { file });
  }
  let sqlite: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    sqlite = new Database(file, { fileMustExist: options.mustExist === true });
  } catch (err) {
    throw new VigilError('STORE_OPEN_FAILED', `cannot open database ${file}: ${describeError(err)}`, { file }, {
      cause: err,
    });
  }
  try {
    checkIsVigil(sqlite, file);
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const journal = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (journal !== 'wal') log.warn({ file, journal }, 'WAL journal mode not available');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    migrate(sqlite, file, migrations, log);
  } catch (err) {
    sqlite.close();
    if (err instanceof VigilError) throw err;
    throw new VigilError('STORE_OPEN_FAILED', `cannot open database ${file}: ${describeError(err)}`, { file }, {
      cause: err,
    });
  }
  log.debug({ file, schemaVersion: currentVersion(sqlite) }, 'database open');
  return new VigilDatabase(file, sqlite);
}

function checkIsVigil(sqlite: Database.Database, file: string): void {
  let applicationId: number;
  let objects: number;
  try {
    applicationId = Number(sqlite.pragma('application_id', { simple: true }));
    const row = sqlite.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    objects = row.n;
  } catch (err) {
    // SQLITE_NOTADB and friends: the file exists but is not an SQLite database.
    throw new VigilError('STORE_NOT_VIGIL', `${file} is not a Vigil database (${describeError(err)})`, { file }, {
      cause: err,
    });
  }
  if (applicationId === VIGIL_APPLICATION_ID) return;
  if (applicationId === 0 && objects === 0) return; // new, empty file
  throw new VigilError('STORE_NOT_VIGIL', `${file} is an SQLite database but not a Vigil database`, {
    file,
    applicationId,
  });
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new VigilError('INTERNAL', `migration list out of order at ${m.name}`, { expected: i + 1, version: m.version });
    }
  });
}

function currentVersion(sqlite: Database.Database): number {
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  const row = sqlite.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(sqlite: Database.Database, file: string, migrations: readonly Migration[], log: Logger): void {
  sqlite
    .transaction(() => {
      sqlite.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL) STRICT',
      );
      sqlite.pragma(`application_id = ${VIGIL_APPLICATION_ID}`);
    })
    .immediate();

  const known = migrations.length;
  const found = currentVersion(sqlite);
  if (found > known) {
    throw new VigilError(
      'STORE_SCHEMA_TOO_NEW',
      `database ${file} has schema version ${found}, newer than this Vigil knows (${known}); use a newer Vigil`,
      { file, found, known },
    );
  }
  for (const migration of migrations) {
    const apply = sqlite.transaction(() => {
      // Re-checked inside the write lock: another process may have applied it meanwhile.
      if (sqlite.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version)) return false;
      sqlite.exec(migration.sql);
      sqlite
        .prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, Date.now());
      return true;
    });
    try {
      if (apply.immediate()) log.info({ version: migration.version, name: migration.name }, 'migration applied');
    } catch (err) {
      throw new VigilError(
        'STORE_MIGRATION_FAILED',
        `migration ${migration.version} (${migration.name}) failed on ${file}: ${describeError(err)}`,
        { file, version: migration.version, name: migration.name },
        { cause: err },
      );
    }
  }
}
