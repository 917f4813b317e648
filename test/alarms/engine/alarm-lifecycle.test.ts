import { describe, expect, it } from 'vitest';
import type { TestScheduler } from 'rxjs/testing';
import { BedAlarmLifecycle, type LifecycleRule } from '../../../src/alarms/engine/alarm-lifecycle.js';
import { BedAlarmCommands } from '../../../src/alarms/engine/bed-alarm-commands.js';
import { lifecycleSchema } from '../../../src/alarms/engine/profile-schema.js';
import type { CommandResult } from '../../../src/alarms/engine/engine-events.js';
import type { ConditionSignal } from '../../../src/alarms/engine/condition-signal.js';
import { describeEvent, marbles, signal } from './engine-test-helpers.js';

const settings = lifecycleSchema.parse({
  audioPauseMs: 60_000,
  alarmOffReminderMs: 60_000,
  escalation: { high: [{ tier: 'charge-nurse', afterMs: 30_000 }, { tier: 'physician', afterMs: 120_000 }] },
});
const rules = new Map<string, LifecycleRule>([
  ['r1', { latching: undefined, allowOff: true }],
  ['no-latch', { latching: false, allowOff: true }],
  ['technical', { latching: undefined, allowOff: false }],
]);

/** Signals (marble keys): X high, M medium; lower case is the end; V is X with a new value. */
const S: Record<string, ConditionSignal> = {
  X: signal('SPO2_LOW', true, { value: 85 }), V: signal('SPO2_LOW', true, { value: 80 }), x: signal('SPO2_LOW', false, { value: 95 }),
  M: signal('PULSE_RATE_HIGH', true, { priority: 'medium', value: 130 }), m: signal('PULSE_RATE_HIGH', false, { priority: 'medium' }),
  N: signal('ETCO2_HIGH', true, { ruleId: 'no-latch' }), n: signal('ETCO2_HIGH', false, { ruleId: 'no-latch' }),
  T: signal('COMMUNICATION_LOST', true, { ruleId: 'technical', priority: 'medium' }),
};
const X_ID = 'bed-1/monitor/SPO2_LOW/0';
const M_ID = 'bed-1/monitor/PULSE_RATE_HIGH/0';

/**
 * Runs signals (a hot marble) and commands (at virtual times) through one bed's lifecycle;
 * returns the timeline `<ms> <event>` and the commands' results.
 */
function scenario(
  input: string,
  commands: [number, (c: BedAlarmCommands) => CommandResult][] = [],
  horizonMs = 600_000,
  extra: Record<string, ConditionSignal> = {},
) {
  const ts: TestScheduler = marbles();
  const timeline: string[] = [];
  const results: CommandResult[] = [];
  let lc!: BedAlarmLifecycle;
  ts.run(({ hot, flush }) => {
    lc = new BedAlarmLifecycle({ bedId: 'bed-1', profileId: 'test', settings, rules, scheduler: ts, emit: (e) => timeline.push(`${ts.now()} ${describeEvent(e)}`) });
    const commandsOf = new BedAlarmCommands(lc);
    hot(input, { ...S, ...extra }).subscribe((s) => lc.signal(s));
    for (const [at, command] of commands) ts.schedule(() => results.push(command(commandsOf)), at);
    ts.schedule(() => commandsOf.dispose(), horizonMs);
    ts.schedule(() => lc.dispose(), horizonMs);
    flush();
  });
  return { timeline, results, lc };
}

describe('alarm lifecycle: start, update, end', () => {
  it('a non-latching alarm starts, updates with its value and ends with its condition', () => {
    expect(scenario('M 999ms m').timeline).toEqual(['0 start PULSE_RATE_HIGH (condition)', '1000 end PULSE_RATE_HIGH (condition)']);
    const { timeline } = scenario('X 999ms V 999ms x', [], 10_000);
    expect(timeline.slice(0, 2)).toEqual(['0 start SPO2_LOW (condition)', '1000 update SPO2_LOW (value)']);
  });

  it('gives each alarm an id and keeps a history', () => {
    const { lc } = scenario('M 999ms m');
    const [ended] = lc.snapshot().recent;
    expect(ended?.alarm).toMatchObject({ id: M_ID, startedAt: 0, endedAt: 1000, priority: 'medium' });
    expect(ended?.history.map((h) => h.what)).toEqual(['start', 'end']);
  });
});

