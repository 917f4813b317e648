/**
 * A real alarm engine and AlarmControl for the station tests (not a test file): users,
 * sessions and the audit log on a temporary SQLite file, and the engine on a virtual
 * scheduler whose clock starts at an epoch time and moves only when the test says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { AuditLog } from '../../src/audit/audit-log.js';
import { openDatabase, type VigilDatabase } from '../../src/store/database.js';
import { SessionStore } from '../../src/users/session-store.js';
import { UserStore } from '../../src/users/user-store.js';
import { AlarmControl } from '../../src/alarms/alarm-control.js';
import { createAlarmEngine, type AlarmEngine } from '../../src/alarms/engine/alarm-engine.js';
import { alarmProfileSchema } from '../../src/alarms/engine/profile-schema.js';
import { METRICS, type MetricId } from '../../src/model/metrics.js';
import type { Observation } from '../../src/model/observation.js';
import type { DeviceCondition, DeviceStatus } from '../../src/model/device-events.js';

/** Virtual time from `epochMs`: `advance(ms)` runs every timer due by then, in order. */
export class EpochVirtualScheduler extends VirtualTimeScheduler {
  constructor(readonly epochMs: number) {
    super();
    (this as { now: () => number }).now = () => this.epochMs + this.frame;
  }

  advance(ms: number): void {
    const target = this.frame + ms;
    this.maxFrames = target;
    this.flush();
    this.frame = target;
  }
}

const lifecycle = {
  audioPauseMs: 120_000,
  alarmOffReminderMs: 60_000,
  escalation: { high: [{ tier: 'charge-nurse', afterMs: 30_000 }, { tier: 'physician', afterMs: 120_000 }], medium: [], low: [] },
};
export const STATION_PROFILE = alarmProfileSchema.parse({
  id: 'station-test', label: 'Station test', description: 'Limits without delays, for the station tests.', lifecycle,
  rules: [
    { id: 'spo2-low', kind: 'limit', metric: 'spo2', low: 90, hysteresis: 1, delayMs: 0, priority: 'high' },
    { id: 'pulse-rate', kind: 'limit', metric: 'pulse-rate', low: 50, high: 120, delayMs: 0, priority: 'medium' },
    { id: 'technical', kind: 'technical' },
  ],
});
export const ALT_PROFILE = alarmProfileSchema.parse({
  id: 'station-alt', label: 'Station alternative', lifecycle,
  rules: [
    { id: 'spo2-low', kind: 'limit', metric: 'spo2', low: 85, delayMs: 0, priority: 'high' },
    { id: 'technical', kind: 'technical' },
  ],
});

const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };
export const PASSWORDS = { ana: 'ana-password-1', bo: 'bo-password-22', root: 'root-password-1' } as const;

export interface AlarmFixture {
  readonly scheduler: EpochVirtualScheduler;
  readonly engine: AlarmEngine;
  readonly control: AlarmControl;
  readonly audit: AuditLog;
  /** Session tokens: ana (nurse, Ana Silva), bo (physician), root (admin). */
  readonly tokens: Readonly<Record<keyof typeof PASSWORDS, string>>;
  readonly observations$: Subject<Observation>;
  readonly status$: Subject<DeviceStatus>;
  /** One observation of `metric` from the bed's oximeter (`ox-1`, `ox-2`...). */
  observe(bedId: string, metric: MetricId, value: number | null): void;
  close(): void;
}

/** Beds `bed-1` and `bed-2`, each with oximeter `ox-<n>`, on STATION_PROFILE. */
export async function createAlarmFixture(epochMs = Date.now()): Promise<AlarmFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-station-alarms-'));
  const db: VigilDatabase = openDatabase(join(dir, 'vigil.db'));
  const audit = new AuditLog(db);
  const users = new UserStore(db, audit, { scrypt: FAST });
  const sessions = new SessionStore(db, users, audit);
  await users.add({ username: 'ana', displayName: 'Ana Silva', role: 'nurse', password: PASSWORDS.ana }, 'cli:root');
  await users.add({ username: 'bo', displayName: 'Bo Chen', role: 'physician', password: PASSWORDS.bo }, 'cli:root');
  await users.add({ username: 'root', displayName: 'Admin', role: 'admin', password: PASSWORDS.root }, 'cli:root');
  const tokens = {
    ana: (await sessions.login('ana', PASSWORDS.ana)).token,
    bo: (await sessions.login('bo', PASSWORDS.bo)).token,
    root: (await sessions.login('root', PASSWORDS.root)).token,
  };
  const scheduler = new EpochVirtualScheduler(epochMs);
  const observations$ = new Subject<Observation>();
  const status$ = new Subject<DeviceStatus>();
  const conditions$ = new Subject<DeviceCondition>();
  const beds = ['bed-1', 'bed-2'].map((bedId, i) => ({ bedId, profile: STATION_PROFILE, devices: [{ deviceId: `ox-${i + 1}`, label: 'Oximeter' }] }));
  const engine = createAlarmEngine({ beds, inputs: { observations$, status$, conditions$ }, scheduler });
  const profiles = new Map([[STATION_PROFILE.id, STATION_PROFILE], [ALT_PROFILE.id, ALT_PROFILE]]);
  const control = new AlarmControl({ engine, sessions, audit, profiles, bedProfiles: new Map(beds.map((b) => [b.bedId, b.profile])) });
  return {
    scheduler, engine, control, audit, tokens, observations$, status$,
    observe: (bedId, metric, value) => {
      const m = METRICS[metric];
      const deviceId = `ox-${bedId.split('-')[1] ?? '1'}`;
      observations$.next({ bedId, deviceId, metric, code: m.code, value, unit: m.unit, deviceTime: null, receivedAt: scheduler.now(), flags: [] });
    },
    close: () => {
      engine.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
