/**
 * The page's alarm logic without a browser: what sounds (audible alarms only, the
 * highest priority), how alarm events change a bed's state, and how states, histories
 * and rules are worded.
 */
import { describe, expect, it } from 'vitest';
import { ClientState } from '../../src/station/web/client-state.js';
import { parseServerMessage } from '../../src/station/web/connection.js';
import { isAudible, soundingLevel } from '../../src/station/web/alarm-state.js';
import { alarmBadges, formatCountdown, historyText, ruleSummary } from '../../src/station/web/alarm-format.js';
import { StationState } from '../../src/station/station-state.js';
import { alarmMessage } from '../../src/station/station-protocol.js';
import type { AlarmDto, AlarmEventDto, BedSnapshot } from '../../src/station/web/protocol-types.js';
import { BEDS, T0, alarm } from './fixtures.js';

const engineAlarm = (over: Partial<AlarmDto> = {}): AlarmDto => ({
  ...alarm(), ruleId: 'spo2-low', conditionActive: true, latched: false, acknowledged: false, acknowledgedBy: null, acknowledgedAt: null,
  audioPaused: false, audible: true, escalationTier: 0, escalationTarget: 'bedside', ...over,
});
const bed = (alarms: AlarmDto[]): BedSnapshot => ({ id: 'bed-1', label: 'Bed 1', session: 'other', configured: true, devices: [], observations: [], alarms });

describe('what the page sounds', () => {
  it('sounds the highest priority among audible alarms only', () => {
    const ackedHigh = engineAlarm({ priority: 'high', acknowledged: true, audible: false });
    const medium = engineAlarm({ id: 'm', priority: 'medium' });
    const pausedHigh = engineAlarm({ id: 'p', priority: 'high', audioPaused: true, audible: false });
    expect(soundingLevel([bed([ackedHigh, pausedHigh]), bed([medium])])).toBe('medium');
    expect(soundingLevel([bed([ackedHigh])])).toBe('none');
    expect(soundingLevel([bed([medium]), bed([engineAlarm({ id: 'h', priority: 'high' })])])).toBe('high');
  });

  it('sounds an alarm from a gateway without the engine (no signalling state): never silent by default', () => {
    expect(isAudible(alarm())).toBe(true);
    expect(soundingLevel([bed([{ ...alarm(), priority: 'low' }])])).toBe('low');
  });
});

