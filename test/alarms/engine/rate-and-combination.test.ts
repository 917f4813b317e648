import { describe, it } from 'vitest';
import { map } from 'rxjs';
import { rateOfChangeCondition, type RateOfChangeSpec } from '../../../src/alarms/engine/rate-of-change-condition.js';
import { combinationCondition, type CombinationInput, type CombinationSpec } from '../../../src/alarms/engine/combination-condition.js';
import { brief, marbles, obs, signal, values } from './engine-test-helpers.js';

const falling: RateOfChangeSpec = {
  ruleId: 'spo2-falling', deviceId: 'monitor', metric: 'spo2', code: 'SPO2_FALLING', priority: 'medium', direction: 'falling', delta: 4, windowMs: 60_000,
};

describe('rateOfChangeCondition (marbles)', () => {
  const run = (input: string, byKey: Record<string, number | null>, expected: string, out: Record<string, string>, spec = falling) => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold(input, values(spec.metric, byKey)).pipe(rateOfChangeCondition(spec, ts), map(brief))).toBe(expected, out);
    });
  };

  it('starts when the value falls by delta within the window', () => {
    run('a 9s b 9s c', { a: 97, b: 95, c: 92 }, '18002ms s', { s: '+SPO2_FALLING 92' });
  });

  it('a slow fall of the same size over a longer time is no condition', () => {
    run('a 30s b 30s c 30s d 30s e', { a: 97, b: 96, c: 95, d: 94, e: 93 }, '', {});
  });

  it('ends when the fall has left the window; updates on a new value while active', () => {
    run('a 9s c 9s d 70s d', { a: 97, c: 92, d: 91 }, '9001ms s 9000ms u 70000ms e', {
      s: '+SPO2_FALLING 92', u: '+SPO2_FALLING 91', e: '-SPO2_FALLING 91',
    });
  });

  it('ends when the value recovers', () => {
    run('a 9s c 9s a', { a: 97, c: 92 }, '9001ms s 9000ms e', { s: '+SPO2_FALLING 92', e: '-SPO2_FALLING 97' });
  });

  it('missing values are skipped', () => {
    run('a 9s n 9s c', { a: 97, n: null, c: 92 }, '18002ms s', { s: '+SPO2_FALLING 92' });
  });

  it('rising: the value rises by delta above the lowest of the window', () => {
    const rising = { ...falling, metric: 'pulse-rate' as const, code: 'PULSE_RATE_RISING', direction: 'rising' as const, delta: 30 };
    run('a 10s b 10s c', { a: 80, b: 100, c: 115 }, '20002ms s', { s: '+PULSE_RATE_RISING 115' }, rising);
  });
});

const respDepression: CombinationSpec = {
  ruleId: 'resp', code: 'RESPIRATORY_DEPRESSION', priority: 'high', mode: 'all', delayMs: 0,
  terms: [{ metric: 'spo2', below: 92 }, { metric: 'resp-rate', below: 8 }],
};

describe('combinationCondition (marbles): SpO2 < 92 and RR < 8', () => {
  const inputs: Record<string, CombinationInput> = {
    l: obs('spo2', 90, 'oximeter'), h: obs('spo2', 96, 'oximeter'), u: obs('spo2', null, 'oximeter'),
    r: obs('resp-rate', 6, 'capno'), R: obs('resp-rate', 12, 'capno'),
    S: signal('SPO2_LOW', true), s: signal('SPO2_LOW', false),
  };
  const run = (input: string, expected: string, out: Record<string, string>, spec = respDepression) => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold(input, inputs).pipe(combinationCondition(spec, ts), map(brief))).toBe(expected, out);
    });
  };

  it('all: starts when both hold (values from different devices) and ends when one no longer does', () => {
    run('l 9ms r 9ms R', '10ms s 9ms e', { s: '+RESPIRATORY_DEPRESSION 90', e: '-RESPIRATORY_DEPRESSION null' });
  });

  it('all: one term alone is no condition', () => {
    run('l 9ms R 9ms h r', '', {});
  });

  it('any: one term is enough', () => {
    run('R 9ms l 9ms h', '10ms s 9ms e', { s: '+RESPIRATORY_DEPRESSION 90', e: '-RESPIRATORY_DEPRESSION null' }, { ...respDepression, mode: 'any' });
  });

  it('condition delay: must hold for delayMs', () => {
    const delayed = { ...respDepression, delayMs: 15 };
    run('l r 9ms R', '', {}, delayed);
    run('l r 20ms R', '16ms s 5ms e', { s: '+RESPIRATORY_DEPRESSION 90', e: '-RESPIRATORY_DEPRESSION null' }, delayed);
  });

  it('a missing value leaves an active combination active', () => {
    run('l r 9ms u 9ms h', '1ms s 19ms e', { s: '+RESPIRATORY_DEPRESSION 90', e: '-RESPIRATORY_DEPRESSION null' });
  });

  it('code terms hold while another rule raises that code', () => {
    const spec: CombinationSpec = { ...respDepression, terms: [{ code: 'SPO2_LOW' }, { metric: 'resp-rate', below: 8 }] };
    run('S 9ms r 9ms s', '10ms s 9ms e', { s: '+RESPIRATORY_DEPRESSION 6', e: '-RESPIRATORY_DEPRESSION null' }, spec);
  });
});
