/**
 * Alarm state on the WebSocket: `alarm` messages carry acknowledged, audible, latched and
 * escalation fields; the engine's other events arrive as `alarm-event` (acknowledged,
 * audio paused/resumed, escalated, alarm off and reminder, profile changed), every
 * message valid against the protocol schema. Real server, real engine in virtual time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { silentLogger } from '../../src/core/logger.js';
import { BEDS } from './fixtures.js';
import { http } from './http-helpers.js';
import { TestClient } from './ws-test-client.js';
import { createAlarmFixture, type AlarmFixture } from './alarm-fixture.js';

let fx: AlarmFixture;
let server: StationServer;
let client: TestClient;

beforeAll(async () => {
  fx = await createAlarmFixture();
  server = await startStationServer({
    host: '127.0.0.1', port: 0, logger: silentLogger(), beds: BEDS,
    observations$: fx.observations$, status$: fx.status$, alarms$: fx.engine.alarmEvents$, alarmControl: fx.control,
  });
  client = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
  await client.opened();
  await client.next('hello');
});
afterAll(async () => {
  client?.close();
  await server?.close();
  fx?.close();
});

const post = (path: string, body: unknown = {}) => http(server.port, 'POST', path, { token: fx.tokens.ana, body });
/** The next alarm-event of a kind (others skipped). */
async function nextEvent(kind: string) {
  for (;;) {
    const m = await client.next('alarm-event');
    if (m.event.kind === kind) return m.event;
  }
}

describe('station WebSocket with alarm control', () => {
  it('says so in the snapshot, with each bed\'s alarm state', async () => {
    const snap = await client.next('snapshot');
    expect(snap.alarmControl).toBe(true);
    expect(snap.beds[0]?.alarmState).toEqual({ profileId: 'station-test', audioPausedUntil: null, alarmsOff: [] });
  });

  it('sends alarm edges with their signalling state, then acknowledgement and escalation', async () => {
    fx.observe('bed-1', 'spo2', 85);
    const start = await client.next('alarm');
    expect(start).toMatchObject({ phase: 'start', alarm: { code: 'SPO2_LOW', acknowledged: false, audible: true, latched: false, escalationTier: 0, escalationTarget: 'bedside' } });
    fx.scheduler.advance(30_000);
    expect((await client.next('alarm')).alarm).toMatchObject({ escalationTier: 1, escalationTarget: 'charge-nurse' });
    expect(await nextEvent('escalated')).toMatchObject({ bedId: 'bed-1', alarmId: start.alarm.id, tier: 1, target: 'charge-nurse', priority: 'high' });

    await post(`/api/beds/bed-1/alarms/${encodeURIComponent(start.alarm.id)}/acknowledge`);
    expect((await client.next('alarm')).alarm).toMatchObject({ acknowledged: true, acknowledgedBy: 'Ana Silva', audible: false });
    expect(await nextEvent('acknowledged')).toMatchObject({ alarmId: start.alarm.id, by: 'Ana Silva', ended: false });
    fx.observe('bed-1', 'spo2', 95);
    expect(await client.next('alarm')).toMatchObject({ phase: 'end', alarm: { id: start.alarm.id } });
  });

  it('sends audio pause and its end, alarm off and its reminder, and profile changes', async () => {
    await post('/api/beds/bed-2/audio-pause', { ms: 60_000 });
    const paused = await nextEvent('audio-paused');
    expect(paused).toMatchObject({ bedId: 'bed-2', by: 'Ana Silva', until: fx.scheduler.now() + 60_000 });
    fx.scheduler.advance(60_000);
    expect(await nextEvent('audio-resumed')).toMatchObject({ bedId: 'bed-2', at: fx.scheduler.now() });

    await post('/api/beds/bed-2/alarm-off', { ruleId: 'pulse-rate', off: true });
    const since = fx.scheduler.now();
    expect(await nextEvent('alarm-off')).toMatchObject({ ruleId: 'pulse-rate', off: true, by: 'Ana Silva', at: since });
    fx.scheduler.advance(60_000);
    expect(await nextEvent('alarm-off-reminder')).toMatchObject({ ruleId: 'pulse-rate', offSince: since, at: since + 60_000 });

    await http(server.port, 'PUT', '/api/beds/bed-2/limits/spo2-low', { token: fx.tokens.ana, body: { low: 88 } });
    expect(await nextEvent('profile-changed')).toMatchObject({ bedId: 'bed-2', profileId: 'station-test', change: 'limit', ruleId: 'spo2-low' });
    await http(server.port, 'PUT', '/api/beds/bed-2/profile', { token: fx.tokens.ana, body: { profileId: 'station-alt' } });
    // The new profile has no pulse-rate rule: being off is forgotten, announced as on, then the change itself.
    expect(await client.next('alarm-event')).toMatchObject({ event: { kind: 'alarm-off', ruleId: 'pulse-rate', off: false } });
    expect(await client.next('alarm-event')).toMatchObject({ event: { kind: 'profile-changed', profileId: 'station-alt', label: 'Station alternative', change: 'profile', ruleId: null } });
  });

  it('sent nothing the protocol schema rejects', () => {
    expect(client.invalid).toEqual([]);
  });
});
