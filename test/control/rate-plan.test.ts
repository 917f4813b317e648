import { describe, expect, it } from 'vitest';
import { parseDrugLibrary } from '../../src/config/drug-library.js';
import { isRefusal, planRateChange, type RatePlan, type RatePlanInput } from '../../src/control/rate-plan.js';
import type { Refusal } from '../../src/control/order-refusal.js';
import { KETAMINE, TEST_LIBRARY_YAML } from './control-fixture.js';

const library = parseDrugLibrary(TEST_LIBRARY_YAML, 'test.yaml');
const ketamine = library.drugs[0]!;
const base: RatePlanInput = { value: 0.9, unit: 'mg/kg/h', programme: KETAMINE, drug: ketamine, currentRateMlPerHour: 5.25 };

function plan(patch: Partial<RatePlanInput>): RatePlan {
  const p = planRateChange({ ...base, ...patch });
  if (isRefusal(p)) throw new Error(`unexpected refusal ${p.reason}: ${p.message}`);
  return p;
}
function refusal(patch: Partial<RatePlanInput>): Refusal {
  const p = planRateChange({ ...base, ...patch });
  if (!isRefusal(p)) throw new Error('expected a refusal');
  return p;
}

describe('planRateChange', () => {
  it('gives the pump rate and the dose it delivers', () => {
    const p = plan({ value: 0.75, currentRateMlPerHour: 6 });
    expect(p.targetRateMlPerHour).toBe(5.25);
    expect(p.targetDoseMgPerKgPerHour).toBeCloseTo(0.75, 9);
    expect(p.limitCheck).toEqual({ band: 'within', softMin: 0.15, softMax: 1.5, hardMin: 0.05, hardMax: 2, unit: 'mg/kg/h', overrideReason: null });
  });

  it('accepts the hard and soft limits themselves', () => {
    expect(refusal({ value: 2 }).reason).toBe('OVERRIDE_REASON_REQUIRED');
    expect(plan({ value: 2, overrideReason: 'ordered' })).toMatchObject({ targetRateMlPerHour: 14, limitCheck: { band: 'soft-high', overrideReason: 'ordered' } });
    expect(plan({ value: 0.05, overrideReason: 'ordered' }).limitCheck.band).toBe('soft-low');
    expect(plan({ value: 1.5 }).limitCheck.band).toBe('within');
    expect(plan({ value: 0.15 }).limitCheck.band).toBe('within');
  });

  it('names the hard limit, in the request unit and the library unit', () => {
    expect(refusal({ value: 2.01 })).toEqual({
      reason: 'HARD_LIMIT',
      message: '2.01 mg/kg/h is above the hard maximum 2 mg/kg/h for Ketamine',
      context: { limitCheck: { band: 'soft-high', softMin: 0.15, softMax: 1.5, hardMin: 0.05, hardMax: 2, unit: 'mg/kg/h', overrideReason: null } },
    });
    expect(refusal({ value: 15, unit: 'mL/h' }).message).toBe('15 mL/h (2.143 mg/kg/h) is above the hard maximum 2 mg/kg/h for Ketamine');
  });

  it('rounds towards the inside when nearest rounding would cross a hard limit', () => {
    // 2 mg/kg/h x 71.3 kg / 10 mg/mL = 14.26 exactly; 73.33 kg gives 14.666, nearest 14.67 = 2.00055 mg/kg/h > 2.
    const heavy = { ...KETAMINE, patientWeightKg: 73.33 };
    const p = plan({ value: 2, overrideReason: 'x', programme: heavy });
    expect(p.targetRateMlPerHour).toBe(14.66);
    expect(p.targetDoseMgPerKgPerHour).toBeLessThanOrEqual(2);
  });

  it('refuses a rate outside the pump range', () => {
    // 0.05 mg/kg/h x 2 kg / 10 = 0.01 mL/h < 0.1
    const tiny = { ...KETAMINE, patientWeightKg: 2 };
    expect(refusal({ value: 0.2, programme: tiny }).reason).toBe('OUTSIDE_PUMP_RANGE');
  });

  it('refuses a change within the read-back tolerance', () => {
    expect(refusal({ value: 0.75 }).reason).toBe('NO_CHANGE');
    expect(refusal({ value: 5.26, unit: 'mL/h' }).reason).toBe('NO_CHANGE');
    expect(plan({ value: 5.27, unit: 'mL/h' }).targetRateMlPerHour).toBe(5.27);
  });

  it('checks mL/h-dosed drugs in mL/h', () => {
    const fluid = library.drugs[1]!;
    const programme = { ...KETAMINE, drugId: 'test-fluid', concentrationMgPerMl: 1, highAlert: false, dosingUnit: 'mL/h' as const };
    expect(refusal({ drug: fluid, programme, value: 250, unit: 'mL/h' }).message).toBe('250 mL/h is above the hard maximum 200 mL/h for Test fluid');
    expect(refusal({ drug: fluid, programme, value: 0.8, unit: 'mL/h' }).reason).toBe('OVERRIDE_REASON_REQUIRED');
  });

  it('refuses an over-long override reason', () => {
    expect(refusal({ value: 1.8, overrideReason: 'x'.repeat(501) }).reason).toBe('INVALID_REQUEST');
  });
});
