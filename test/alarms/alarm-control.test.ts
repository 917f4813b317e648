/**
 * AlarmControl with a real engine (asyncScheduler under fake timers: virtual time), real
 * users, sessions and audit log on a temporary SQLite file: every command is audited
 * before it takes effect, wrong roles and bad sessions are refused, bad limits are
 * refused with the path, and runtime profile and limit changes keep what they can.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
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

const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };
const lifecycle = { escalation: { high: [{ tier: 'charge-nurse', afterMs: 30_000 }], medium: [], low: [] } };
const technical = { id: 'technical', kind: 'technical', communicationLost: 'medium' };
const PROFILE_A = alarmProfileSchema.parse({
  id: 'test-a', label: 'Test A', lifecycle,
  rules: [
    { id: 'spo2-low', kind: 'limit', metric: 'spo2', low: 90, hysteresis: 1, delayMs: 5000, priority: 'medium' },
    { id: 'pulse', kind: 'limit', metric: 'pulse-rate', low: 50, high: 120, delayMs: 0, priority: 'medium' },
    { id: 'hr-sustained', kind: 'sustained', code: 'HR_HIGH_SUSTAINED', any: [{ metric: 'pulse-rate', above: 110 }], durationMs: 10_000, priority: 'high' },
    technical,
  ],
});
const PROFILE_B = alarmProfileSchema.parse({
  id: 'test-b', label: 'Test B', lifecycle,
  rules: [
    { id: 'spo2-low', kind: 'limit', metric: 'spo2', low: 90, hysteresis: 1, delayMs: 5000, priority: 'medium' },
    { id: 'pulse', kind: 'limit', metric: 'pulse-rate', low: 40, high: 140, delayMs: 0, priority: 'medium' },
    { ...technical, communicationLost: 'high' },
  ],
});

function obs(metric: MetricId, value: number | null): Observation {
  const m = METRICS[metric];
  return { bedId: 'bed-1', deviceId: 'ox', metric, code: m.code, value, unit: m.unit, deviceTime: null, receivedAt: Date.now(), flags: [] };
}

let dir: string;
let db: VigilDatabase;
let audit: AuditLog;
let clock: ManualClock;
let sessions: SessionStore;
let engine: AlarmEngine;
let control: AlarmControl;
const observations$ = new Subject<Observation>();
const status$ = new Subject<DeviceStatus>();
const conditions$ = new Subject<DeviceCondition>();
const token: Record<'ana' | 'bo' | 'root', string> = { ana: '', bo: '', root: '' };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-alarm-control-'));
  db = openDatabase(join(dir, 'vigil.db'));
  clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  audit = new AuditLog(db, { clock });
  const users = new UserStore(db, audit, { clock, scrypt: FAST });
  sessions = new SessionStore(db, users, audit, { clock });
  await users.add({ username: 'ana', displayName: 'Ana Silva', role: 'nurse', password: 'ana-password-1' }, 'cli:root');
  await users.add({ username: 'bo', displayName: 'Bo Chen', role: 'physician', password: 'bo-password-22' }, 'cli:root');
  await users.add({ username: 'root', displayName: 'Admin', role: 'admin', password: 'root-password-1' }, 'cli:root');
  for (const [name, password] of [['ana', 'ana-password-1'], ['bo', 'bo-password-22'], ['root', 'root-password-1']] as const) {
    token[name] = (await sessions.login(name, password)).token;
  }
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: clock.now() });
  engine = createAlarmEngine({ beds: [{ bedId: 'bed-1', profile: PROFILE_A, devices: [{ deviceId: 'ox', label: 'Oximeter' }] }], inputs: { observations$, status$, conditions$ } });
  const profiles = new Map([[PROFILE_B.id, PROFILE_B]]);
  control = new AlarmControl({ engine, sessions, audit, profiles, bedProfiles: new Map([['bed-1', PROFILE_A]]) });
});

afterEach(() => {
  engine.stop();
  vi.useRealTimers();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const active = () => engine.snapshot('bed-1')?.active.map((r) => r.alarm) ?? [];
const lastAudit = () => audit.query().at(-1);
/** SpO2 85 for 5 s: a SPO2_LOW alarm (medium, escalation none). */
function spo2Alarm(): string {
  observations$.next(obs('spo2', 85));
  vi.advanceTimersByTime(5000);
  const alarm = active().find((a) => a.code === 'SPO2_LOW');
  expect(alarm).toBeDefined();
  return alarm?.id ?? '';
}
/** The audit entry that was last when the first engine event of `command` was emitted. */
function auditAtFirstEvent(command: () => unknown): { result: unknown; action: string | undefined } {
  let action: string | undefined;
  const sub = engine.events$.subscribe(() => (action ??= lastAudit()?.action));
  const result = command();
  sub.unsubscribe();
  return { result, action };
}

