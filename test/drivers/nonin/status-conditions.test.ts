import { describe, expect, it } from 'vitest';
import { CONDITION_HOLD_FRAMES, StatusConditionTracker } from '../../../drivers/nonin/status-conditions.js';

const codes = (list: { code: string }[]) => list.map((c) => c.code);

describe('StatusConditionTracker', () => {
  it.each([
    [0xc0, 'SENSOR_DISCONNECT'],
    [0xa0, 'ARTIFACT'],
    [0x90, 'OUT_OF_TRACK'],
    [0x88, 'SENSOR_ALARM'],
    [0x82, 'LOW_PERFUSION'],
  ])('STATUS %d starts %s at once, as a technical condition that makes values questionable', (status, code) => {
    const tracker = new StatusConditionTracker();
    expect(tracker.questionable).toBe(false);
    const { started, ended } = tracker.update(status);
    expect(codes(started)).toEqual([code]);
    expect(started[0]?.kind).toBe('technical');
    expect(ended).toEqual([]);
    expect(tracker.questionable).toBe(true);
  });

  it('does not start anything for green, yellow or no perfusion indication', () => {
    const tracker = new StatusConditionTracker();
    for (const status of [0x80, 0x81, 0x84, 0x86, 0x87]) expect(tracker.update(status).started).toEqual([]);
    expect(tracker.activeCodes).toEqual([]);
  });

  it('ends a condition only after 2 s (150 frames) without it; a frame with it restarts the count', () => {
    expect(CONDITION_HOLD_FRAMES).toBe(150);
    const tracker = new StatusConditionTracker();
    tracker.update(0xa0);
    for (let i = 0; i < 149; i++) expect(tracker.update(0x86).ended).toEqual([]);
    tracker.update(0xa0);
    for (let i = 0; i < 149; i++) expect(tracker.update(0x86).ended).toEqual([]);
    expect(codes(tracker.update(0x86).ended)).toEqual(['ARTIFACT']);
    expect(tracker.questionable).toBe(false);
  });

  it('tracks several conditions at once and endAll() returns the active ones', () => {
    const tracker = new StatusConditionTracker();
    expect(codes(tracker.update(0xc0 | 0x10).started)).toEqual(['SENSOR_DISCONNECT', 'OUT_OF_TRACK']);
    expect(tracker.update(0xd0).started).toEqual([]);
    expect(codes(tracker.endAll())).toEqual(['SENSOR_DISCONNECT', 'OUT_OF_TRACK']);
    expect(tracker.activeCodes).toEqual([]);
    expect(codes(tracker.update(0xc0).started)).toEqual(['SENSOR_DISCONNECT']);
  });
});