describe('ClientState with alarm events', () => {
  const seeded = () => {
    const client = new ClientState();
    client.apply({ ...new StationState(BEDS).snapshot(T0), alarmControl: true }, T0);
    return client;
  };
  const event = (client: ClientState, e: AlarmEventDto) => client.apply({ v: 1, type: 'alarm-event', event: e }, T0);

  it('takes alarm control from the snapshot and keeps the alarm fields of alarm messages', () => {
    const client = seeded();
    expect(client.alarmControl).toBe(true);
    client.apply(alarmMessage({ phase: 'start', alarm: engineAlarm({ escalationTier: 1, escalationTarget: 'charge-nurse' }) }), T0);
    expect(client.bed('bed-1')?.alarms[0]).toMatchObject({ escalationTier: 1, escalationTarget: 'charge-nurse', audible: true });
  });

  it('follows audio pause and resume, alarms off and reminders, and profile changes', () => {
    const client = seeded();
    expect(event(client, { kind: 'audio-paused', bedId: 'bed-1', by: 'Ana', at: T0, until: T0 + 120_000, alarmIds: [] })).toEqual({ kind: 'beds', bedIds: ['bed-1'] });
    expect(client.bed('bed-1')?.alarmState?.audioPausedUntil).toBe(T0 + 120_000);
    event(client, { kind: 'audio-resumed', bedId: 'bed-1', at: T0 + 120_000, alarmIds: [] });
    expect(client.bed('bed-1')?.alarmState?.audioPausedUntil).toBeNull();

    event(client, { kind: 'alarm-off', bedId: 'bed-1', ruleId: 'spo2-low', off: true, by: 'Ana', at: T0 });
    event(client, { kind: 'alarm-off-reminder', bedId: 'bed-1', ruleId: 'spo2-low', offSince: T0, by: 'Ana', at: T0 + 300_000 });
    expect(client.bed('bed-1')?.alarmState?.alarmsOff).toEqual([{ ruleId: 'spo2-low', since: T0, by: 'Ana' }]);
    expect(client.reminderOf('bed-1', 'spo2-low')).toBe(T0 + 300_000);
    event(client, { kind: 'alarm-off', bedId: 'bed-1', ruleId: 'spo2-low', off: false, by: 'Bo', at: T0 + 400_000 });
    expect(client.bed('bed-1')?.alarmState?.alarmsOff).toEqual([]);
    expect(client.reminderOf('bed-1', 'spo2-low')).toBeUndefined();

    expect(client.profileVersion('bed-1')).toBe(0);
    event(client, { kind: 'profile-changed', bedId: 'bed-1', profileId: 'ketamine-im', label: 'IM', change: 'profile', ruleId: null, at: T0 });
    expect(client.profileVersion('bed-1')).toBe(1);
    expect(client.bed('bed-1')?.alarmState?.profileId).toBe('ketamine-im');
  });

  it('the page\'s connection accepts alarm-event messages', () => {
    const message = parseServerMessage(JSON.stringify({ v: 1, type: 'alarm-event', event: { kind: 'audio-resumed', bedId: 'bed-1', at: T0, alarmIds: [] } }));
    expect(message?.type).toBe('alarm-event');
  });
});

describe('alarm wording', () => {
  it('marks acknowledged (by whom), latched, audio paused and escalation with its target', () => {
    expect(alarmBadges(engineAlarm({ acknowledged: true, acknowledgedBy: 'Ana Silva', audioPaused: true })).map((b) => b.text)).toEqual(['ACK · Ana Silva']);
    expect(alarmBadges(engineAlarm({ latched: true, audioPaused: true, escalationTier: 2, escalationTarget: 'physician' })).map((b) => b.text)).toEqual([
      'LATCHED · condition ended', 'AUDIO PAUSED', 'TIER 2 → physician',
    ]);
    expect(alarmBadges(engineAlarm({ escalationTier: 1, escalationTarget: 'charge-nurse' })).map((b) => b.text)).toEqual(['TIER 1 → charge nurse']);
    expect(alarmBadges(alarm())).toEqual([]);
  });

  it('counts down in minutes and seconds, rounding up, never below zero', () => {
    expect([formatCountdown(120_000), formatCountdown(119_001), formatCountdown(61_000), formatCountdown(0), formatCountdown(-5000)]).toEqual(['2:00', '2:00', '1:01', '0:00', '0:00']);
  });

  it('words history entries', () => {
    expect(historyText({ at: T0, what: 'escalated', detail: 'charge-nurse' })).toBe('Escalated → charge nurse');
    expect(historyText({ at: T0, what: 'end', detail: 'profile-changed' })).toBe('Ended (profile changed)');
    expect(historyText({ at: T0, what: 'acknowledged', by: 'Ana Silva' })).toBe('Acknowledged by Ana Silva');
    expect(historyText({ at: T0, what: 'latched', detail: 'profile-changed' })).toBe('Latched (profile changed)');
  });

  it('summarises rules', () => {
    expect(ruleSummary({ id: 'spo2-low', kind: 'limit', allowOff: true, metric: 'spo2', low: 90, high: null })).toBe('spo2 < 90');
    expect(ruleSummary({ id: 'hr', kind: 'sustained', allowOff: true, code: 'HR_HIGH_SUSTAINED', any: [{ metric: 'pulse-rate', above: 120 }], durationMs: 300_000 })).toBe(
      'HR_HIGH_SUSTAINED: pulse-rate > 120 for 5 min',
    );
  });
});