describe('AlarmControl: every command is audited first, then applied', () => {
  it('acknowledge: the audit entry exists when the engine applies it, with before and after', () => {
    const id = spo2Alarm();
    const { result, action } = auditAtFirstEvent(() => control.acknowledge(token.ana, 'bed-1', id));
    expect(result).toEqual({ ok: true });
    expect(action).toBe('alarm.acknowledged');
    expect(lastAudit()).toMatchObject({
      actor: expect.stringMatching(/^user:\d+$/), subject: 'bed:bed-1',
      details: { alarmId: id, code: 'SPO2_LOW', before: { acknowledged: false }, after: { acknowledged: true } },
    });
    expect(active()[0]).toMatchObject({ id, acknowledged: true, acknowledgedBy: 'Ana Silva', audible: false });
  });

  it('audio pause, alarm off and on, profile and limit changes: each entry precedes its effect', () => {
    spo2Alarm();
    const pause = auditAtFirstEvent(() => control.pauseAudio(token.bo, 'bed-1', 60_000));
    expect(pause).toEqual({ result: { ok: true }, action: 'alarm.audio-paused' });
    expect(lastAudit()?.details).toMatchObject({ durationMs: 60_000, before: { pausedUntil: null }, after: { pausedUntil: Date.now() + 60_000 } });
    const limit = auditAtFirstEvent(() => control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 88, priority: 'high' }));
    expect(limit).toEqual({ result: { ok: true }, action: 'alarm.limit-changed' });
    expect(lastAudit()?.details).toEqual({
      profileId: 'test-a', ruleId: 'spo2-low', metric: 'spo2',
      before: { low: 90, high: null, priority: 'medium', delayMs: 5000 }, after: { low: 88, high: null, priority: 'high', delayMs: 5000 },
    });
    expect(auditAtFirstEvent(() => control.setAlarmOff(token.ana, 'bed-1', 'spo2-low', true))).toEqual({ result: { ok: true }, action: 'alarm.off' });
    expect(auditAtFirstEvent(() => control.setAlarmOff(token.ana, 'bed-1', 'spo2-low', false))).toEqual({ result: { ok: true }, action: 'alarm.on' });
    expect(auditAtFirstEvent(() => control.setProfile(token.bo, 'bed-1', 'test-b'))).toEqual({ result: { ok: true }, action: 'alarm.profile-changed' });
    expect(lastAudit()?.details).toEqual({ before: { profileId: 'test-a', label: 'Test A' }, after: { profileId: 'test-b', label: 'Test B' } });
    expect(engine.snapshot('bed-1')?.profileId).toBe('test-b');
  });

  it('an audit failure refuses the command and leaves the alarm as it was', () => {
    const id = spo2Alarm();
    db.sqlite.exec("CREATE TRIGGER no_alarm_audit BEFORE INSERT ON audit_log WHEN NEW.action LIKE 'alarm.%' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(control.acknowledge(token.ana, 'bed-1', id)).toMatchObject({ ok: false, code: 'AUDIT_FAILED' });
    expect(control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 80 })).toMatchObject({ ok: false, code: 'AUDIT_FAILED' });
    expect(active()[0]).toMatchObject({ id, acknowledged: false, limit: 90 });
    expect(engine.profile('bed-1')).toBe(PROFILE_A);
  });
});