describe('alarm lifecycle: latching', () => {
  it('a high alarm latches when its condition ends, and ends when acknowledged', () => {
    const { timeline } = scenario('X 999ms x', [[3000, (c) => c.acknowledge(X_ID, 'ana')]], 10_000);
    expect(timeline).toEqual([
      '0 start SPO2_LOW (condition)',
      '1000 update SPO2_LOW (latched) [latched]',
      '3000 acknowledged SPO2_LOW by ana (ended)',
      '3000 end SPO2_LOW (acknowledged) [ack]',
    ]);
  });

  it('a latched alarm whose condition returns is the same alarm, active again', () => {
    const { timeline, lc } = scenario('X 999ms x 999ms X', [], 10_000);
    expect(timeline).toEqual(['0 start SPO2_LOW (condition)', '1000 update SPO2_LOW (latched) [latched]', '2000 update SPO2_LOW (reactivated)']);
    expect(lc.snapshot().active.map((r) => r.alarm.id)).toEqual([X_ID]);
  });

  it('an alarm acknowledged while its condition holds does not latch: it ends with the condition', () => {
    const { timeline } = scenario('X 1999ms x', [[1000, (c) => c.acknowledge(X_ID, 'ana')]], 10_000);
    expect(timeline.at(-1)).toBe('2000 end SPO2_LOW (condition) [ack]');
  });

  it('a rule can turn latching off for its high alarm', () => {
    expect(scenario('N 999ms n', [], 10_000).timeline).toEqual(['0 start ETCO2_HIGH (condition)', '1000 end ETCO2_HIGH (condition)']);
  });
});

