import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import {
  HYPERTENSIVE_RESPONDER_FACTOR,
  ketamineVitalChanges,
  sensitivityFor,
} from '../../simulators/patient/ketamine-response.js';
import { VirtualPatient, type PatientSpec } from '../../simulators/patient/virtual-patient.js';

const MIN = 60_000;

/** A patient fed by a test pump whose rate (mg/min) the test sets; time advances in 1-s steps. */
function infusedPatient(spec: PatientSpec = {}) {
  const clock = new ManualClock();
  const patient = new VirtualPatient(clock, { seed: 11, ketamine: { sensitivity: 1, hypertensiveResponder: false }, ...spec });
  const scale = spec.timeScale ?? 1;
  let deliveredMg = 0;
  let mgPerMin = 0;
  patient.addInfusion({ id: 'test-pump', deliveredMg: () => deliveredMg });
  const run = (minutes: number, onSecond?: (tMin: number) => void): void => {
    for (let s = 0; s < minutes * 60; s++) {
      clock.advance(1000 / scale);
      deliveredMg += mgPerMin / 60;
      onSecond?.(patient.physiologicalMs() / MIN);
    }
  };
  return { clock, patient, run, setRate: (r: number) => (mgPerMin = r) };
}

describe('ketamine response', () => {
  it('is calibrated: Ce 185 ng/mL gives +13/+9 mmHg and +4 /min at sensitivity 1', () => {
    const c = ketamineVitalChanges(185, 1);
    expect(c.systolicMmHg).toBeCloseTo(13, 6);
    expect(c.diastolicMmHg).toBeCloseTo(9, 6);
    expect(c.heartRatePerMin).toBeCloseTo(4, 6);
    expect(ketamineVitalChanges(185, 2).systolicMmHg).toBeCloseTo(26, 6);
    for (const value of Object.values(ketamineVitalChanges(0, 1))) expect(Math.abs(value)).toBe(0);
  });

  it('saturates at anaesthetic levels and touches SpO2 only there', () => {
    const dissociative = ketamineVitalChanges(185, 1);
    const anaesthetic = ketamineVitalChanges(2000, 1);
    expect(anaesthetic.systolicMmHg).toBeGreaterThan(30);
    expect(anaesthetic.systolicMmHg).toBeLessThan(45);
    expect(dissociative.spo2).toBeGreaterThan(-0.05);
    expect(anaesthetic.spo2).toBeLessThan(-1);
    expect(anaesthetic.respRate).toBeLessThan(-1);
  });

  it('in the patient: the noise-free BP and HR rise by +13/+9/+4 when Ce reaches 185 ng/mL', () => {
    const { patient, run, setRate } = infusedPatient();
    setRate(0.875);
    let checked = false;
    run(40, () => {
      const drug = patient.drugNow();
      if (checked || drug.ceNgPerMl < 185) return;
      checked = true;
      const sp = patient.setpointAt(patient.physiologicalMs());
      expect(drug.ceNgPerMl).toBeLessThan(186);
      expect(sp.nibpSysMmHg as number).toBeCloseTo(120 + 13, 0);
      expect(sp.nibpDiaMmHg as number).toBeCloseTo(78 + 9, 0);
      expect(sp.pulseRate).toBeCloseTo(72 + 4, 0);
    });
    expect(checked).toBe(true);
  });

  it('peaks 30-42 min into a 40-min infusion and is back near baseline 1.5 h after it', () => {
    const { patient, run, setRate } = infusedPatient();
    let peak = { tMin: 0, rise: 0 };
    const track = (tMin: number): void => {
      const rise = (patient.setpointAt(patient.physiologicalMs()).nibpSysMmHg as number) - 120;
      if (rise > peak.rise) peak = { tMin, rise };
    };
    setRate(0.875);
    run(40, track);
    setRate(0);
    run(90, track);
    expect(peak.tMin).toBeGreaterThanOrEqual(30);
    expect(peak.tMin).toBeLessThanOrEqual(42);
    expect(peak.rise).toBeGreaterThan(12);
    expect(peak.rise).toBeLessThan(17); // the chart review's mean peak: +16 mmHg
    expect((patient.setpointAt(patient.physiologicalMs()).nibpSysMmHg as number) - 120).toBeLessThan(3);
    expect(patient.drugNow().cpNgPerMl).toBeLessThan(50);
  });

  it('runs faster with the time scale: 4 real minutes at x10 = 40 physiological minutes', () => {
    const slow = infusedPatient();
    const fast = infusedPatient({ timeScale: 10 });
    for (const p of [slow, fast]) p.setRate(0.875);
    slow.run(40);
    fast.run(40); // 40 physiological minutes in 1-s physiological steps = 4 real minutes
    expect(fast.clock.now() - Date.UTC(2026, 0, 1)).toBe(4 * MIN);
    expect(fast.patient.drugNow().cpNgPerMl).toBeCloseTo(slow.patient.drugNow().cpNgPerMl, 3);
    expect(fast.patient.drugNow().cpNgPerMl).toBeGreaterThan(150);
  });

  it('persists through a scripted `recover`, and appears in the described effects', () => {
    const { patient, run, setRate } = infusedPatient();
    setRate(0.875);
    run(20);
    patient.trigger({ type: 'desaturation', targetSpo2: 85, rampSeconds: 0 });
    patient.trigger({ type: 'recover' });
    const effects = patient.describeEffects();
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatch(/^ketamine Ce 2\d\d ng\/mL: BP \+1\d\.\d\/\+\d+\.\d mmHg, HR \+\d\.\d \/min$/);
    expect((patient.setpointAt(patient.physiologicalMs()).nibpSysMmHg as number) - 120).toBeGreaterThan(10);
  });

  it('draws a per-patient sensitivity with mean 1 and about 1 hypertensive responder in 20', () => {
    const draws = Array.from({ length: 4000 }, (_, seed) => sensitivityFor(seed));
    const normal = draws.filter((d) => !d.hypertensiveResponder).map((d) => d.sensitivity);
    const responders = draws.filter((d) => d.hypertensiveResponder).length / draws.length;
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    expect(mean).toBeGreaterThan(0.95);
    expect(mean).toBeLessThan(1.05);
    expect(Math.min(...normal)).toBeGreaterThan(0.2);
    expect(Math.max(...normal)).toBeGreaterThan(1.6); // there is a spread
    expect(responders).toBeGreaterThan(0.035);
    expect(responders).toBeLessThan(0.065);
    expect(sensitivityFor(7)).toEqual(sensitivityFor(7));
  });

  it('honours a configured sensitivity and responder flag', () => {
    expect(sensitivityFor(3, { sensitivity: 1.2, hypertensiveResponder: false })).toEqual({ sensitivity: 1.2, hypertensiveResponder: false });
    expect(sensitivityFor(3, { sensitivity: 1.2, hypertensiveResponder: true }).sensitivity).toBeCloseTo(1.2 * HYPERTENSIVE_RESPONDER_FACTOR, 9);
    const responder = infusedPatient({ ketamine: { sensitivity: 1, hypertensiveResponder: true } });
    responder.setRate(0.875);
    responder.run(40);
    expect((responder.patient.setpointAt(responder.patient.physiologicalMs()).nibpSysMmHg as number) - 120).toBeGreaterThan(30);
  });

  it('adds BP, mean pressure, respiration, EtCO2 and temperature to the vitals', () => {
    const { patient, clock } = infusedPatient({ baseline: { nibpSysMmHg: 140, nibpDiaMmHg: 90 } });
    clock.advance(1000);
    const v = patient.vitalsNow();
    expect(Math.abs((v.nibpSysMmHg as number) - 140)).toBeLessThanOrEqual(3);
    expect(Math.abs((v.nibpDiaMmHg as number) - 90)).toBeLessThanOrEqual(2);
    expect(v.nibpMeanMmHg as number).toBeCloseTo((v.nibpDiaMmHg as number) + ((v.nibpSysMmHg as number) - (v.nibpDiaMmHg as number)) / 3, 9);
    expect(Math.abs((v.respRate as number) - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs((v.etco2MmHg as number) - 38)).toBeLessThanOrEqual(1);
    expect(Math.abs((v.temperatureC as number) - 36.8)).toBeLessThanOrEqual(0.05);
    expect(() => new VirtualPatient(clock, { seed: 1, baseline: { nibpSysMmHg: 70, nibpDiaMmHg: 80 } })).toThrow(/nibpDiaMmHg/);
  });
});
