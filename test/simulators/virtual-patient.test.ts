import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { VirtualPatient } from '../../simulators/patient/virtual-patient.js';

function patient(opts: { seed?: number; timeScale?: number; baseline?: { spo2?: number; pulseRate?: number } } = {}) {
  const clock = new ManualClock();
  return { clock, p: new VirtualPatient(clock, { seed: 42, ...opts }) };
}

/** Samples once per real second for `seconds`, returning the values of one vital. */
function sample(clock: ManualClock, p: VirtualPatient, seconds: number, vital: 'spo2' | 'pulseRate' = 'spo2'): number[] {
  const values: number[] = [];
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    values.push(p.vitalsNow()[vital]);
  }
  return values;
}

describe('VirtualPatient', () => {
  it('stays within baseline plus bounded noise, SpO2 never above 100', () => {
    const { clock, p } = patient();
    for (let i = 0; i < 2000; i++) {
      clock.advance(500);
      const v = p.vitalsNow();
      expect(Math.abs(v.spo2 - 97)).toBeLessThanOrEqual(1);
      expect(Math.abs(v.pulseRate - 72)).toBeLessThanOrEqual(3);
      expect(Math.abs(v.perfusionIndex - 3.5)).toBeLessThanOrEqual(0.3);
    }
    const high = patient({ baseline: { spo2: 100 } });
    expect(Math.max(...sample(high.clock, high.p, 600))).toBeLessThanOrEqual(100);
  });

  it('is reproducible for a seed and varies between seeds and over time', () => {
    const a = patient({ seed: 7 });
    const b = patient({ seed: 7 });
    const c = patient({ seed: 8 });
    const sa = sample(a.clock, a.p, 60, 'pulseRate');
    expect(sample(b.clock, b.p, 60, 'pulseRate')).toEqual(sa);
    expect(sample(c.clock, c.p, 60, 'pulseRate')).not.toEqual(sa);
    expect(new Set(sa.map(Math.round)).size).toBeGreaterThan(1);
  });

  it('desaturation ramps to the target within rampSeconds, holds, then recovers', () => {
    const { clock, p } = patient();
    p.trigger({ type: 'desaturation', targetSpo2: 82, rampSeconds: 20, holdSeconds: 60 });
    clock.advance(10_000);
    const mid = p.vitalsNow().spo2;
    expect(mid).toBeGreaterThan(85);
    expect(mid).toBeLessThan(94);
    clock.advance(10_000);
    expect(Math.abs(p.vitalsNow().spo2 - 82)).toBeLessThanOrEqual(1);
    const hold = sample(clock, p, 59);
    for (const v of hold) expect(Math.abs(v - 82)).toBeLessThanOrEqual(1);
    clock.advance(21_000);
    expect(Math.abs(p.vitalsNow().spo2 - 97)).toBeLessThanOrEqual(1);
    expect(p.describeEffects()).toEqual([]);
  });

  it('uses the documented defaults: target 82, ramp 20 s, hold 120 s', () => {
    const { clock, p } = patient();
    p.trigger({ type: 'desaturation' });
    clock.advance(20_000 + 119_000);
    expect(Math.abs(p.vitalsNow().spo2 - 82)).toBeLessThanOrEqual(1);
    clock.advance(21_000);
    expect(Math.abs(p.vitalsNow().spo2 - 97)).toBeLessThanOrEqual(1);
  });

  it('pulse-change ramps the pulse rate; recover returns to baseline at once', () => {
    const { clock, p } = patient();
    p.trigger({ type: 'pulse-change', targetBpm: 150, rampSeconds: 10 });
    clock.advance(10_000);
    expect(Math.abs(p.vitalsNow().pulseRate - 150)).toBeLessThanOrEqual(3);
    p.trigger({ type: 'desaturation', targetSpo2: 85, rampSeconds: 0 });
    expect(Math.abs(p.vitalsNow().spo2 - 85)).toBeLessThanOrEqual(1);
    p.trigger({ type: 'recover' });
    const v = p.vitalsNow();
    expect(Math.abs(v.pulseRate - 72)).toBeLessThanOrEqual(3);
    expect(Math.abs(v.spo2 - 97)).toBeLessThanOrEqual(1);
  });

  it('a new event on the same vital continues from the current value, without a jump', () => {
    const { clock, p } = patient();
    p.trigger({ type: 'desaturation', targetSpo2: 80, rampSeconds: 20 });
    clock.advance(20_000);
    const before = p.setpointAt(p.physiologicalMs()).spo2;
    p.trigger({ type: 'desaturation', targetSpo2: 90, rampSeconds: 20 });
    expect(p.setpointAt(p.physiologicalMs()).spo2).toBe(before);
    clock.advance(20_000);
    expect(p.setpointAt(p.physiologicalMs()).spo2).toBe(90);
  });

  it('timeScale runs the physiology faster', () => {
    const fast = patient({ timeScale: 10 });
    const slow = patient({ timeScale: 1 });
    for (const { p } of [fast, slow]) p.trigger({ type: 'desaturation', targetSpo2: 82, rampSeconds: 20 });
    fast.clock.advance(2000);
    slow.clock.advance(2000);
    expect(Math.abs(fast.p.vitalsNow().spo2 - 82)).toBeLessThanOrEqual(1);
    expect(slow.p.vitalsNow().spo2).toBeGreaterThan(90);
    expect(fast.p.physiologicalMs()).toBe(20_000);
  });

  it('rejects an invalid spec with CONFIG_INVALID naming the field', () => {
    const clock = new ManualClock();
    try {
      new VirtualPatient(clock, { seed: 1, timeScale: -1 });
      expect.unreachable();
    } catch (err) {
      expect(isVigilError(err, 'CONFIG_INVALID')).toBe(true);
      expect((err as Error).message).toContain('timeScale');
    }
  });
});