describe('alarm lifecycle: acknowledge', () => {
  it('silences only the alarm active now; a new condition sounds again', () => {
    const { timeline, results } = scenario('M 999ms - 999ms m 999ms M', [[1000, (c) => c.acknowledge(M_ID, 'ana')]]);
    expect(timeline).toEqual([
      '0 start PULSE_RATE_HIGH (condition)',
      '1000 update PULSE_RATE_HIGH (acknowledged) [ack,silent]',
      '1000 acknowledged PULSE_RATE_HIGH by ana',
      '2000 end PULSE_RATE_HIGH (condition) [ack]',
      '3000 start PULSE_RATE_HIGH (condition)',
    ]);
    expect(results).toEqual([{ ok: true }]);
  });

  it('acknowledging one alarm leaves another sounding', () => {
    const { lc } = scenario('(MT)', [[1000, (c) => c.acknowledge(M_ID, 'ana')]]);
    const audible = lc.snapshot().active.map((r) => `${r.alarm.code}:${r.alarm.audible}`);
    expect(audible.sort()).toEqual(['COMMUNICATION_LOST:true', 'PULSE_RATE_HIGH:false']);
  });

  it('refuses twice, unknown alarms and a missing user, without throwing', () => {
    const { results } = scenario('M', [
      [1, (c) => c.acknowledge(M_ID, 'ana')],
      [2, (c) => c.acknowledge(M_ID, 'ben')],
      [3, (c) => c.acknowledge('nope', 'ana')],
      [4, (c) => c.acknowledge(M_ID, '')],
      [5, (c) => c.acknowledge(42 as unknown as string, undefined as unknown as string)],
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'ALREADY_ACKNOWLEDGED', 'UNKNOWN_ALARM', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  });
});

describe('alarm lifecycle: audio pause', () => {
  it('silences the sounding alarms until it expires; the alarm stays active (visual signal)', () => {
    const { timeline } = scenario('M', [[1000, (c) => c.pauseAudio('ana', 60_000)]], 100_000);
    expect(timeline).toEqual([
      '0 start PULSE_RATE_HIGH (condition)',
      '1000 update PULSE_RATE_HIGH (audio-paused) [paused,silent]',
      '1000 audio paused 1 until 61000',
      '61000 update PULSE_RATE_HIGH (audio-resumed)',
      '61000 audio resumed 1',
    ]);
  });

  it('a condition that starts during the pause sounds; the default duration comes from the profile', () => {
    const { timeline } = scenario('M 9999ms T', [[1000, (c) => c.pauseAudio('ana')]], 100_000);
    expect(timeline).toContain('10000 start COMMUNICATION_LOST (condition)');
    expect(timeline).toContain('61000 audio resumed 1');
  });

  it('leaves acknowledged alarms out (they are silent already)', () => {
    const { timeline } = scenario('(MT)', [[1000, (c) => c.acknowledge(M_ID, 'ana')], [2000, (c) => c.pauseAudio('ana')]], 100_000);
    expect(timeline.filter((l) => l.includes('audio'))).toEqual([
      '2000 update COMMUNICATION_LOST (audio-paused) [paused,silent]',
      '2000 audio paused 1 until 62000',
      '62000 update COMMUNICATION_LOST (audio-resumed)',
      '62000 audio resumed 1',
    ]);
  });

  it('refuses a pause longer than the profile allows or not a whole number of ms', () => {
    const { results } = scenario('M', [[1, (c) => c.pauseAudio('ana', 900_000)], [2, (c) => c.pauseAudio('ana', 1.5)], [3, (c) => c.pauseAudio('', 10_000)]]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  });
});

describe('alarm lifecycle: escalation', () => {
  it('an unacknowledged high alarm climbs the tiers at their times from its start', () => {
    const { timeline } = scenario('X', [], 300_000);
    expect(timeline).toEqual([
      '0 start SPO2_LOW (condition)',
      '30000 update SPO2_LOW (escalated) [tier1]',
      '30000 escalation SPO2_LOW tier 1 -> charge-nurse',
      '120000 update SPO2_LOW (escalated) [tier2]',
      '120000 escalation SPO2_LOW tier 2 -> physician',
    ]);
  });

  it('acknowledging stops the escalation; an audio pause does not', () => {
    const acked = scenario('X', [[60_000, (c) => c.acknowledge(X_ID, 'ana')]], 300_000).timeline;
    expect(acked.filter((l) => l.includes('escalation'))).toEqual(['30000 escalation SPO2_LOW tier 1 -> charge-nurse']);
    const paused = scenario('X', [[1000, (c) => c.pauseAudio('ana')]], 300_000).timeline;
    expect(paused.filter((l) => l.includes('escalation'))).toHaveLength(2);
  });

  it('a latched alarm keeps escalating; an ended one stops; a priority without tiers never escalates', () => {
    expect(scenario('X 999ms x', [], 300_000).timeline.filter((l) => l.includes('escalation'))).toHaveLength(2);
    expect(scenario('N 999ms n', [], 300_000).timeline.filter((l) => l.includes('escalation'))).toHaveLength(0);
    expect(scenario('M', [], 300_000).timeline.filter((l) => l.includes('escalation'))).toHaveLength(0);
  });

  it('an alarm whose priority changes escalates on the new priority\'s tiers, from its start', () => {
    const id = 'bed-1/pump/RATE_CHANGE_NOT_VERIFIED/order-1';
    const ext = {
      E: signal('RATE_CHANGE_NOT_VERIFIED', true, { alarmId: id, ruleId: 'external', priority: 'medium' }),
      H: signal('RATE_CHANGE_NOT_VERIFIED', true, { alarmId: id, ruleId: 'external', priority: 'high' }),
    };
    // Medium has no tiers; raised to high at 10 s, it escalates at 30 s and 120 s after its start.
    const raised = scenario('E 9999ms H', [], 300_000, ext).timeline.filter((l) => l.includes('escalation'));
    expect(raised).toEqual(['30000 escalation RATE_CHANGE_NOT_VERIFIED tier 1 -> charge-nurse', '120000 escalation RATE_CHANGE_NOT_VERIFIED tier 2 -> physician']);
    // Lowered to medium before its first tier: no escalation.
    expect(scenario('H 9999ms E', [], 300_000, ext).timeline.filter((l) => l.includes('escalation'))).toEqual([]);
  });
});

describe('alarm lifecycle: alarm off with reminder', () => {
  it('ends the rule\'s alarms, raises none while off, reminds, and restarts a condition still present when on again', () => {
    const { timeline } = scenario('X 9999ms x 9999ms X', [
      [1000, (c) => c.setAlarmOff('r1', true, 'ana')],
      [150_000, (c) => c.setAlarmOff('r1', false, 'ana')],
    ], 300_000);
    expect(timeline).toEqual([
      '0 start SPO2_LOW (condition)',
      '1000 alarm off r1 by ana',
      '1000 end SPO2_LOW (alarm-off)',
      '61000 reminder r1 off since 1000',
      '121000 reminder r1 off since 1000',
      '150000 alarm on r1 by ana',
      '150000 start SPO2_LOW (alarm-on)',
      '180000 update SPO2_LOW (escalated) [tier1]',
      '180000 escalation SPO2_LOW tier 1 -> charge-nurse',
      '270000 update SPO2_LOW (escalated) [tier2]',
      '270000 escalation SPO2_LOW tier 2 -> physician',
    ]);
  });

  it('refuses rules that may not be turned off and unknown rules', () => {
    const { results, lc } = scenario('T', [[1, (c) => c.setAlarmOff('technical', true, 'ana')], [2, (c) => c.setAlarmOff('nope', true, 'ana')], [3, (c) => c.setAlarmOff('r1', 'yes' as unknown as boolean, 'ana')]]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ALARM_OFF_NOT_ALLOWED', 'UNKNOWN_RULE', 'INVALID_ARGUMENT']);
    expect(lc.snapshot().active.map((r) => r.alarm.code)).toEqual(['COMMUNICATION_LOST']);
  });
});

describe('alarm lifecycle: external alarms', () => {
  it('keep their id and do not latch: their source ends them', () => {
    const ext = { E: signal('RATE_CHANGE_NOT_VERIFIED', true, { alarmId: 'bed-1/pump/RATE_CHANGE_NOT_VERIFIED/order-1', ruleId: 'external' }), e: signal('RATE_CHANGE_NOT_VERIFIED', false, { alarmId: 'bed-1/pump/RATE_CHANGE_NOT_VERIFIED/order-1', ruleId: 'external' }) };
    const { timeline, lc } = scenario('E 999ms e', [], 10_000, ext);
    expect(timeline).toEqual(['0 start RATE_CHANGE_NOT_VERIFIED (condition)', '1000 end RATE_CHANGE_NOT_VERIFIED (condition)']);
    expect(lc.snapshot().recent[0]?.alarm.id).toBe('bed-1/pump/RATE_CHANGE_NOT_VERIFIED/order-1');
  });
});
