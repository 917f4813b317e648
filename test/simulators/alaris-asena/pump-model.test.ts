import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { AsenaPumpModel } from '../../../simulators/alaris-asena/pump-model.js';

const MIN = 60_000;

function pump(options: { rate?: number; syringe?: number; nearEndSeconds?: number } = {}) {
  const clock = new ManualClock();
  const model = new AsenaPumpModel({
    clock, serial: 'SIM-1', rateMlPerHour: options.rate ?? 10, syringeVolumeMl: options.syringe ?? 50,
    nearEndSeconds: options.nearEndSeconds ?? 0,
  });
  return { clock, model };
}

describe('AsenaPumpModel', () => {
  it('integrates volume infused over time while running', () => {
    const { clock, model } = pump({ rate: 10 });
    expect(model.start()).toBe(true);
    clock.advance(30 * MIN);
    const s = model.snapshot();
    expect(s.volumeInfusedMl).toBeCloseTo(5, 9);
    expect(s.syringeRemainingMl).toBeCloseTo(45, 9);
    expect(s.running).toBe(true);
  });

  it('does not infuse while stopped', () => {
    const { clock, model } = pump();
    clock.advance(60 * MIN);
    expect(model.snapshot().volumeInfusedMl).toBe(0);
    model.start();
    clock.advance(6 * MIN);
    model.stop();
    clock.advance(60 * MIN);
    expect(model.snapshot().volumeInfusedMl).toBeCloseTo(1, 9);
  });

  it('integrates piecewise across a rate change', () => {
    const { clock, model } = pump({ rate: 12 });
    model.start();
    clock.advance(10 * MIN); // 2 mL
    model.setRate(60);
    clock.advance(5 * MIN); // 5 mL
    expect(model.snapshot().volumeInfusedMl).toBeCloseTo(7, 9);
  });

  it('stops exactly at the VTBI with INFUSION_COMPLETE, even when time runs far past it', () => {
    const { clock, model } = pump({ rate: 60 });
    model.setVtbi(2);
    model.start();
    clock.advance(60 * MIN);
    const s = model.snapshot();
    expect(s.volumeInfusedMl).toBeCloseTo(2, 9);
    expect(s.vtbiRemainingMl).toBeCloseTo(0, 9);
    expect(s.running).toBe(false);
    expect(s.alarms).toContain('infusion-complete');
    expect(model.start()).toBe(false);
  });

  it('a new VTBI clears INFUSION_COMPLETE and allows a restart', () => {
    const { clock, model } = pump({ rate: 60 });
    model.setVtbi(1);
    model.start();
    clock.advance(10 * MIN);
    model.setVtbi(3);
    expect(model.snapshot().alarms).not.toContain('infusion-complete');
    expect(model.start()).toBe(true);
  });

  it('stops when the syringe is empty', () => {
    const { clock, model } = pump({ rate: 600, syringe: 5 });
    model.start();
    clock.advance(60 * MIN);
    const s = model.snapshot();
    expect(s.volumeInfusedMl).toBeCloseTo(5, 9);
    expect(s.running).toBe(false);
    expect(s.alarms).toContain('infusion-complete');
  });

  it('raises NEAR_END when the infusion will end within nearEndSeconds', () => {
    const { clock, model } = pump({ rate: 6, nearEndSeconds: 300 });
    model.setVtbi(1); // 10 min at 6 mL/h
    model.start();
    clock.advance(4 * MIN);
    expect(model.snapshot().alarms).not.toContain('near-end');
    clock.advance(1 * MIN + 1000);
    expect(model.snapshot().alarms).toContain('near-end');
    expect(model.snapshot().timeRemainingSeconds).toBeLessThan(300);
  });

  it('reports time remaining while running and none while stopped', () => {
    const { model } = pump({ rate: 10 });
    model.setVtbi(5);
    expect(model.snapshot().timeRemainingSeconds).toBeNull();
    model.start();
    expect(model.snapshot().timeRemainingSeconds).toBeCloseTo(1800, 6);
  });

  it.each(['occlusion', 'air-in-line', 'door-open'] as const)('%s stops the pump and blocks a start until cleared', (fault) => {
    const { clock, model } = pump();
    model.start();
    model.inject(fault);
    clock.advance(60 * MIN);
    expect(model.snapshot()).toMatchObject({ running: false, volumeInfusedMl: 0 });
    expect(model.snapshot().alarms).toContain(fault);
    expect(model.start()).toBe(false);
    model.clear(fault);
    expect(model.snapshot().running).toBe(false);
    expect(model.start()).toBe(true);
  });

  it('occlusion raises the line pressure', () => {
    const { model } = pump();
    model.start();
    const before = model.snapshot().pressureMmHg;
    model.inject('occlusion');
    expect(model.snapshot().pressureMmHg).toBeGreaterThan(before * 10);
  });

  it('low battery alarms without stopping', () => {
    const { model } = pump();
    model.start();
    model.inject('low-battery');
    expect(model.snapshot()).toMatchObject({ running: true, alarms: ['low-battery'] });
  });

  it('keypad: rate change and stop at the pump', () => {
    const { model } = pump({ rate: 5 });
    model.start();
    expect(model.setRateAtPump(8)).toBe(true);
    expect(model.snapshot().rateMlPerHour).toBe(8);
    model.stopAtPump();
    expect(model.snapshot().running).toBe(false);
  });

  it('refuses rates outside 0.1-1200 mL/h', () => {
    const { model } = pump({ rate: 5 });
    expect(model.setRate(0.05)).toBe(false);
    expect(model.setRate(1201)).toBe(false);
    expect(model.setRate(Number.NaN)).toBe(false);
    expect(model.snapshot().rateMlPerHour).toBe(5);
  });

  it('the log entry id moves on every event', () => {
    const { model } = pump();
    const id0 = model.snapshot().logEntryId;
    model.start();
    model.setRate(3);
    expect(model.snapshot().logEntryId).toBe(id0 + 2);
  });
});