describe('AlarmControl: who may do what', () => {
  it('refuses an admin (not a clinician) and audits the attempt; the alarm stays unacknowledged', () => {
    const id = spo2Alarm();
    const result = control.acknowledge(token.root, 'bed-1', id);
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(!result.ok && result.message).toContain('only a nurse or a physician');
    expect(lastAudit()).toMatchObject({ action: 'alarm.command-refused', subject: 'bed:bed-1', details: { command: 'acknowledge', reason: 'FORBIDDEN', role: 'admin' } });
    expect(control.setLimit(token.root, 'bed-1', 'spo2-low', { low: 85 })).toMatchObject({ code: 'FORBIDDEN' });
    expect(active()[0]?.acknowledged).toBe(false);
  });

  it('refuses an unknown and an expired session without touching the engine or the log', () => {
    const id = spo2Alarm();
    const entries = audit.query({ limit: 1000 }).length;
    expect(control.acknowledge('not-a-token', 'bed-1', id)).toMatchObject({ ok: false, code: 'SESSION_INVALID' });
    clock.advance(31 * 60_000);
    expect(control.pauseAudio(token.ana, 'bed-1')).toMatchObject({ ok: false, code: 'SESSION_EXPIRED' });
    expect(audit.query({ limit: 1000 })).toHaveLength(entries);
    expect(active()[0]).toMatchObject({ acknowledged: false, audioPaused: false });
  });

  it('refuses what cannot be done before writing anything', () => {
    const id = spo2Alarm();
    const entries = audit.query({ limit: 1000 }).length;
    expect(control.acknowledge(token.ana, 'bed-9', id)).toMatchObject({ code: 'UNKNOWN_BED' });
    expect(control.acknowledge(token.ana, 'bed-1', 'bed-1/ox/NOPE/1')).toMatchObject({ code: 'UNKNOWN_ALARM' });
    expect(control.pauseAudio(token.ana, 'bed-1', 600_000)).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'ms' });
    expect(control.setAlarmOff(token.ana, 'bed-1', 'technical', true)).toMatchObject({ code: 'ALARM_OFF_NOT_ALLOWED' });
    expect(control.setProfile(token.ana, 'bed-1', 'no-such')).toMatchObject({ code: 'UNKNOWN_PROFILE' });
    expect(control.setLimit(token.ana, 'bed-1', 'hr-sustained', { high: 130 })).toMatchObject({ code: 'NOT_A_LIMIT_RULE' });
    expect(audit.query({ limit: 1000 })).toHaveLength(entries);
  });
});

describe('AlarmControl.setLimit: validated like a profile file', () => {
  it('refuses a low limit above the high one with the path and the reason, and changes nothing', () => {
    const result = control.setLimit(token.ana, 'bed-1', 'pulse', { low: 130 });
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PROFILE', field: 'low' });
    expect(!result.ok && result.message).toBe('limit pulse refused: low: low must be below high');
    expect(engine.profile('bed-1')).toBe(PROFILE_A);
  });

  it('refuses a limit outside the metric\'s range, naming it', () => {
    const result = control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 30 });
    expect(result).toMatchObject({ ok: false, field: 'low' });
    expect(!result.ok && result.message).toContain('must be between 50 and 100 for spo2 (got 30)');
  });

  it('an active limit alarm goes on as the same alarm with the new limit, acknowledged stays acknowledged, and ends when the new limit clears it', () => {
    const id = spo2Alarm();
    control.acknowledge(token.ana, 'bed-1', id);
    expect(control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 88 })).toEqual({ ok: true });
    expect(active()).toMatchObject([{ id, limit: 88, acknowledged: true, message: 'SpO2 85 % below 88 %' }]);
    expect(control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 80 })).toEqual({ ok: true });
    expect(active()).toEqual([]);
    expect(engine.snapshot('bed-1')?.recent[0]).toMatchObject({ alarm: { id, endedAt: Date.now() } });
  });

  it('a tighter limit alarms on the latest value after its delay, without waiting for a new reading', () => {
    observations$.next(obs('spo2', 92));
    vi.advanceTimersByTime(10_000);
    expect(control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 94 })).toEqual({ ok: true });
    vi.advanceTimersByTime(4999);
    expect(active()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(active()).toMatchObject([{ code: 'SPO2_LOW', limit: 94, value: 92 }]);
  });
});

