/**
 * The alarm-control HTTP API against a real station server, the real AlarmControl and a
 * real engine (virtual time): answers, refusals (401/403/404/409/400), audit entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { silentLogger } from '../../src/core/logger.js';
import { BEDS } from './fixtures.js';
import { http } from './http-helpers.js';
import { PASSWORDS, createAlarmFixture, type AlarmFixture } from './alarm-fixture.js';

let fx: AlarmFixture;
let server: StationServer;

beforeAll(async () => {
  fx = await createAlarmFixture();
  server = await startStationServer({
    host: '127.0.0.1', port: 0, logger: silentLogger(), beds: BEDS,
    observations$: fx.observations$, status$: fx.status$, alarms$: fx.engine.alarmEvents$,
    alarmControl: fx.control, auth: fx.control,
  });
});
afterAll(async () => {
  await server?.close();
  fx?.close();
});

const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}) => http(server.port, method, path, options);
const spo2Alarm = async (bedId = 'bed-1'): Promise<string> => {
  fx.observe(bedId, 'spo2', 85);
  const res = await call('GET', `/api/beds/${bedId}/alarms`);
  const record = res.json.alarms.active.find((r: { alarm: { code: string } }) => r.alarm.code === 'SPO2_LOW');
  return record.alarm.id as string;
};
const ackPath = (id: string, bedId = 'bed-1') => `/api/beds/${bedId}/alarms/${encodeURIComponent(id)}/acknowledge`;

describe('GET /api/beds/<bed>/alarms', () => {
  it('lists the bed\'s alarms with their histories, with no login needed', async () => {
    const id = await spo2Alarm();
    const res = await call('GET', '/api/beds/bed-1/alarms');
    expect(res.status).toBe(200);
    expect(res.json.alarms).toMatchObject({ bedId: 'bed-1', profileId: 'station-test', audioPausedUntil: null, alarmsOff: [] });
    expect(res.json.alarms.active[0]).toMatchObject({
      alarm: { id, code: 'SPO2_LOW', priority: 'high', acknowledged: false, audible: true, escalationTier: 0, escalationTarget: 'bedside' },
      history: [{ what: 'start', detail: 'SpO2 85 % below 90 %' }],
    });
    expect((await call('GET', '/api/beds/bed-9/alarms')).json.error.code).toBe('UNKNOWN_BED');
  });
});

describe('POST /api/beds/<bed>/alarms/<id>/acknowledge', () => {
  it('needs a session of a nurse or physician, acknowledges once, and audits it', async () => {
    const id = await spo2Alarm('bed-2');
    expect((await call('POST', ackPath(id, 'bed-2'))).json.error.code).toBe('AUTH_REQUIRED');
    const stale = await call('POST', ackPath(id, 'bed-2'), { token: 'no-such-session' });
    expect([stale.status, stale.json.error.code]).toEqual([401, 'SESSION_INVALID']);
    const admin = await call('POST', ackPath(id, 'bed-2'), { token: fx.tokens.root });
    expect([admin.status, admin.json.error.code]).toEqual([403, 'FORBIDDEN']);

    const ok = await call('POST', ackPath(id, 'bed-2'), { token: fx.tokens.ana, body: {} });
    expect(ok.status).toBe(200);
    expect(ok.json.alarms.active[0].alarm).toMatchObject({ id, acknowledged: true, acknowledgedBy: 'Ana Silva', audible: false });
    expect(ok.json.alarms.active[0].history.map((h: { what: string }) => h.what)).toEqual(['start', 'acknowledged']);
    expect(fx.audit.query().at(-1)).toMatchObject({ action: 'alarm.acknowledged', subject: 'bed:bed-2', details: { alarmId: id } });

    const again = await call('POST', ackPath(id, 'bed-2'), { token: fx.tokens.bo });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'ALARM_REFUSED', reason: 'ALREADY_ACKNOWLEDGED' });
    const unknown = await call('POST', ackPath('bed-2/ox-2/NOPE/1', 'bed-2'), { token: fx.tokens.ana });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'UNKNOWN_ALARM']);
    const wrongMethod = await call('GET', ackPath(id, 'bed-2'));
    expect([wrongMethod.status, wrongMethod.headers.allow]).toEqual([405, 'POST']);
  });
});

describe('POST /api/beds/<bed>/audio-pause and /alarm-off', () => {
  it('pauses for the profile default, and refuses a bad or too long pause naming ms', async () => {
    const bad = await call('POST', '/api/beds/bed-1/audio-pause', { token: fx.tokens.ana, body: { ms: 'long' } });
    expect([bad.status, bad.json.error.code, bad.json.error.field]).toEqual([400, 'REQUEST_INVALID', 'ms']);
    const tooLong = await call('POST', '/api/beds/bed-1/audio-pause', { token: fx.tokens.ana, body: { ms: 600_000 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toMatchObject({ field: 'ms', reason: 'INVALID_ARGUMENT' });
    expect(tooLong.json.error.message).toContain('300000');
    const ok = await call('POST', '/api/beds/bed-1/audio-pause', { token: fx.tokens.ana });
    expect(ok.status).toBe(200);
    expect(ok.json.alarms.audioPausedUntil).toBe(fx.scheduler.now() + 120_000);
  });

  it('turns a physiological rule off and on, never the technical one', async () => {
    const never = await call('POST', '/api/beds/bed-1/alarm-off', { token: fx.tokens.ana, body: { ruleId: 'technical', off: true } });
    expect(never.status).toBe(409);
    expect(never.json.error.reason).toBe('ALARM_OFF_NOT_ALLOWED');
    const typo = await call('POST', '/api/beds/bed-1/alarm-off', { token: fx.tokens.ana, body: { ruleId: 'pulse-rate', of: true } });
    expect([typo.status, typo.json.error.field]).toEqual([400, 'off']);
    expect(typo.json.error.message).toContain('unknown field of');
    const off = await call('POST', '/api/beds/bed-1/alarm-off', { token: fx.tokens.ana, body: { ruleId: 'pulse-rate', off: true } });
    expect(off.json.alarms.alarmsOff).toEqual([{ ruleId: 'pulse-rate', since: fx.scheduler.now(), by: 'Ana Silva' }]);
    expect(fx.audit.query().at(-1)).toMatchObject({ action: 'alarm.off', details: { ruleId: 'pulse-rate', before: { off: false }, after: { off: true } } });
    const on = await call('POST', '/api/beds/bed-1/alarm-off', { token: fx.tokens.bo, body: { ruleId: 'pulse-rate', off: false } });
    expect(on.json.alarms.alarmsOff).toEqual([]);
  });
});

describe('GET and PUT /api/beds/<bed>/profile, PUT /api/beds/<bed>/limits/<rule>', () => {
  it('shows the running profile and the profiles the bed may switch to', async () => {
    const res = await call('GET', '/api/beds/bed-1/profile');
    expect(res.status).toBe(200);
    expect(res.json.profile.current).toMatchObject({ id: 'station-test', label: 'Station test', lifecycle: { audioPauseMs: 120_000 } });
    expect(res.json.profile.current.rules[0]).toMatchObject({ id: 'spo2-low', kind: 'limit', low: 90, allowOff: true });
    expect(res.json.profile.available).toEqual([{ id: 'station-test', label: 'Station test' }, { id: 'station-alt', label: 'Station alternative' }]);
    expect(res.json.profile).toMatchObject({ configuredId: 'station-test', changedRules: [] });
  });

  it('refuses a bad limit with the field and the reason, and a limit on a rule that has none', async () => {
    const crossed = await call('PUT', '/api/beds/bed-2/limits/pulse-rate', { token: fx.tokens.bo, body: { low: 130 } });
    expect(crossed.status).toBe(400);
    expect(crossed.json.error).toEqual({ code: 'REQUEST_INVALID', reason: 'INVALID_PROFILE', field: 'low', message: 'limit pulse-rate refused: low: low must be below high' });
    const empty = await call('PUT', '/api/beds/bed-2/limits/pulse-rate', { token: fx.tokens.bo, body: {} });
    expect([empty.status, empty.json.error.message]).toEqual([400, 'body: give at least one of low, high, priority and delayMs']);
    const notLimit = await call('PUT', '/api/beds/bed-2/limits/technical', { token: fx.tokens.bo, body: { low: 3 } });
    expect([notLimit.status, notLimit.json.error.reason]).toEqual([409, 'NOT_A_LIMIT_RULE']);
    const unknown = await call('PUT', '/api/beds/bed-2/limits/nope', { token: fx.tokens.bo, body: { low: 3 } });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'UNKNOWN_RULE']);
  });

  it('changes a limit and switches the profile, each audited', async () => {
    const limit = await call('PUT', '/api/beds/bed-2/limits/pulse-rate', { token: fx.tokens.ana, body: { high: 130, delayMs: 5000 } });
    expect(limit.status).toBe(200);
    expect(limit.json.profile.current.rules[1]).toMatchObject({ id: 'pulse-rate', low: 50, high: 130, delayMs: 5000 });
    expect(fx.audit.query().at(-1)).toMatchObject({ action: 'alarm.limit-changed', details: { before: { high: 120 }, after: { high: 130 } } });
    expect((await call('GET', '/api/beds/bed-2/profile')).json.profile).toMatchObject({ configuredId: 'station-test', changedRules: ['pulse-rate'] });
    expect((await call('PUT', '/api/beds/bed-2/profile', { token: fx.tokens.ana, body: { profileId: 'nope' } })).json.error.code).toBe('UNKNOWN_PROFILE');
    const switched = await call('PUT', '/api/beds/bed-2/profile', { token: fx.tokens.ana, body: { profileId: 'station-alt' } });
    expect(switched.json.profile.current.id).toBe('station-alt');
    expect(switched.json.profile).toMatchObject({ configuredId: 'station-test', changedRules: [] });
    expect((await call('GET', '/api/beds/bed-2/alarms')).json.alarms.profileId).toBe('station-alt');
  });
});

describe('login without pump control, and a gateway without alarm control', () => {
  it('logs in through the alarm control and uses the token for alarm commands', async () => {
    const login = await call('POST', '/api/login', { body: { username: 'bo', password: PASSWORDS.bo } });
    expect(login.status).toBe(200);
    expect(login.json.user).toEqual({ id: expect.any(Number), username: 'bo', displayName: 'Bo Chen', role: 'physician' });
    expect((await call('GET', '/api/me', { token: login.json.token })).json.user.username).toBe('bo');
    expect((await call('GET', '/api/pumps')).json.error.code).toBe('PUMP_CONTROL_OFF');
    const pause = await call('POST', '/api/beds/bed-2/audio-pause', { token: login.json.token, body: { ms: 10_000 } });
    expect(pause.status).toBe(200);
  });

  it('answers 404 ALARM_CONTROL_OFF without alarm control, and snapshots say so', async () => {
    const plain = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$: new Subject(), status$: new Subject(), alarms$: new Subject(), logger: silentLogger(),
    });
    try {
      const res = await http(plain.port, 'GET', '/api/beds/bed-1/alarms');
      expect([res.status, res.json.error.code]).toEqual([404, 'ALARM_CONTROL_OFF']);
      expect((await http(plain.port, 'GET', '/api/state')).json).toMatchObject({ alarmControl: false });
      expect((await call('GET', '/api/state')).json.alarmControl).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
