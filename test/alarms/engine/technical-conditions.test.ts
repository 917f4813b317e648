import { describe, expect, it } from 'vitest';
import { map } from 'rxjs';
import { staleMetricCondition } from '../../../src/alarms/engine/stale-metric-condition.js';
import { invalidDataCondition, isPlausible } from '../../../src/alarms/engine/invalid-data-condition.js';
import { technicalCondition, type TechnicalInput, type TechnicalSpec } from '../../../src/alarms/engine/technical-condition.js';
import { externalAlarmSignal, pumpCondition } from '../../../src/alarms/engine/pump-condition.js';
import type { ConditionSignal } from '../../../src/alarms/engine/condition-signal.js';
import type { AlarmEvent } from '../../../src/alarms/alarm.js';
import { brief, condition, marbles, status, values } from './engine-test-helpers.js';

const withPriority = (s: ConditionSignal) => `${brief(s)} ${s.priority} ${s.kind}`;

describe('staleMetricCondition (marbles)', () => {
  const spec = { ruleId: 'stale', deviceId: 'monitor', deviceLabel: 'Oximeter', metric: 'spo2' as const, priority: 'medium' as const, afterMs: 10_000 };
  const run = (input: string, expected: string, out: Record<string, string>) => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold(input, values('spo2', { a: 97, n: null })).pipe(staleMetricCondition(spec, ts), map(brief))).toBe(expected, out);
    });
  };

  it('stale when a device that sent the metric sends no valid value for afterMs; ends with the next valid one', () => {
    // ...and, with nothing after that, stale again 10 s later.
    run('a 12s a', '10s s 2000ms e 9999ms s', { s: '+SPO2_STALE null', e: '-SPO2_STALE 97' });
  });

  it('nulls are no valid value; the clock starts at the first observation, even a null', () => {
    run('a 4s n 4s n 4s n', '10s s', { s: '+SPO2_STALE null' });
    run('n', '10s s', { s: '+SPO2_STALE null' });
  });

  it('valid values in time keep it quiet', () => {
    run('a 4s a 4s a 4s a 4s a|', '16005ms |', {});
  });

  it('names the device and the time in its message', () => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a', values('spo2', { a: 97 })).pipe(staleMetricCondition(spec, ts), map((s) => s.message))).toBe('10s m', {
        m: 'Oximeter: no valid SpO2 for 10 s',
      });
    });
  });
});

describe('invalidDataCondition (marbles)', () => {
  it('starts on a value no device can report and ends on the next plausible value', () => {
    const ts = marbles();
    const spec = { ruleId: 'technical', deviceId: 'monitor', deviceLabel: 'Oximeter', priority: 'medium' as const };
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a b c n d', { ...values('spo2', { a: 97, b: 150, c: 140, d: 96, n: null }) });
      expectObservable(src.pipe(invalidDataCondition(spec, ts), map(withPriority))).toBe('- b 2ms d', {
        b: '+SPO2_INVALID 150 medium technical', d: '-SPO2_INVALID 96 medium technical',
      });
    });
  });

  it('one operator per device keeps each metric\'s condition apart', () => {
    const ts = marbles();
    const spec = { ruleId: 'technical', deviceId: 'monitor', deviceLabel: 'Monitor', priority: 'medium' as const };
    ts.run(({ cold, expectObservable }) => {
      const input = { ...values('spo2', { s: 150, t: 96 }), ...values('heart-rate', { h: 450, i: 451, j: 80 }) };
      // SpO2 invalid, then HR invalid (a second value keeps it), SpO2 plausible again ends only SpO2's.
      expectObservable(cold('s h i t j', input).pipe(invalidDataCondition(spec, ts), map(withPriority))).toBe('s h 1ms t j', {
        s: '+SPO2_INVALID 150 medium technical', h: '+HEART_RATE_INVALID 450 medium technical',
        t: '-SPO2_INVALID 96 medium technical', j: '-HEART_RATE_INVALID 80 medium technical',
      });
    });
  });

  it('isPlausible: physical ranges, not alarm limits', () => {
    expect(isPlausible('spo2', 45)).toBe(true);
    expect(isPlausible('spo2', 101)).toBe(false);
    expect(isPlausible('spo2', Number.NaN)).toBe(false);
    expect(isPlausible('nibp-sys', Number.POSITIVE_INFINITY)).toBe(false);
    expect(isPlausible('spo2', null)).toBe(true);
  });
});

