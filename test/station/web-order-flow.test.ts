/** The dialog's pure logic and the pump panel's wording (browser modules, run in Node). */
import { describe, expect, it } from 'vitest';
import {
  bandText, expiryText, formatCountdown, formatDose, outcomeText, formatRate, limitsText, otherUnitText, parseDoseInput, stepOf, stepsFor,
  targetText, toMgPerKgPerHour, toMlPerHour,
} from '../../src/station/web/order-flow.js';
import { formatDuration, pumpPanelView } from '../../src/station/web/pump-format.js';
import { orderToDto, pumpToDto } from '../../src/station/pump-protocol.js';
import type { OrderState } from '../../src/control/order-types.js';
import { observationToDto } from '../../src/station/station-protocol.js';
import { ketaminePump } from './fake-control.js';
import { T0, observation } from './fixtures.js';

const programme = ketaminePump(T0).programme; // 10 mg/mL, 70 kg

describe('order flow', () => {
  it('converts the reference dose: 0.5 mg/kg over 40 min = 0.75 mg/kg/h = 5.25 mL/h at 10 mg/mL for 70 kg', () => {
    expect(toMlPerHour(0.75, 'mg/kg/h', programme)).toBeCloseTo(5.25, 10);
    expect(toMgPerKgPerHour(5.25, 'mL/h', programme)).toBeCloseTo(0.75, 10);
    expect(toMlPerHour(5.25, 'mL/h', programme)).toBe(5.25);
    expect(toMlPerHour(1, 'mg/kg/h', { ...programme, patientWeightKg: 0 })).toBeNull();
    expect(otherUnitText('0.75', 'mg/kg/h', programme)).toBe('= 5.25 mL/h');
    expect(otherUnitText('5.25', 'mL/h', programme)).toBe('= 0.75 mg/kg/h');
    expect(otherUnitText('abc', 'mL/h', programme)).toBe('');
  });

  it.each([
    ['0.75', 0.75], ['0,75', 0.75], ['.5', 0.5], [' 12 ', 12],
    ['', null], ['0', null], ['-1', null], ['1e3', null], ['1.2.3', null], ['Infinity', null], ['0x10', null],
  ])('reads the typed value %j as %j', (text, value) => {
    expect(parseDoseInput(text)).toBe(value);
  });

  it('formats rates with 2 decimals and doses with 2 or 3, never hiding precision', () => {
    expect(formatRate(5.25)).toBe('5.25');
    expect(formatRate(null)).toBe('--');
    expect(formatDose(0.75)).toBe('0.75');
    expect(formatDose(0.125)).toBe('0.125');
    expect(formatDose(1)).toBe('1.00');
    expect(formatDose(Number.NaN)).toBe('--');
  });

  it('maps each order state to its dialog step', () => {
    const states: Array<[OrderState, string]> = [
      ['awaiting-confirmation', 'confirm'], ['awaiting-double-check', 'double-check'], ['executing', 'progress'],
      ['awaiting-readback', 'progress'], ['verified', 'done'], ['not-verified', 'done'], ['refused', 'done'],
      ['expired', 'done'], ['cancelled', 'done'],
    ];
    const base = orderToDto(sampleOrder());
    for (const [state, step] of states) expect(stepOf({ ...base, state })).toBe(step);
    expect(stepOf(undefined)).toBe('request');
  });

  it('shows the double check step only for a high-alert rate change', () => {
    expect(stepsFor('rate-change', true).map((s) => s.step)).toEqual(['request', 'confirm', 'double-check', 'progress']);
    expect(stepsFor('rate-change', false).map((s) => s.step)).toEqual(['request', 'confirm', 'progress']);
    expect(stepsFor('stop', true).map((s) => s.step)).toEqual(['request', 'confirm', 'progress']);
  });

  it('words limits, bands, targets and the countdown', () => {
    const limits = { band: 'soft-high' as const, softMin: 0.1, softMax: 1, hardMin: 0.05, hardMax: 2, unit: 'mg/kg/h' as const, overrideReason: 'step-up' };
    expect(limitsText(limits)).toBe('Drug library: soft 0.1–1 mg/kg/h · hard 0.05–2 mg/kg/h');
    expect(bandText(limits)).toBe('ABOVE the soft maximum · override reason: step-up');
    expect(bandText({ ...limits, band: 'within' })).toBe('Within the soft limits');
    expect(formatCountdown(105_000)).toBe('1:45');
    expect(formatCountdown(100)).toBe('0:01');
    expect(formatCountdown(-5)).toBe('0:00');
    const order = orderToDto(sampleOrder());
    expect(targetText(order)).toBe('5.60 mL/h (0.80 mg/kg/h)');
    expect(targetText({ ...order, kind: 'stop' })).toBe('Stop the infusion');
  });
});

