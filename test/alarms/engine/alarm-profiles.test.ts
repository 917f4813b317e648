import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVigilError } from '../../../src/core/errors.js';
import type { ConfigProblem } from '../../../src/config/validated-yaml.js';
import { loadAlarmProfile, loadAlarmProfiles, parseAlarmProfile } from '../../../src/alarms/engine/profile-loader.js';
import { ruleCodes } from '../../../src/alarms/engine/profile-schema.js';

const TECHNICAL = `
  - id: technical
    kind: technical`;

function problems(yaml: string): ConfigProblem[] {
  try {
    parseAlarmProfile(yaml, 'test.yaml');
  } catch (err) {
    if (isVigilError(err, 'CONFIG_INVALID')) return err.context.problems as ConfigProblem[];
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}
const brief = (ps: ConfigProblem[]) => ps.map((p) => `${p.line ?? '?'} ${p.path}: ${p.message}`);

describe('shipped alarm profiles', () => {
  const profiles = loadAlarmProfiles();

  it('the three profiles load and validate', () => {
    expect([...profiles.keys()].sort()).toEqual(['adult-default', 'ketamine-im', 'ketamine-iv']);
  });

  it('ketamine IV has the ketamine rules and pump alarms; IM is monitoring only', () => {
    const iv = profiles.get('ketamine-iv');
    const im = profiles.get('ketamine-im');
    const codes = (p: typeof iv) => p?.rules.flatMap(ruleCodes) ?? [];
    for (const code of ['BP_HIGH_REPEATED', 'NIBP_SYS_HIGH', 'NIBP_DIA_HIGH', 'HR_HIGH_SUSTAINED', 'SPO2_PROLONGED_LOW', 'RESPIRATORY_DEPRESSION']) {
      expect(codes(iv)).toContain(code);
      expect(codes(im)).toContain(code);
    }
    expect(iv?.rules.some((r) => r.kind === 'pump')).toBe(true);
    expect(im?.rules.some((r) => r.kind === 'pump')).toBe(false);
    const bp = iv?.rules.find((r) => r.id === 'bp-high-repeated');
    expect(bp).toMatchObject({ kind: 'sustained', readings: { count: 2, minSpacingMs: 300_000 } });
    expect(iv?.rules.find((r) => r.id === 'spo2-low-prolonged')).toMatchObject({ kind: 'limit', low: 90, delayMs: 120_000 });
  });
});

describe('alarm profile validation', () => {
  it('fills the lifecycle defaults (2 min audio pause, high latching)', () => {
    const p = parseAlarmProfile(`id: p\nlabel: P\nrules:${TECHNICAL}\n`, 'p.yaml');
    expect(p.lifecycle).toMatchObject({ audioPauseMs: 120_000, latching: { high: true, medium: false, low: false } });
    expect(p.rules[0]).toMatchObject({ communicationLost: 'medium', invalidData: 'medium', allowOff: false });
  });

  it('reports every problem at once with its path and line', () => {
    const yaml = `id: p
label: P
rules:
  - id: spo2
    kind: limit
    metric: spo2
    low: 900
  - id: spo2
    kind: limit
    metric: pulse-rate
    low: 120
    high: 50
  - id: typo
    kind: limit
    metric: spo2
    lowe: 90
`;
    const found = brief(problems(yaml));
    expect(found).toContainEqual('7 rules[0].low: must be between 50 and 100 for spo2 (got 900)');
    expect(found).toContainEqual('8 rules[1].id: duplicate rule id "spo2"');
    expect(found).toContainEqual('11 rules[1].low: low must be below high');
    expect(found).toContainEqual('16 rules[2].lowe: unknown setting "lowe"');
    expect(found.filter((f) => f.includes('hysteresis'))).toEqual([]);
    expect(found).toContainEqual('4 rules: a profile needs exactly one technical rule (communication lost must always alarm)');
  });

  it('refuses combinations that name codes no rule raises, or other combinations', () => {
    const yaml = `id: p
label: P
rules:${TECHNICAL}
  - id: a
    kind: combination
    code: A_AND_B
    mode: all
    terms: [{ code: NOPE }, { metric: spo2, below: 92 }]
  - id: b
    kind: combination
    code: B_COMBO
    mode: any
    terms: [{ code: A_AND_B }, { metric: resp-rate, below: 8 }]
`;
    const found = brief(problems(yaml)).join('\n');
    expect(found).toContain('rules[1].terms[0].code: no rule of this profile raises NOPE');
    expect(found).toContain('rules[2].terms[0].code: A_AND_B is a combination: combinations cannot nest');
  });

  it('refuses two rules raising the same code (a second limit on a metric needs its own codeStem)', () => {
    const yaml = `id: p
label: P
rules:${TECHNICAL}
  - { id: a, kind: limit, metric: spo2, low: 90 }
  - { id: b, kind: limit, metric: spo2, low: 85 }
  - { id: c, kind: limit, metric: spo2, low: 85, codeStem: SPO2_SEVERE }
`;
    expect(brief(problems(yaml))).toEqual(['7 rules[2]: code SPO2_LOW is also raised by rules[1]']);
  });

  it('refuses a too-wide hysteresis, an unknown metric and a bad term', () => {
    const yaml = `id: p
label: P
rules:${TECHNICAL}
  - { id: c, kind: limit, metric: pulse-rate, low: 50, high: 60, hysteresis: 10 }
  - { id: d, kind: stale, metrics: [oxygen], afterMs: 10000 }
  - { id: e, kind: sustained, code: X_HIGH, any: [{ metric: spo2, above: 1, below: 2 }], durationMs: 60000 }
`;
    const found = brief(problems(yaml)).join('\n');
    expect(found).toContain('rules[1].hysteresis: must be less than high - low (10)');
    expect(found).toMatch(/rules\[2\]\.metrics\[0\]: Invalid option/);
    expect(found).toContain('rules[3].any[0]: give exactly one of above and below');
  });

  it('refuses a sustained rule that is both duration- and readings-based', () => {
    const yaml = `id: p
label: P
rules:${TECHNICAL}
  - id: s
    kind: sustained
    code: S_HIGH
    any: [{ metric: nibp-sys, above: 180 }]
    durationMs: 60000
    readings: { count: 2, minSpacingMs: 300000 }
`;
    expect(brief(problems(yaml))).toContainEqual('6 rules[1]: give exactly one of durationMs (duration-based) and readings (readings-based)');
  });

  it('refuses escalation tiers out of order, a pause default above its maximum, and turning communication loss off', () => {
    const yaml = `id: p
label: P
lifecycle:
  audioPauseMs: 600000
  audioPauseMaxMs: 300000
  escalation:
    high: [{ tier: charge-nurse, afterMs: 60000 }, { tier: physician, afterMs: 30000 }]
rules:
  - id: technical
    kind: technical
    allowOff: true
`;
    const found = brief(problems(yaml)).join('\n');
    expect(found).toContain('lifecycle.escalation.high[1].afterMs: must be later than the previous tier (60000)');
    expect(found).toContain('lifecycle.audioPauseMs: must not exceed audioPauseMaxMs');
    expect(found).toMatch(/rules\[0\]\.allowOff: Invalid input: expected false/);
  });

  it('loadAlarmProfile names the file; loadAlarmProfiles refuses two files with one id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-profiles-'));
    expect(() => loadAlarmProfile(join(dir, 'missing.yaml'))).toThrow(expect.objectContaining({ code: 'CONFIG_NOT_FOUND' }));
    writeFileSync(join(dir, 'a.yaml'), `id: same\nlabel: A\nrules:${TECHNICAL}\n`);
    writeFileSync(join(dir, 'b.yaml'), `id: same\nlabel: B\nrules:${TECHNICAL}\n`);
    expect(() => loadAlarmProfiles(dir)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
