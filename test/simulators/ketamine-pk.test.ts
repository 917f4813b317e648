import { describe, expect, it } from 'vitest';
import { DOMINO_KETAMINE_PK, KetaminePk } from '../../simulators/patient/ketamine-pk.js';

const MIN = 60_000;

/** The standard protocol (ketamine-clinical.md): 0.5 mg/kg over 40 min = 0.875 mg/min in 70 kg. */
function standardInfusion(weightKg = 70): KetaminePk {
  const pk = new KetaminePk(weightKg);
  pk.advance(40 * MIN, (0.5 * weightKg) / 40);
  return pk;
}

/**
 * An independent integration of the published equations (forward Euler, 0.001-min steps),
 * written here from the reference constants, not from the model's code.
 */
function eulerCp(weightKg: number, inputMgPerMin: number, minutes: number): number {
  const v1 = 0.063 * weightKg;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const h = 0.001;
  for (let i = 0; i < minutes / h; i++) {
    const d1 = inputMgPerMin - (0.4381 + 0.5921 + 0.59) * a1 + 0.247 * a2 + 0.0146 * a3;
    const d2 = 0.5921 * a1 - 0.247 * a2;
    const d3 = 0.59 * a1 - 0.0146 * a3;
    a1 += h * d1;
    a2 += h * d2;
    a3 += h * d3;
  }
  return (a1 / v1) * 1000;
}

describe('KetaminePk (Domino three-compartment model)', () => {
  it('uses the reference parameters', () => {
    expect(DOMINO_KETAMINE_PK).toEqual({
      v1LitresPerKg: 0.063, k10PerMin: 0.4381, k12PerMin: 0.5921, k13PerMin: 0.59, k21PerMin: 0.247, k31PerMin: 0.0146,
      ke0PerMin: 0.65,
    });
  });

  /*
   * Reference: plasma about 185 ng/mL at the end of 0.5 mg/kg over 40 min (a measured
   * value). Domino's model, fitted to volunteers, predicts 240 ng/mL for this protocol:
   * +30 %. Population PK models are usually judged acceptable with a median absolute
   * prediction error of 20-40 % (the Varvel / Schuttler criteria used for TCI models),
   * so the test accepts the model within 35 % of the reference. A unit slip (per hour vs
   * per minute, ug vs ng, weight ignored) lands far outside that band.
   */
  it('gives Cp near the reference 185 ng/mL at the end of 0.5 mg/kg over 40 min (within 35 %)', () => {
    const { cpNgPerMl, administeredMg } = standardInfusion().concentrations();
    expect(administeredMg).toBeCloseTo(35, 9);
    expect(Math.abs(cpNgPerMl - 185) / 185).toBeLessThanOrEqual(0.35);
  });

  it('matches an independent integration of the published equations within 0.5 %', () => {
    for (const minutes of [5, 20, 40]) {
      const pk = new KetaminePk(70);
      pk.advance(minutes * MIN, 0.875);
      const expected = eulerCp(70, 0.875, minutes);
      expect(Math.abs(pk.concentrations().cpNgPerMl - expected) / expected, `${minutes} min`).toBeLessThan(0.005);
    }
  });

  it('falls after the infusion stops: fast distribution, then a slow terminal decline', () => {
    const pk = standardInfusion();
    const atEnd = pk.concentrations().cpNgPerMl;
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      pk.advance(10 * MIN, 0);
      samples.push(pk.concentrations().cpNgPerMl);
    }
    expect(samples[0]).toBeLessThan(atEnd / 2); // 10 min after the end
    for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeLessThan(samples[i - 1] as number);
    const halfLifeMin = (10 * Math.LN2) / Math.log((samples[10] as number) / (samples[11] as number));
    expect(halfLifeMin).toBeGreaterThan(60); // terminal phase: hours, not minutes
  });

  it('lets the effect site lag the plasma: below Cp while infusing, above it after the stop', () => {
    const pk = new KetaminePk(70);
    pk.advance(5 * MIN, 0.875);
    const during = pk.concentrations();
    expect(during.ceNgPerMl).toBeLessThan(during.cpNgPerMl);
    expect(during.ceNgPerMl).toBeGreaterThan(0.5 * during.cpNgPerMl);
    pk.advance(40 * MIN - 5 * MIN, 0.875);
    pk.advance(5 * MIN, 0);
    const after = pk.concentrations();
    expect(after.ceNgPerMl).toBeGreaterThan(after.cpNgPerMl);
  });

  it('scales with weight: the same mg/kg gives the same Cp, the same mg gives less in a heavier patient', () => {
    const light = standardInfusion(70).concentrations().cpNgPerMl;
    expect(standardInfusion(100).concentrations().cpNgPerMl).toBeCloseTo(light, 6);
    const heavy = new KetaminePk(100);
    heavy.advance(40 * MIN, 0.875);
    expect(heavy.concentrations().cpNgPerMl).toBeCloseTo(light * 0.7, 6);
  });

  it('does not depend on how the time is cut into calls', () => {
    const whole = standardInfusion();
    const pieces = new KetaminePk(70);
    let left = 40 * MIN;
    for (const dt of [1, 999, 1500, 37, 60_000, 250.5]) {
      pieces.advance(dt, 0.875);
      left -= dt;
    }
    pieces.advance(left, 0.875);
    expect(pieces.concentrations().cpNgPerMl).toBeCloseTo(whole.concentrations().cpNgPerMl, 6);
    expect(pieces.concentrations().ceNgPerMl).toBeCloseTo(whole.concentrations().ceNgPerMl, 6);
  });

  it('keeps the mass balance: what is in the body never exceeds what was given', () => {
    const pk = standardInfusion();
    const c = pk.concentrations();
    expect(c.bodyAmountMg).toBeGreaterThan(0);
    expect(c.bodyAmountMg).toBeLessThan(c.administeredMg);
    pk.bolus(10);
    expect(pk.concentrations().administeredMg).toBeCloseTo(45, 9);
    expect(pk.concentrations().cpNgPerMl).toBeGreaterThan(c.cpNgPerMl + (10 / 4.41) * 1000 - 1);
  });

  it('ignores nonsense input instead of corrupting its state', () => {
    const pk = new KetaminePk(70);
    pk.advance(Number.NaN, 1);
    pk.advance(-5, 1);
    pk.advance(MIN, Number.NaN);
    pk.advance(MIN, -3);
    pk.advance(MIN, Number.POSITIVE_INFINITY);
    pk.bolus(Number.NaN);
    pk.bolus(-1);
    expect(pk.concentrations()).toEqual({ cpNgPerMl: 0, ceNgPerMl: 0, bodyAmountMg: 0, administeredMg: 0 });
  });
});
