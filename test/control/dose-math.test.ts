import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareToLimit,
  convertDose,
  doseToRateMlPerHour,
  isWithinPumpRange,
  rateToDoseMgPerKgPerHour,
  roundPumpRate,
  sameRate,
} from '../../src/control/dose-math.js';

describe('mg/kg/h <-> mL/h', () => {
  it('matches the reference examples (70 kg, 0.75 mg/kg/h)', () => {
    expect(doseToRateMlPerHour(0.75, 1, 70)).toBeCloseTo(52.5, 9);
    expect(doseToRateMlPerHour(0.75, 2, 70)).toBeCloseTo(26.25, 9);
    expect(doseToRateMlPerHour(0.75, 10, 70)).toBeCloseTo(5.25, 9);
    expect(rateToDoseMgPerKgPerHour(5.25, 10, 70)).toBeCloseTo(0.75, 9);
  });

  it('converts both ways and leaves a value in its own unit alone', () => {
    const p = { concentrationMgPerMl: 2, patientWeightKg: 80 };
    expect(convertDose(1, 'mg/kg/h', 'mL/h', p)).toBeCloseTo(40, 9);
    expect(convertDose(40, 'mL/h', 'mg/kg/h', p)).toBeCloseTo(1, 9);
    expect(convertDose(3.3, 'mL/h', 'mL/h', p)).toBe(3.3);
  });

  it('refuses a zero or missing concentration or weight', () => {
    expect(() => doseToRateMlPerHour(1, 0, 70)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => rateToDoseMgPerKgPerHour(1, 10, Number.NaN)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('round-trips (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.constantFrom(1, 2, 10, 50),
        fc.double({ min: 2, max: 350, noNaN: true }),
        (dose, conc, weight) => Math.abs(rateToDoseMgPerKgPerHour(doseToRateMlPerHour(dose, conc, weight), conc, weight) - dose) < 1e-9 * Math.max(1, dose),
      ),
    );
  });
});

describe('pump rate rounding (2 decimals)', () => {
  it('rounds to the nearest hundredth, half up, without binary noise', () => {
    expect(roundPumpRate(5.25)).toBe(5.25);
    expect(roundPumpRate(5.3475)).toBe(5.35);
    expect(roundPumpRate(5.344)).toBe(5.34);
    expect(roundPumpRate(1.005)).toBe(1.01);
    expect(roundPumpRate(0.1 + 0.2)).toBe(0.3);
  });

  it('rounds down or up on request, but an exact step stays', () => {
    expect(roundPumpRate(5.349, 'down')).toBe(5.34);
    expect(roundPumpRate(5.341, 'up')).toBe(5.35);
    expect(roundPumpRate(0.1 + 0.2, 'up')).toBe(0.3);
    expect(roundPumpRate(14.000000000001, 'up')).toBe(14);
  });

  it('always gives at most 2 decimals within half a step (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 1200, noNaN: true }), (rate) => {
        const r = roundPumpRate(rate);
        return Math.abs(r - rate) <= 0.005 + 1e-9 && Math.abs(r * 100 - Math.round(r * 100)) < 1e-6;
      }),
    );
  });
});

describe('pump range and tolerances', () => {
  it('accepts 0.1-1200 mL/h only', () => {
    expect(isWithinPumpRange(0.1)).toBe(true);
    expect(isWithinPumpRange(1200)).toBe(true);
    expect(isWithinPumpRange(0.09)).toBe(false);
    expect(isWithinPumpRange(1200.01)).toBe(false);
  });

  it('treats rates within 0.01 mL/h as the same', () => {
    expect(sameRate(5.25, 5.26)).toBe(true);
    expect(sameRate(5.25, 5.27)).toBe(false);
    expect(compareToLimit(0.1 + 0.2, 0.3)).toBe(0);
    expect(compareToLimit(2.0001, 2)).toBe(1);
    expect(compareToLimit(1.9999, 2)).toBe(-1);
  });
});
