import { describe, expect, it } from 'vitest';
import {
  alarmSystemState,
  decodeAlarmBits,
  decodeExceptionBits,
} from '../../../drivers/masimo-ascii/radical-conditions.js';
import { ConditionTracker } from '../../../drivers/masimo-ascii/condition-tracker.js';

const codes = (list: readonly { code: string }[]): string[] => list.map((c) => c.code);

describe('ALARM bits', () => {
  it.each([
    [0x1, 'SPO2_HIGH', 'physiological'],
    [0x2, 'SPO2_LOW', 'physiological'],
    [0x4, 'PULSE_HIGH', 'physiological'],
    [0x8, 'PULSE_LOW', 'physiological'],
    [0x40, 'LOW_BATTERY', 'technical'],
    [0x100, 'SPCO_HIGH', 'physiological'],
    [0x200, 'SPCO_LOW', 'physiological'],
    [0x400, 'SPMET_HIGH', 'physiological'],
    [0x800, 'SPMET_LOW', 'physiological'],
    [0x1000, 'DESAT_INDEX', 'physiological'],
    [0x2000, 'PI_DELTA', 'physiological'],
  ])('bit %i gives %s (%s)', (bit, code, kind) => {
    const [c, ...rest] = decodeAlarmBits(bit);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ code, kind, source: 'ALARM', bit });
    expect(c?.label.length).toBeGreaterThan(5);
  });

  it('decodes several bits at once', () => {
    expect(codes(decodeAlarmBits(0x2 | 0x8 | 0x40))).toEqual(['SPO2_LOW', 'PULSE_LOW', 'LOW_BATTERY']);
  });

  it('keeps 0x10 and 0x20 out of the conditions: they are the device alarm-system state', () => {
    expect(decodeAlarmBits(0x30)).toEqual([]);
    expect(alarmSystemState(0x10)).toEqual({ alarming: true, silenced: false });
    expect(alarmSystemState(0x20)).toEqual({ alarming: false, silenced: true });
    expect(alarmSystemState(0x2)).toEqual({ alarming: false, silenced: false });
  });

  it('names an unknown bit in a generic technical condition', () => {
    expect(decodeAlarmBits(0x80 | 0x80000000)).toMatchObject([
      { code: 'MASIMO_ALARM_BIT_0x80', kind: 'technical', bit: 0x80 },
      { code: 'MASIMO_ALARM_BIT_0x80000000', kind: 'technical', bit: 0x80000000 },
    ]);
  });
});

describe('EXC bits', () => {
  it.each([
    [0x1, 'NO_SENSOR', true],
    [0x2, 'DEFECTIVE_SENSOR', true],
    [0x4, 'LOW_PERFUSION', true],
    [0x8, 'PULSE_SEARCH', true],
    [0x10, 'INTERFERENCE', true],
    [0x20, 'SENSOR_OFF', true],
    [0x40, 'AMBIENT_LIGHT', true],
    [0x400, 'LOW_SIGNAL_IQ', true],
    [0x1000, 'NO_CABLE', true],
    [0x40000, 'SENSOR_LIFE_EXPIRED', false],
  ])('bit %i gives technical %s (questionable %s)', (bit, code, questionable) => {
    expect(decodeExceptionBits(bit)).toMatchObject([{ code, kind: 'technical', source: 'EXC', questionable }]);
  });

  it('names an unknown bit and treats it as making values questionable', () => {
    expect(decodeExceptionBits(0x800)).toMatchObject([
      { code: 'MASIMO_EXC_BIT_0x800', kind: 'technical', questionable: true },
    ]);
    expect(decodeExceptionBits(0)).toEqual([]);
  });
});

describe('ConditionTracker', () => {
  it('gives start edges, then end edges when bits clear', () => {
    const t = new ConditionTracker();
    expect(codes(t.update(0x2, 0x20).started)).toEqual(['SPO2_LOW', 'SENSOR_OFF']);
    const next = t.update(0x2, 0);
    expect(codes(next.started)).toEqual([]);
    expect(codes(next.ended)).toEqual(['SENSOR_OFF']);
    expect(codes(t.update(0, 0).ended)).toEqual(['SPO2_LOW']);
  });

  it('keeps conditions of a field that is missing or unavailable on a line', () => {
    const t = new ConditionTracker();
    t.update(0x8, 0x4);
    expect(t.update(undefined, null)).toEqual({ started: [], ended: [] });
    expect(codes(t.activeConditions)).toEqual(['PULSE_LOW', 'LOW_PERFUSION']);
  });

  it('reports questionable while a questionable EXC condition is active', () => {
    const t = new ConditionTracker();
    t.update(0, 0x40000);
    expect(t.questionable).toBe(false);
    t.update(0, 0x10);
    expect(t.questionable).toBe(true);
  });

  it('raises DEVICE_ALARM_UNEXPLAINED when the device alarms (0x10) with no cause bit', () => {
    const t = new ConditionTracker();
    expect(codes(t.update(0x10, 0).started)).toEqual(['DEVICE_ALARM_UNEXPLAINED']);
    const withCause = t.update(0x12, 0);
    expect(codes(withCause.started)).toEqual(['SPO2_LOW']);
    expect(codes(withCause.ended)).toEqual(['DEVICE_ALARM_UNEXPLAINED']);
    expect(t.alarmSystem).toEqual({ alarming: true, silenced: false });
  });

  it('endAll() returns the active conditions and starts afresh', () => {
    const t = new ConditionTracker();
    t.update(0x2, 0x1);
    expect(codes(t.endAll())).toEqual(['SPO2_LOW', 'NO_SENSOR']);
    expect(t.alarmSystem).toBeNull();
    expect(codes(t.update(0x2, 0).started)).toEqual(['SPO2_LOW']);
  });
});
