import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { runAuditCommand } from '../../src/cli/audit-command.js';
import { openDatabase } from '../../src/store/database.js';
import { UserStore } from '../../src/users/user-store.js';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-audit-cli-'));
  dbPath = join(dir, 'vigil.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, dbPath);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A user `ana` (entry 1) and `count` acknowledgements by her, one minute apart from 08:00 UTC. */
async function seed(count: number): Promise<void> {
  const db = openDatabase(dbPath);
  try {
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
    const audit = new AuditLog(db, { clock });
    const ana = await new UserStore(db, audit, { clock, scrypt: { cost: 1024, blockSize: 8, parallelization: 1 } }).add(
      { username: 'ana', displayName: 'Ana Silva', role: 'nurse', password: 'ana-password-1' },
      'cli:root',
    );
    for (let i = 0; i < count; i++) {
      clock.advance(60_000);
      audit.append({ actor: `user:${ana.id}`, action: 'alarm.acknowledged', subject: i % 2 ? 'bed:2' : 'bed:1', details: { n: i } });
    }
  } finally {
    db.close();
  }
}

describe('vigil audit verify', () => {
  it('reports an intact log with exit 0', async () => {
    await seed(24);
    expect(await run(['verify'])).toEqual({ code: 0, out: 'audit log OK: 25 entries', err: '' });
  });

  it('names the first bad entry with exit 1', async () => {
    await seed(5);
    const raw = new Database(dbPath);
    raw.exec(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'user:99' WHERE seq = 3;`);
    raw.close();
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^audit log FAILED at entry #3: hash-mismatch: /);
    expect(result.out).toBe('');
  });

  it('fails on a missing database instead of calling it OK, and creates nothing', async () => {
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('does not exist');
    expect(existsSync(dbPath)).toBe(false);
  });
});

describe('vigil audit tail', () => {
  it('shows the last 20 entries by default, oldest first, with usernames', async () => {
    await seed(24);
    const result = await run(['tail']);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toMatch(/^#6 2026-03-01T08:05:00\.000Z user:1 \(ana\) alarm\.acknowledged bed:1 \{"n":4\}$/);
    expect(lines[19]).toMatch(/^#25 /);
  });

  it('honours -n and --subject, and prints JSON lines with --json', async () => {
    await seed(6);
    expect((await run(['tail', '-n', '2'])).out.split('\n').map((l) => l.split(' ')[0])).toEqual(['#6', '#7']);
    const bed2 = (await run(['tail', '--subject', 'bed:2'])).out.split('\n');
    expect(bed2.map((l) => l.split(' ')[0])).toEqual(['#3', '#5', '#7']);
    const json = (await run(['tail', '-n', '1', '--json'])).out.split('\n').map((l) => JSON.parse(l) as { seq: number; timeIso: string });
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ seq: 7, timeIso: '2026-03-01T08:06:00.000Z' });
  });

  it('says when the log is empty', async () => {
    openDatabase(dbPath).close();
    expect(await run(['tail'])).toEqual({ code: 0, out: 'audit log is empty', err: '' });
  });

  it.each([[['tail', '-n', '0']], [['tail', '-n', 'ten']], [['nope']], [[]], [['verify', 'extra']]])(
    'exits 2 with a usage error for %j',
    async (argv) => {
      const result = await run(argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain('--help');
    },
  );

  it('prints help', async () => {
    expect((await run(['--help'])).out).toContain('Usage: vigil audit');
  });
});
