import { describe, expect, it } from 'vitest';
import { parseInfStatus, type InfStatusReply } from '../../../drivers/alaris-asena/messages.js';
import { PumpStateTracker } from '../../../drivers/alaris-asena/pump-state-tracker.js';

function inf(fields: { serial?: string; alarm?: string; mode?: string; rate?: string }): InfStatusReply {
  const body = `INF^${fields.serial ?? 'P1'}^${fields.alarm ?? '-'}^${fields.mode ?? 'INF'}^${fields.rate ?? '5.00'}^ml/h^^1.000^ml^20.00^mmHg^01:00:00^EVENT^1`;
  const r = parseInfStatus(body);
  if (!r.ok) throw new Error(r.reason);
  return r.message;
}

describe('PumpStateTracker', () => {
  it('starts unknown and not fresh; a status makes it fresh', () => {
    const t = new PumpStateTracker();
    expect(t.state).toMatchObject({ run: 'unknown', fresh: false, rateMlPerHour: null });
    t.applyStatus(inf({}), 1000, 'P1');
    expect(t.state).toMatchObject({ run: 'running', fresh: true, rateMlPerHour: 5, serial: 'P1', updatedAt: 1000 });
  });

  it('emits condition edges only when the set changes', () => {
    const t = new PumpStateTracker();
    expect(t.applyStatus(inf({ alarm: 'AL_OCCLU' }), 1, null).edges).toEqual([
      { code: 'OCCLUSION', label: 'Pump occlusion', active: true },
    ]);
    expect(t.applyStatus(inf({ alarm: 'AL_OCCLU' }), 2, null).edges).toEqual([]);
    expect(t.applyStatus(inf({ alarm: 'AL_LWBAT' }), 3, null).edges.map((e) => [e.code, e.active])).toEqual([
      ['OCCLUSION', false],
      ['LOW_BATTERY', true],
    ]);
    expect(t.state.activeConditions).toEqual(['LOW_BATTERY']);
  });

  it('reports rate and run-state changes between consecutive replies, not on the first', () => {
    const t = new PumpStateTracker();
    expect(t.applyStatus(inf({ rate: '5.00' }), 1, null).changes).toEqual([]);
    expect(t.applyStatus(inf({ rate: '5.00' }), 2, null).changes).toEqual([]);
    expect(t.applyStatus(inf({ rate: '7.50', mode: 'HLD' }), 3, null).changes).toEqual([
      { kind: 'rate', serial: 'P1', at: 3, acrossGap: false, before: 5, after: 7.5 },
      { kind: 'run-state', serial: 'P1', at: 3, acrossGap: false, before: 'running', after: 'stopped' },
    ]);
  });

  it('marks changes seen after a silence as acrossGap, and silence ends conditions', () => {
    const t = new PumpStateTracker();
    t.applyStatus(inf({ rate: '5.00', alarm: 'AL_NEOIN' }), 1, null);
    expect(t.markSilent()).toEqual([{ code: 'NEAR_END', label: 'Infusion near end', active: false }]);
    expect(t.state.fresh).toBe(false);
    const { changes, edges } = t.applyStatus(inf({ rate: '9.00', alarm: 'AL_NEOIN' }), 50, null);
    expect(changes).toEqual([{ kind: 'rate', serial: 'P1', at: 50, acrossGap: true, before: 5, after: 9 }]);
    expect(edges).toEqual([{ code: 'NEAR_END', label: 'Infusion near end', active: true }]);
  });

  it('does not compare two different pumps, and flags a serial mismatch', () => {
    const t = new PumpStateTracker();
    t.applyStatus(inf({ serial: 'P1', rate: '5.00' }), 1, 'P1');
    const r = t.applyStatus(inf({ serial: 'P2', rate: '50.00' }), 2, 'P1');
    expect(r.changes).toEqual([]);
    expect(r.edges.map((e) => e.code)).toEqual(['PUMP_SERIAL_MISMATCH']);
  });

  it('unknown mode gives run state unknown and a technical condition', () => {
    const t = new PumpStateTracker();
    const r = t.applyStatus(inf({ mode: 'SET' }), 1, null);
    expect(t.state.run).toBe('unknown');
    expect(r.edges.map((e) => e.code)).toEqual(['PUMP_MODE_UNKNOWN_SET']);
  });
});
