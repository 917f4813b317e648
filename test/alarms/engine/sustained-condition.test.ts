import { describe, it } from 'vitest';
import { map } from 'rxjs';
import { sustainedDurationCondition, sustainedReadingsCondition } from '../../../src/alarms/engine/sustained-condition.js';
import { brief, marbles, obs } from './engine-test-helpers.js';
import type { Observation } from '../../../src/model/observation.js';

const hr = {
  ruleId: 'hr', deviceId: 'monitor', code: 'HR_HIGH_SUSTAINED', priority: 'medium' as const, mode: 'any' as const,
  terms: [{ metric: 'pulse-rate' as const, above: 120 }, { metric: 'heart-rate' as const, above: 120 }], durationMs: 300_000,
};
const bp = {
  ruleId: 'bp', deviceId: 'monitor', code: 'BP_HIGH_REPEATED', priority: 'high' as const, mode: 'any' as const,
  terms: [{ metric: 'nibp-sys' as const, above: 180 }, { metric: 'nibp-dia' as const, above: 110 }],
  readings: { count: 2, minSpacingMs: 300_000, groupWindowMs: 5000 },
};

/** NIBP marble values: upper case key = systolic, lower case = diastolic. */
const nibp: Record<string, Observation> = {
  S: obs('nibp-sys', 185), N: obs('nibp-sys', 150), Z: obs('nibp-sys', 170), X: obs('nibp-sys', null),
  d: obs('nibp-dia', 100), D: obs('nibp-dia', 115), n: obs('nibp-dia', 80), x: obs('nibp-dia', null),
};

describe('sustainedDurationCondition (marbles): HR > 120 for 5 min', () => {
  const pulse = { h: obs('pulse-rate', 125), H: obs('pulse-rate', 130), n: obs('pulse-rate', 110), u: obs('pulse-rate', null), e: obs('heart-rate', 124) };
  const run = (input: string, expected: string, out: Record<string, string>) => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold(input, pulse).pipe(sustainedDurationCondition(hr, ts), map(brief))).toBe(expected, out);
    });
  };

  it('starts when every reading has been above the limit for the whole duration', () => {
    run('h 1m h 1m h 1m h 1m h 1m h', '5m s', { s: '+HR_HIGH_SUSTAINED 125' });
  });

  it('a reading within the limit restarts the wait', () => {
    // h at 0, n at 120001 cancels, h at 180002 restarts: start at 480002.
    run('h 2m n 1m h 1m h 1m h 1m h 1m h 1m h', '480002ms s', { s: '+HR_HIGH_SUSTAINED 125' });
  });

  it('updates on a changed value and ends on a reading within the limit', () => {
    run('h 5m H 1m n', '5m s H 1m e', { s: '+HR_HIGH_SUSTAINED 125', H: '+HR_HIGH_SUSTAINED 130', e: '-HR_HIGH_SUSTAINED 110' });
  });

  it('a missing value cancels the wait but does not end an active condition', () => {
    run('h 1m u', '', {});
    run('h 5m u 1m h', '5m s', { s: '+HR_HIGH_SUSTAINED 125' });
  });

  it('any of its metrics can hold it (ECG heart rate as well as pulse rate)', () => {
    run('e', '5m s', { s: '+HR_HIGH_SUSTAINED 124' });
  });
});

describe('sustainedReadingsCondition (marbles): BP > 180/110 on two readings 5 min apart', () => {
  const run = (input: string, expected: string, out: Record<string, string>, spec = bp) => {
    const ts = marbles();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold(input, nibp).pipe(sustainedReadingsCondition(spec, ts), map(brief))).toBe(expected, out);
    });
  };

  it('starts on the second violating reading 5 min after the first (either term may hold)', () => {
    // 185/100 at 0 (systolic), 170/115 at 300004 (diastolic).
    run('(Sd) 5m (ZD)', '300004ms s', { s: '+BP_HIGH_REPEATED 115' });
  });

  it('a violating reading too soon does not count and does not reset the run', () => {
    // 0, 2 min (too soon), 5 min: the third reading is 5 min after the first.
    run('(Sd) 2m (Sd) 3m (Sd)', '300008ms s', { s: '+BP_HIGH_REPEATED 185' });
    run('(Sd) 2m (Sd)', '', {});
  });

  it('a reading within limits resets the run', () => {
    // violating at 0, normal at 3 min, violating at 6 and 11 min: starts at 11 min.
    run('(Sd) 3m (Nn) 3m (Sd) 5m (Sd)', '660012ms s', { s: '+BP_HIGH_REPEATED 185' });
  });

  it('ends on a reading within limits; a reading with no values is ignored', () => {
    run('(Sd) 5m (Sd) 5m (Xx) 5m (Nn)', '300004ms s 600007ms e', { s: '+BP_HIGH_REPEATED 185', e: '-BP_HIGH_REPEATED 150' });
  });

  it('values arriving within the group window are one reading; an incomplete one closes at the window end', () => {
    // systolic 170 alone, diastolic 115 two seconds later: one violating reading.
    // Then systolic 185 alone at 302002: no diastolic comes, the reading closes 5 s later.
    run('Z 2s D 5m S', '307002ms s', { s: '+BP_HIGH_REPEATED 185' });
  });

  it('a metric seen twice starts a new reading (the previous one closes)', () => {
    const spec = { ...bp, readings: { ...bp.readings, minSpacingMs: 0 } };
    // S then S again without a diastolic: two readings, the second closes at its window end.
    run('S 1s S', '6001ms s', { s: '+BP_HIGH_REPEATED 185' }, spec);
  });
});
