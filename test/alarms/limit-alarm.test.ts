import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { limitAlarm, type LimitAlarmSpec } from '../../src/alarms/limit-alarm.js';
import type { Observation } from '../../src/model/observation.js';

const spec: LimitAlarmSpec = {
  bedId: 'bed-1', deviceId: 'oximeter', codeStem: 'SPO2', label: 'SpO2', unitLabel: '%',
  low: 90, high: null, priority: 'high', delayMs: 15,
};

function obs(value: number | null): Observation {
  return {
    bedId: 'bed-1', deviceId: 'oximeter', metric: 'spo2', code: 150456, value, unit: '%',
    deviceTime: null, receivedAt: 0, flags: value === null ? ['unavailable'] : [],
  };
}

function events(input: string, values: Record<string, number | null>, s: LimitAlarmSpec = spec): string[] {
  const scheduler = new TestScheduler(() => undefined);
  const seen: string[] = [];
  scheduler.run(({ cold, flush }) => {
    const src = cold(input, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, obs(v)])));
    src.pipe(limitAlarm(s, scheduler)).subscribe((e) => seen.push(`${scheduler.now()} ${e.phase} ${e.alarm.code} ${e.alarm.value}`));
    flush();
  });
  return seen;
}

describe('limitAlarm', () => {
  it('starts only after the violation has lasted the condition delay', () => {
    expect(events('a 4ms b 9ms b 9ms b', { a: 97, b: 85 })).toEqual(['20 start SPO2_LOW 85']);
  });

  it('a violation shorter than the delay never alarms', () => {
    expect(events('a 4ms b 9ms a 9ms a', { a: 97, b: 85 })).toEqual([]);
  });

  it('updates while active when the value changes, and ends when back inside the limit', () => {
    expect(events('b 19ms c 9ms c 9ms a', { a: 95, b: 85, c: 80 })).toEqual([
      '15 start SPO2_LOW 85',
      '20 update SPO2_LOW 80',
      '40 end SPO2_LOW 95',
    ]);
  });

  it('a missing value cancels a pending start but does not end an active alarm', () => {
    expect(events('b 4ms n 19ms b', { b: 85, n: null })).toEqual(['40 start SPO2_LOW 85']);
    expect(events('b 19ms n 9ms a', { a: 97, b: 85, n: null })).toEqual(['15 start SPO2_LOW 85', '30 end SPO2_LOW 97']);
  });

  it('crossing from low to high ends one alarm and arms the other', () => {
    const both = { ...spec, codeStem: 'PULSE_RATE', low: 50, high: 120, delayMs: 0 };
    expect(events('l 9ms h', { l: 40, h: 130 }, both)).toEqual([
      '0 start PULSE_RATE_LOW 40',
      '10 end PULSE_RATE_LOW 130',
      '10 start PULSE_RATE_HIGH 130',
    ]);
  });

  it('names the value and the limit in the message', () => {
    const scheduler = new TestScheduler(() => undefined);
    let message = '';
    scheduler.run(({ cold, flush }) => {
      cold('b', { b: obs(84) }).pipe(limitAlarm({ ...spec, delayMs: 0 }, scheduler)).subscribe((e) => (message = e.alarm.message));
      flush();
    });
    expect(message).toBe('SpO2 84 % below 90 %');
  });
});
