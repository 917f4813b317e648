import { describe, expect, it } from 'vitest';
import { NEVER, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { createAlarmEngine, type AlarmEngine, type AlarmEngineBed } from '../../../src/alarms/engine/alarm-engine.js';
import { loadAlarmProfiles } from '../../../src/alarms/engine/profile-loader.js';
import type { EngineEvent } from '../../../src/alarms/engine/engine-events.js';
import type { AlarmEvent } from '../../../src/alarms/alarm.js';
import type { Observation } from '../../../src/model/observation.js';
import type { DeviceCondition, DeviceStatus } from '../../../src/model/device-events.js';
import { condition, describeEvent, marbles, obs, status } from './engine-test-helpers.js';

const profiles = loadAlarmProfiles();
const ketamineIv = profiles.get('ketamine-iv')!;
const adult = profiles.get('adult-default')!;
const beds: AlarmEngineBed[] = [
  { bedId: 'bed-1', profile: ketamineIv, devices: [{ deviceId: 'oximeter', label: 'Oximeter' }, { deviceId: 'monitor', label: 'Monitor' }, { deviceId: 'pump', label: 'Syringe pump', pump: true }] },
  { bedId: 'bed-2', profile: adult, devices: [{ deviceId: 'oximeter', label: 'Oximeter' }] },
];

interface Marbles {
  observations?: [string, Record<string, Observation>];
  status?: [string, Record<string, DeviceStatus>];
  conditions?: [string, Record<string, DeviceCondition>];
  external?: [string, Record<string, AlarmEvent>];
  commands?: [number, (e: AlarmEngine) => unknown][];
  untilMs?: number;
}

/** Runs the engine over marble inputs in virtual time; returns `<ms> <bed> <event>` lines and the engine. */
function run(m: Marbles, engineBeds = beds) {
  const ts: TestScheduler = marbles();
  const lines: string[] = [];
  const results: unknown[] = [];
  let engine!: AlarmEngine;
  ts.run(({ hot, flush }) => {
    const input = <T>(spec: [string, Record<string, T>] | undefined): Observable<T> => (spec ? hot(spec[0], spec[1]) : NEVER);
    engine = createAlarmEngine({
      beds: engineBeds,
      inputs: { observations$: input(m.observations), status$: input(m.status), conditions$: input(m.conditions), external$: input(m.external) },
      scheduler: ts,
    });
    engine.events$.subscribe((e: EngineEvent) => lines.push(`${ts.now()} ${'bedId' in e ? e.bedId : e.alarm.bedId} ${describeEvent(e)}`));
    for (const [at, command] of m.commands ?? []) ts.schedule(() => results.push(command(engine)), at);
    ts.schedule(() => engine.stop(), m.untilMs ?? 60_000);
    flush();
  });
  return { lines, results, engine };
}

const ox = (value: number | null, bedId = 'bed-1', deviceId = 'oximeter') => obs('spo2', value, deviceId, bedId);

describe('createAlarmEngine: dispatch per bed, device and metric', () => {
  it('runs each bed\'s profile on its own devices\' data', () => {
    const { lines, engine } = run({
      observations: ['a 4s b 4s c 4s d', { a: ox(85), b: ox(85, 'bed-2'), c: ox(85, 'bed-9'), d: ox(85, 'bed-1', 'stranger') }],
      untilMs: 25_000,
    });
    expect(lines.filter((l) => l.includes('start'))).toEqual(['15000 bed-1 start SPO2_LOW (condition)', '19001 bed-2 start SPO2_LOW (condition)']);
    expect(engine.stats()).toEqual({ observations: 4, dropped: 2 });
  });

  it('a value no device can report is invalid data and reaches no other rule', () => {
    const { lines } = run({ observations: ['a 20s b', { a: ox(150), b: ox(97) }], untilMs: 25_000 });
    expect(lines).toEqual(['0 bed-1 start SPO2_INVALID (condition)', '20001 bed-1 end SPO2_INVALID (condition)']);
  });
});

describe('createAlarmEngine: rules wait for their device\'s first value', () => {
  const withSpo2Low = (low: number) => ({ ...ketamineIv, rules: ketamineIv.rules.map((r) => (r.id === 'spo2-low' ? { ...r, low } : r)) });

  it('a limit changed before the device ever sent the metric applies only the new limit', () => {
    const { lines, results } = run({
      commands: [[1000, (e) => e.replaceProfile('bed-1', withSpo2Low(80), 'ana')]],
      observations: ['5s a 30s b', { a: ox(85), b: ox(78) }],
      untilMs: 60_000,
    });
    expect(results).toEqual([{ ok: true }]);
    // 85 % is below the old 90 % but not the new 80 %: no alarm until 78 %, 15 s later.
    expect(lines.filter((l) => l.includes('SPO2_LOW'))).toEqual(['50001 bed-1 start SPO2_LOW (condition)']);
  });

  it('a rule removed before its first value never runs; the others start with their metric', () => {
    const without = { ...ketamineIv, rules: ketamineIv.rules.filter((r) => r.id !== 'spo2-low') };
    const { lines } = run({
      commands: [[1000, (e) => e.replaceProfile('bed-1', without, 'ana')]],
      observations: ['5s a', { a: ox(85) }],
      untilMs: 200_000,
    });
    // spo2-low (15 s) is gone; spo2-low-prolonged (120 s) still alarms on the same value.
    expect(lines.filter((l) => l.includes('start'))).toEqual(['35000 bed-1 start SPO2_STALE (condition)', '125000 bed-1 start SPO2_PROLONGED_LOW (condition)']);
  });
});

describe('createAlarmEngine: the ketamine IV rules end to end', () => {
  it('BP above 180/110 on two readings 5 min apart, and any reading above 200/120 at once', () => {
    const nibp = (sys: number, dia: number): Record<string, Observation> => ({ s: obs('nibp-sys', sys, 'monitor'), d: obs('nibp-dia', dia, 'monitor') });
    const values = { S: nibp(185, 100).s!, D: nibp(185, 100).d!, T: obs('nibp-sys', 205, 'monitor'), E: obs('nibp-dia', 115, 'monitor') };
    const { lines } = run({ observations: ['(SD) 5m (TE)', values], untilMs: 400_000 });
    const starts = lines.filter((l) => l.includes(' start '));
    expect(starts).toEqual(['300004 bed-1 start NIBP_SYS_HIGH (condition)', '300004 bed-1 start BP_HIGH_REPEATED (condition)']);
  });

  it('respiratory depression combines SpO2 from the oximeter and RR from the monitor', () => {
    const { lines } = run({ observations: ['a 1s b 1s c', { a: ox(91), b: obs('resp-rate', 6, 'monitor'), c: obs('resp-rate', 12, 'monitor') }], untilMs: 10_000 });
    expect(lines).toEqual(['1001 bed-1 start RESPIRATORY_DEPRESSION (condition)', '2002 bed-1 update RESPIRATORY_DEPRESSION (latched) [latched]']);
  });

  it('communication lost is high in a ketamine session; pump conditions go to the pump rule, others to the technical one', () => {
    const { engine } = run({
      status: ['a', { a: status('silent', { deviceId: 'oximeter' }) }],
      conditions: ['b c d', {
        b: condition('OCCLUSION', true, { deviceId: 'pump' }),
        c: condition('LOW_BATTERY', true, { deviceId: 'oximeter' }),
        d: condition('PUMP_FAULT', true, { deviceId: 'pump' }),
      }],
      untilMs: 10_000,
    });
    const active = engine.snapshot('bed-1')?.active.map((r) => `${r.alarm.code} ${r.alarm.priority} ${r.alarm.ruleId}`);
    expect(active).toEqual(['COMMUNICATION_LOST high technical', 'OCCLUSION high pump', 'PUMP_FAULT low technical', 'LOW_BATTERY low technical']);
  });

  it('an external RATE_CHANGE_NOT_VERIFIED keeps its id, is acknowledged here, and ends only from its source', () => {
    const alarm = {
      id: 'bed-1/pump/RATE_CHANGE_NOT_VERIFIED/order-1', bedId: 'bed-1', deviceId: 'pump', code: 'RATE_CHANGE_NOT_VERIFIED', kind: 'technical' as const,
      priority: 'high' as const, message: 'Rate change not verified', startedAt: 0, updatedAt: 0, endedAt: null,
    };
    const { lines, results } = run({
      external: ['a 9s b', { a: { phase: 'start', alarm }, b: { phase: 'end', alarm } }],
      commands: [[5000, (e) => e.acknowledge('bed-1', alarm.id, 'ana')]],
      untilMs: 20_000,
    });
    expect(results).toEqual([{ ok: true }]);
    expect(lines).toEqual([
      '0 bed-1 start RATE_CHANGE_NOT_VERIFIED (condition)',
      '5000 bed-1 update RATE_CHANGE_NOT_VERIFIED (acknowledged) [ack,silent]',
      '5000 bed-1 acknowledged RATE_CHANGE_NOT_VERIFIED by ana',
      '9001 bed-1 end RATE_CHANGE_NOT_VERIFIED (condition) [ack]',
    ]);
  });
});

describe('createAlarmEngine: commands and snapshot', () => {
  it('commands refuse unknown beds and bad input instead of throwing', () => {
    const { results } = run({
      commands: [
        [1, (e) => e.acknowledge('bed-9', 'x', 'ana')],
        [2, (e) => e.pauseAudio('bed-1', 'ana', -5)],
        [3, (e) => e.setAlarmOff('bed-1', 'technical', true, 'ana')],
        [4, (e) => e.snapshot('bed-9')],
        [5, (e) => e.pauseAudio(null as unknown as string, 'ana')],
      ],
    });
    expect(results).toEqual([
      expect.objectContaining({ ok: false, code: 'UNKNOWN_BED' }),
      expect.objectContaining({ ok: false, code: 'INVALID_ARGUMENT' }),
      expect.objectContaining({ ok: false, code: 'ALARM_OFF_NOT_ALLOWED' }),
      undefined,
      expect.objectContaining({ ok: false, code: 'UNKNOWN_BED' }),
    ]);
  });

  it('audio pause takes the profile default; the snapshot shows it and the alarm-off state', () => {
    const { results, lines } = run({
      observations: ['a', { a: ox(85) }],
      commands: [[20_000, (e) => e.pauseAudio('bed-1', 'ana')], [21_000, (e) => e.setAlarmOff('bed-1', 'spo2-low-prolonged', true, 'ana')], [22_000, (e) => e.snapshot('bed-1')]],
      untilMs: 200_000,
    });
    const snap = results[2] as ReturnType<AlarmEngine['snapshot']>;
    expect(snap?.audioPausedUntil).toBe(140_000);
    expect(snap?.alarmsOff).toEqual([{ ruleId: 'spo2-low-prolonged', since: 21_000, by: 'ana' }]);
    expect(snap?.active.map((r) => [r.alarm.code, r.alarm.audioPaused, r.history.map((h) => h.what)])).toEqual([['SPO2_LOW', true, ['start', 'audio-paused']]]);
    expect(lines).toContain('140000 bed-1 audio resumed 1');
    expect(lines.some((l) => l.includes('SPO2_PROLONGED_LOW'))).toBe(false);
  });

  it('alarmEvents$ carries only alarm edges, as AlarmEvents', () => {
    const ts = marbles();
    const seen: string[] = [];
    ts.run(({ hot, flush }) => {
      const engine = createAlarmEngine({ beds, inputs: { observations$: hot('a', { a: ox(150) }), status$: NEVER, conditions$: NEVER }, scheduler: ts });
      engine.alarmEvents$.subscribe((e) => seen.push(`${e.phase} ${e.alarm.code}`));
      ts.schedule(() => engine.pauseAudio('bed-1', 'ana'), 10);
      ts.schedule(() => engine.stop(), 1000);
      flush();
    });
    expect(seen).toEqual(['start SPO2_INVALID', 'update SPO2_INVALID']);
  });

  it('refuses duplicate beds and rules naming a device the bed lacks', () => {
    const inputs = { observations$: NEVER, status$: NEVER, conditions$: NEVER };
    expect(() => createAlarmEngine({ beds: [beds[1]!, beds[1]!], inputs })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const pinned = { ...adult, rules: [...adult.rules, { ...adult.rules[0]!, id: 'pinned', kind: 'limit' as const, metric: 'etco2' as const, low: 10, high: null, device: 'capno', codeStem: 'PINNED' }] };
    expect(() => createAlarmEngine({ beds: [{ ...beds[1]!, profile: pinned as typeof adult }], inputs })).toThrow(/names device "capno"/);
  });
});
