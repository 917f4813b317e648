import { describe, it } from 'vitest';
import { map } from 'rxjs';
import { limitCondition, type LimitConditionSpec } from '../../../src/alarms/engine/limit-condition.js';
import { brief, marbles, values } from './engine-test-helpers.js';

const spo2: LimitConditionSpec = {
  ruleId: 'spo2-low', deviceId: 'monitor', metric: 'spo2', codeStem: 'SPO2', low: 90, high: null, hysteresis: 2, delayMs: 10, priority: 'high',
};
const pulse: LimitConditionSpec = { ...spo2, ruleId: 'pulse', metric: 'pulse-rate', codeStem: 'PULSE_RATE', low: 50, high: 120, hysteresis: 0, delayMs: 0 };

function run(input: string, byKey: Record<string, number | null>, expected: string, out: Record<string, string>, spec = spo2): void {
  const ts = marbles();
  ts.run(({ cold, expectObservable }) => {
    const src = cold(input, values(spec.metric, byKey));
    expectObservable(src.pipe(limitCondition(spec, ts), map(brief))).toBe(expected, out);
  });
}

describe('limitCondition (marbles)', () => {
  it('starts only after the violation has lasted the condition delay', () => {
    run('a 4ms b 9ms b', { a: 97, b: 85 }, '15ms s', { s: '+SPO2_LOW 85' });
  });

  it('a violation shorter than the delay never starts', () => {
    // b at 1 is cancelled by a at 7; b at 28 starts at 38.
    run('a b 5ms a 20ms b', { a: 97, b: 85 }, '38ms s', { s: '+SPO2_LOW 85' });
  });

  it('a missing value cancels a pending onset and leaves an active condition active', () => {
    run('b 4ms n 19ms b', { b: 85, n: null }, '35ms s', { s: '+SPO2_LOW 85' });
    run('b 19ms n 9ms a', { a: 97, b: 85, n: null }, '10ms s 19ms e', { s: '+SPO2_LOW 85', e: '-SPO2_LOW 97' });
  });

  it('hysteresis: back over the limit but inside the band keeps it active; at limit + hysteresis it ends', () => {
    // 90 and 91.9 are inside the band (90..92): an update, not an end; 92 ends it.
    run('b 10ms c 9ms d 9ms e', { b: 85, c: 90, d: 91.9, e: 92 }, '10ms s c 9ms d 9ms e', {
      s: '+SPO2_LOW 85', c: '+SPO2_LOW 90', d: '+SPO2_LOW 91.9', e: '-SPO2_LOW 92',
    });
  });

  it('hysteresis band cancels a pending onset (onset uses the limit itself)', () => {
    run('b 4ms c 20ms b', { b: 85, c: 91 }, '36ms s', { s: '+SPO2_LOW 85' });
  });

  it('the value exactly at the limit is not a violation', () => {
    run('a 20ms a', { a: 90 }, '', {});
  });

  it('updates only when the value changes while active', () => {
    run('b 10ms b 9ms c', { b: 85, c: 84 }, '10ms s 10ms c', { s: '+SPO2_LOW 85', c: '+SPO2_LOW 84' });
  });

  it('crossing from low to high ends one condition and starts the other', () => {
    run('l 9ms h', { l: 40, h: 130 }, 'l 9ms (eh)', { l: '+PULSE_RATE_LOW 40', e: '-PULSE_RATE_LOW 130', h: '+PULSE_RATE_HIGH 130' }, pulse);
  });

  it('high side hysteresis ends at or below high - hysteresis', () => {
    const spec = { ...pulse, hysteresis: 5 };
    run('h 9ms a 9ms b', { h: 130, a: 118, b: 115 }, 'h 9ms a 9ms b', { h: '+PULSE_RATE_HIGH 130', a: '+PULSE_RATE_HIGH 118', b: '-PULSE_RATE_HIGH 115' }, spec);
  });

  it('names the value and the limit in the message', () => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('b', values('spo2', { b: 84 }));
      expectObservable(src.pipe(limitCondition({ ...spo2, delayMs: 0 }, ts), map((s) => s.message))).toBe('m', { m: 'SpO2 84 % below 90 %' });
    });
  });
});
