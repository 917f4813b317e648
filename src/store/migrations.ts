/**
 * Vigil's database schema, as an ordered list of migrations. A migration, once
 * released, is never edited: a schema change is a new migration at the end of the list.
 * `openDatabase` applies the missing ones in order, each in its own transaction.
 */
export interface Migration {
  /** 1, 2, 3... contiguous, in order. */
  readonly version: number;
  /** Short name recorded in `schema_migrations`. */
  readonly name: string;
  /** SQL run with `exec` inside the migration's transaction. */
  readonly sql: string;
}

/** prev_hash of the first audit entry: 64 zeros (see docs/audit-and-users.md). */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The audit log (append-only, hash-chained) and its head.
 * The triggers are defence in depth: the chain itself (src/audit/audit-verify.ts) is
 * what proves integrity; the triggers stop accidental or casual edits and keep the
 * head (last seq and hash) in step with the log so a truncated tail is detectable.
 */
const auditLog: Migration = {
  version: 1,
  name: 'audit-log',
  sql: `
    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY CHECK (seq >= 1),
      time_ms INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_log_subject ON audit_log (subject, seq);
    CREATE INDEX audit_log_time ON audit_log (time_ms);

    CREATE TABLE audit_head (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;
    INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${AUDIT_GENESIS_HASH}');

    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
    CREATE TRIGGER audit_log_in_chain BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
      OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
    BEGIN SELECT RAISE(ABORT, 'audit_log insert does not continue the chain'); END;
    CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
    BEGIN UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END;
    CREATE TRIGGER audit_head_guard BEFORE UPDATE ON audit_head
    WHEN NEW.id IS NOT 1 OR NEW.seq IS NOT OLD.seq + 1
      OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, 'audit_head only advances with the log'); END;
    CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END;
  `,
};

/** Users with roles; passwords as self-describing scrypt strings. Users are disabled, never deleted. */
const users: Migration = {
  version: 2,
  name: 'users',
  sql: `
    CREATE TABLE users (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      display_name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('nurse', 'physician', 'admin')),
      password_hash TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
      created_at_ms INTEGER NOT NULL,
      disabled_at_ms INTEGER
    ) STRICT;
    CREATE TRIGGER users_no_delete BEFORE DELETE ON users
    BEGIN SELECT RAISE(ABORT, 'users are disabled, never deleted'); END;
  `,
};

/** Login sessions. Only the SHA-256 of a token is stored, so a copy of the file grants no session. */
const sessions: Migration = {
  version: 3,
  name: 'sessions',
  sql: `
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users (id),
      created_at_ms INTEGER NOT NULL,
      last_seen_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL,
      ended_at_ms INTEGER,
      end_reason TEXT
    ) STRICT;
    CREATE INDEX sessions_user ON sessions (user_id);
  `,
};

/**
 * Pump-control orders (src/control/order-store.ts), so they survive a restart: the full
 * order as JSON, with the columns the workflow looks orders up by. On restart an order
 * still awaiting a signature expires and one that was executing becomes not-verified
 * (docs/safety.md).
 */
const controlOrders: Migration = {
  version: 4,
  name: 'control-orders',
  sql: `
    CREATE TABLE control_orders (
      id TEXT PRIMARY KEY,
      bed_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('rate-change', 'stop')),
      state TEXT NOT NULL,
      requested_at_ms INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL,
      failed_signatures INTEGER NOT NULL DEFAULT 0,
      alarm_acknowledged_at_ms INTEGER,
      view_json TEXT NOT NULL
    ) STRICT;
    CREATE INDEX control_orders_state ON control_orders (state);
    CREATE INDEX control_orders_requested ON control_orders (requested_at_ms);
  `,
};

/** Every migration Vigil knows, in order. */
export const MIGRATIONS: readonly Migration[] = [auditLog, users, sessions, controlOrders];