describe('technicalCondition (marbles)', () => {
  const spec: TechnicalSpec = {
    ruleId: 'technical', deviceId: 'monitor', deviceLabel: 'Oximeter', communicationLost: 'high', sensorOff: 'medium', deviceTechnical: 'low', deviceAlarm: 'medium',
    codes: { INTERFERENCE: 'medium' },
  };
  const inputs: Record<string, TechnicalInput> = {
    r: status('receiving'), s: status('silent'), c: status('silent', { link: 'closed', lastError: 'ECONNRESET' }),
    O: condition('SENSOR_OFF', true), o: condition('SENSOR_OFF', false), P: condition('LOW_PERFUSION', true), I: condition('INTERFERENCE', true),
    H: condition('PULSE_HIGH', true, { kind: 'physiological' }),
  };
  const run = (input: string, expected: string, out: Record<string, string>, f = withPriority) => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold(input, inputs).pipe(technicalCondition(spec, ts), map(f))).toBe(expected, out);
    });
  };

  it('COMMUNICATION_LOST while the data is silent, an update when the reason changes, end when receiving', () => {
    run('r s s c r', '- a - b e', { a: '+COMMUNICATION_LOST null high technical', b: '+COMMUNICATION_LOST null high technical', e: '-COMMUNICATION_LOST null high technical' });
    run('s c', 'a b', { a: 'Oximeter: communication lost (connected, no valid data)', b: 'Oximeter: communication lost (link closed: ECONNRESET)' }, (s) => s.message);
  });

  it('device technical codes: sensor off, per-code, default; device physiological alarms as DEVICE_<code>', () => {
    run('O P I H O o', 'a b c d - e', {
      a: '+SENSOR_OFF null medium technical', b: '+LOW_PERFUSION null low technical', c: '+INTERFERENCE null medium technical',
      d: '+DEVICE_PULSE_HIGH null medium physiological', e: '-SENSOR_OFF null medium technical',
    });
  });
});

describe('pumpCondition and external alarms', () => {
  it('maps the pump codes the rule lists, with their priority; other codes are ignored', () => {
    const ts = marbles();
    const spec = { ruleId: 'pump', deviceId: 'pump', deviceLabel: 'Syringe pump', conditions: { OCCLUSION: 'high' as const, NEAR_END: 'low' as const } };
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a b c A', { a: condition('OCCLUSION', true), b: condition('NEAR_END', true), c: condition('MYSTERY', true), A: condition('OCCLUSION', false) });
      expectObservable(src.pipe(pumpCondition(spec, ts), map(withPriority))).toBe('a b - A', {
        a: '+OCCLUSION null high technical', b: '+NEAR_END null low technical', A: '-OCCLUSION null high technical',
      });
    });
  });

  it('an external alarm keeps its id; the pump rule can raise its priority, never lower it', () => {
    const alarm = {
      id: 'bed-1/pump/RATE_CHANGE_NOT_VERIFIED/order-7', bedId: 'bed-1', deviceId: 'pump', code: 'RATE_CHANGE_NOT_VERIFIED', kind: 'technical' as const,
      priority: 'medium' as const, message: 'not verified', startedAt: 1, updatedAt: 1, endedAt: null,
    };
    const start: AlarmEvent = { phase: 'start', alarm };
    const raised = externalAlarmSignal(start, 5, { id: 'pump', conditions: { RATE_CHANGE_NOT_VERIFIED: 'high' } });
    expect(raised).toMatchObject({ ruleId: 'pump', alarmId: alarm.id, priority: 'high', active: true, at: 5 });
    const kept = externalAlarmSignal({ phase: 'end', alarm: { ...alarm, priority: 'high' } }, 6, { id: 'pump', conditions: { RATE_CHANGE_NOT_VERIFIED: 'low' } });
    expect(kept).toMatchObject({ priority: 'high', active: false });
    expect(externalAlarmSignal(start, 5, null)).toMatchObject({ ruleId: 'external', priority: 'medium' });
  });
});