describe('order outcome wording', () => {
  const order = orderToDto(sampleOrder());
  it('says what the pump reads when verified, and that nothing was retried when not', () => {
    const readback = { ...order.pumpAtRequest, rateMlPerHour: 5.6 };
    expect(outcomeText({ ...order, state: 'verified', readback })).toBe('The pump reads 5.60 mL/h, running.');
    const outcome = { code: 'READBACK_MISMATCH', message: 'the pump runs 6.60 mL/h' };
    expect(outcomeText({ ...order, state: 'not-verified', outcome })).toBe('the pump runs 6.60 mL/h. Nothing was retried. Check the pump at the bedside.');
    expect(outcomeText({ ...order, state: 'not-verified', outcome: null })).toBe('The pump did not confirm the change. Nothing was retried. Check the pump at the bedside.');
    expect(outcomeText({ ...order, state: 'executing' })).toBe('5.60 mL/h (0.80 mg/kg/h): waiting for the pump to answer.');
    expect(outcomeText({ ...order, state: 'refused', outcome: { code: 'PUMP_CHANGED', message: 'The pump changed since the request!' } })).toBe('The pump changed since the request!');
  });

  it('counts down to expiry and then says the next step will be refused', () => {
    expect(expiryText(61_000)).toBe('Expires in 1:01');
    expect(expiryText(0)).toContain('Expired');
  });
});

describe('pump panel wording', () => {
  it('shows what the pump reports, and -- for what it does not', () => {
    const view = pumpPanelView(pumpToDto(ketaminePump(T0)), undefined, T0 + 1000);
    expect(view).toMatchObject({ drug: 'Ketamine 10 mg/mL · 70 kg', rate: '5.25', dose: '0.75', volumeInfused: '1.75 mL', vtbi: '3.50 mL', timeRemaining: '--', state: 'Running', live: true, liveNote: '' });
    const blank = pumpToDto(ketaminePump(T0, { doseMgPerKgPerHour: null }));
    blank.reading = { ...blank.reading, rateMlPerHour: null, volumeInfusedMl: null, vtbiRemainingMl: null, runState: 'unknown' };
    expect(pumpPanelView(blank, undefined, T0)).toMatchObject({ rate: '--', dose: '--', volumeInfused: '--', vtbi: '--', state: 'State unknown' });
  });

  it('says NOT LIVE with the age when the reading is not fresh', () => {
    const pump = pumpToDto(ketaminePump(T0));
    pump.reading = { ...pump.reading, fresh: false, readAt: T0 - 14_000 };
    expect(pumpPanelView(pump, undefined, T0)).toMatchObject({ live: false, liveNote: 'NOT LIVE · last reading 14 s ago' });
    pump.reading = { ...pump.reading, readAt: null };
    expect(pumpPanelView(pump, undefined, T0).liveNote).toBe('NOT LIVE · no reading yet');
  });

  it('takes the time remaining from the pump observation while it is not expired', () => {
    const obs = observationToDto(observation({ deviceId: 'pump-1', metric: 'infusion-time-remaining', unit: 's', value: 3900, receivedAt: T0 }));
    const pump = pumpToDto(ketaminePump(T0));
    expect(pumpPanelView(pump, obs, T0 + 1000).timeRemaining).toBe('1 h 05 min');
    expect(pumpPanelView(pump, obs, T0 + 120_000).timeRemaining).toBe('--');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(720)).toBe('12 min');
    expect(formatDuration(-1)).toBe('--');
  });
});

function sampleOrder() {
  const pump = ketaminePump(T0);
  return {
    id: 'ord-1', kind: 'rate-change' as const, bedId: 'bed-1', deviceId: 'pump-1', state: 'awaiting-confirmation' as const,
    programme: pump.programme, targetRateMlPerHour: 5.6, targetDoseMgPerKgPerHour: 0.8, requestedAs: { value: 0.8, unit: 'mg/kg/h' as const },
    limitCheck: null, pumpAtRequest: pump.reading, requestedBy: { id: 1, username: 'ana', displayName: 'Ana Silva', role: 'nurse' as const }, requestedAt: T0, expiresAt: T0 + 120_000,
    confirmedBy: null, doubleCheckedBy: null, readback: null, outcome: null, history: [],
  };
}