describe('AlarmControl.setProfile: unchanged rules keep running, changed ones carry over', () => {
  it('keeps a pending onset of an unchanged rule, re-prioritises communication lost, latches a removed rule\'s high alarm until acknowledged', () => {
    observations$.next(obs('pulse-rate', 115)); // hr-sustained: 10 s
    status$.next({ bedId: 'bed-1', deviceId: 'ox', driver: 't', link: 'open', data: 'silent', lastDataAt: null, since: 0, lastError: null, counters: { messages: 0, rejected: 0 } });
    vi.advanceTimersByTime(10_000);
    const comm = active().find((a) => a.code === 'COMMUNICATION_LOST');
    expect(comm?.priority).toBe('medium');
    expect(active().map((a) => a.code).sort()).toEqual(['COMMUNICATION_LOST', 'HR_HIGH_SUSTAINED']);
    observations$.next(obs('spo2', 85)); // spo2-low (unchanged in test-b): starts 5 s from now
    vi.advanceTimersByTime(3000);
    expect(control.setProfile(token.bo, 'bed-1', 'test-b')).toEqual({ ok: true });
    expect(active().find((a) => a.code === 'COMMUNICATION_LOST')).toMatchObject({ id: comm?.id, priority: 'high' });
    vi.advanceTimersByTime(1999);
    expect(active().some((a) => a.code === 'SPO2_LOW')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(active().some((a) => a.code === 'SPO2_LOW')).toBe(true); // the onset delay ran on through the change
    // A high alarm latches (profile default) when its rule goes: it stays until acknowledged.
    const latched = active().find((a) => a.code === 'HR_HIGH_SUSTAINED');
    expect(latched).toMatchObject({ latched: true, conditionActive: false });
    expect(engine.snapshot('bed-1')?.active.find((r) => r.alarm.code === 'HR_HIGH_SUSTAINED')?.history.at(-1)).toMatchObject({ what: 'latched', detail: 'profile-changed' });
    expect(control.acknowledge(token.ana, 'bed-1', latched?.id ?? '')).toEqual({ ok: true });
    expect(active().map((a) => a.code).sort()).toEqual(['COMMUNICATION_LOST', 'SPO2_LOW']);
  });

  it('switching back to the configured id restores the configured profile and lists it as available', () => {
    control.setLimit(token.ana, 'bed-1', 'spo2-low', { low: 85 });
    expect(control.profile('bed-1')?.available).toEqual([{ id: 'test-b', label: 'Test B' }, { id: 'test-a', label: 'Test A' }]);
    expect(control.setProfile(token.ana, 'bed-1', 'test-a')).toEqual({ ok: true });
    expect(control.profile('bed-1')?.current.rules[0]).toMatchObject({ id: 'spo2-low', low: 90 });
  });
});

describe('AlarmControl: sessions for a station without pump control', () => {
  it('logs in, tells who is logged in, and logs out', async () => {
    vi.useRealTimers();
    const session = await control.login('ana', 'ana-password-1', '10.0.0.9');
    expect(session.user).toEqual({ id: expect.any(Number), username: 'ana', displayName: 'Ana Silva', role: 'nurse' });
    expect(control.whoami(session.token).username).toBe('ana');
    control.logout(session.token);
    expect(() => control.whoami(session.token)).toThrow(/not logged in/);
  });
});
