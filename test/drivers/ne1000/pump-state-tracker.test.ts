import { describe, expect, it } from 'vitest';
import { Ne1000StateTracker } from '../../../drivers/ne1000/pump-state-tracker.js';
import { feedPlan, probeIntervalMs } from '../../../drivers/ne1000/watchdog-feeding.js';

const prompt = (p: 'I' | 'W' | 'S' | 'P' | 'T' | 'U' | 'X') => ({ kind: 'prompt' as const, prompt: p });
const alarm = (a: string) => ({ kind: 'alarm' as const, alarm: a });

describe('Ne1000StateTracker', () => {
  it('starts not fresh and follows the run state', () => {
    const t = new Ne1000StateTracker();
    expect(t.state).toMatchObject({ run: 'unknown', fresh: false });
    t.applyStatus(prompt('I'), 1000);
    expect(t.state).toMatchObject({ run: 'infusing', fresh: true, updatedAt: 1000 });
    t.applyStatus(prompt('S'), 2000);
    expect(t.state.run).toBe('stopped');
  });

  it('latches an alarm: it stays active after the pump reports "stopped", and ends when the pump runs again', () => {
    const t = new Ne1000StateTracker();
    t.applyStatus(prompt('I'), 0);
    expect(t.applyStatus(alarm('T'), 1)).toEqual([
      expect.objectContaining({ code: 'PUMP_WATCHDOG_STOPPED', active: true }),
    ]);
    expect(t.state).toMatchObject({ run: 'alarm', activeConditions: ['PUMP_WATCHDOG_STOPPED'] });
    // The next reply (the alarm was acknowledged by that poll) shows the pump stopped.
    expect(t.applyStatus(prompt('S'), 2)).toEqual([]);
    expect(t.applyStatus(alarm('T'), 3)).toEqual([]); // no second start edge
    t.markNotFresh();
    expect(t.state.activeConditions).toEqual(['PUMP_WATCHDOG_STOPPED']);
    expect(t.applyStatus(prompt('I'), 4)).toEqual([expect.objectContaining({ code: 'PUMP_WATCHDOG_STOPPED', active: false })]);
    expect(t.state.activeConditions).toEqual([]);
  });

  it.each([
    ['R', 'PUMP_RESET'],
    ['S', 'PUMP_STALLED'],
    ['T', 'PUMP_WATCHDOG_STOPPED'],
    ['E', 'PUMP_PROGRAM_ERROR'],
    ['O', 'PUMP_PHASE_OUT_OF_RANGE'],
    ['Z', 'PUMP_ALARM_UNKNOWN_Z'],
  ])('alarm %s raises %s', (letter, code) => {
    const t = new Ne1000StateTracker();
    expect(t.applyStatus(alarm(letter), 0)).toEqual([expect.objectContaining({ code, active: true })]);
  });

  it('several alarms latch together and all end when the pump leaves "stopped"', () => {
    const t = new Ne1000StateTracker();
    t.applyStatus(alarm('R'), 0);
    t.applyStatus(prompt('S'), 1);
    t.applyStatus(alarm('S'), 2);
    expect(t.state.activeConditions).toEqual(['PUMP_RESET', 'PUMP_STALLED']);
    const edges = t.applyStatus(prompt('W'), 3);
    expect(edges.map((e) => [e.code, e.active])).toEqual([['PUMP_RESET', false], ['PUMP_STALLED', false]]);
  });

  it('an unknown status is a condition while it is reported', () => {
    const t = new Ne1000StateTracker();
    expect(t.applyStatus({ kind: 'unknown', raw: 'Q' }, 0)).toEqual([
      expect.objectContaining({ code: 'PUMP_STATUS_UNKNOWN_Q', active: true }),
    ]);
    expect(t.state.run).toBe('unknown');
    expect(t.applyStatus(prompt('S'), 1)).toEqual([expect.objectContaining({ code: 'PUMP_STATUS_UNKNOWN_Q', active: false })]);
  });
});

describe('watchdog feeding', () => {
  it('keeps the configured interval when it is below a third of the watchdog', () => {
    expect(feedPlan(1000, 10)).toEqual({ intervalMs: 1000, configuredTooSlow: false });
    expect(feedPlan(1000, null)).toEqual({ intervalMs: 1000, configuredTooSlow: false });
    expect(feedPlan(1000, 0)).toEqual({ intervalMs: 1000, configuredTooSlow: false });
  });

  it('polls just under a third of the watchdog when the configured interval is not below it', () => {
    expect(feedPlan(1000, 3)).toEqual({ intervalMs: 999, configuredTooSlow: true });
    expect(feedPlan(5000, 1)).toEqual({ intervalMs: 333, configuredTooSlow: true });
    expect(feedPlan(2000, 2)).toEqual({ intervalMs: 666, configuredTooSlow: true });
  });

  it('probes an unhealthy link more slowly than the watchdog', () => {
    expect(probeIntervalMs(1000, 10, 5000)).toBe(11_000);
    expect(probeIntervalMs(200, 1, 5000)).toBeGreaterThan(1000);
    expect(probeIntervalMs(1000, null, 5000)).toBe(5000);
  });
});
