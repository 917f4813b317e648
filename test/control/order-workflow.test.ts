import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIssuedOrder } from '../../src/control/confirmed-order.js';
import type { OrderView } from '../../src/control/order-types.js';
import { ControlFixture } from './control-fixture.js';

let f: ControlFixture;
beforeEach(async () => {
  f = await ControlFixture.create();
});
afterEach(() => f.dispose());

describe('rate change of a high-alert drug (ketamine): two nurses', () => {
  it('requests, confirms, double-checks, executes exactly once and is verified', async () => {
    const seq0 = f.audit.head().seq;
    const seen: OrderView[] = [];
    f.service.orders$.subscribe((o) => seen.push(o));
    const token = await f.login('ana');

    // 0.9 mg/kg/h x 70 kg / 10 mg/mL = 6.3 mL/h
    const requested = await f.service.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 0.9, unit: 'mg/kg/h' });
    expect(requested).toMatchObject({
      state: 'awaiting-confirmation',
      kind: 'rate-change',
      targetRateMlPerHour: 6.3,
      requestedAs: { value: 0.9, unit: 'mg/kg/h' },
      limitCheck: { band: 'within', overrideReason: null },
      pumpAtRequest: { rateMlPerHour: 5.25, runState: 'running' },
      requestedBy: { username: 'ana', role: 'nurse' },
      expiresAt: requested.requestedAt + 120_000,
    });
    expect(requested.targetDoseMgPerKgPerHour).toBeCloseTo(0.9, 9);
    expect(f.service.pumps().find((p) => p.bedId === 'bed-1')?.openOrderId).toBe(requested.id);

    const confirmed = await f.service.confirm(requested.id, f.sign('ana'));
    expect(confirmed.state).toBe('awaiting-double-check');
    expect(confirmed.confirmedBy?.username).toBe('ana');
    expect(f.ketaminePump.calls).toHaveLength(0);

    const done = await f.service.doubleCheck(requested.id, f.sign('ben'), 0.9);
    expect(done.state).toBe('verified');
    expect(done.doubleCheckedBy?.username).toBe('ben');
    expect(done.readback).toMatchObject({ rateMlPerHour: 6.3, runState: 'running' });

    expect(f.ketaminePump.calls).toHaveLength(1);
    const order = f.ketaminePump.calls[0]!;
    expect(isIssuedOrder(order)).toBe(true);
    expect(order).toMatchObject({ id: requested.id, kind: 'rate-change', bedId: 'bed-1', deviceId: 'pump', targetRateMlPerHour: 6.3, targetRunState: 'running' });
    expect(order.confirmedBy.username).toBe('ana');
    expect(order.doubleCheckedBy?.username).toBe('ben');
    expect(order.pumpAtRequest.serial).toBe('ASENA0001');

    expect(seen.map((o) => o.state)).toEqual(['awaiting-confirmation', 'awaiting-double-check', 'executing', 'verified']);
    expect(f.service.order(requested.id)?.state).toBe('verified');
    expect(f.service.pumps().find((p) => p.bedId === 'bed-1')).toMatchObject({ openOrderId: null, reading: { rateMlPerHour: 6.3 } });
    expect(f.service.pumps().find((p) => p.bedId === 'bed-1')?.doseMgPerKgPerHour).toBeCloseTo(0.9, 9);

    expect(f.actionsSince(seq0)).toEqual([
      'auth.login',
      'order.requested',
      'order.confirmed',
      'order.double-checked',
      'pump.command-sent',
      'pump.reply',
      'order.verified',
    ]);
    // The commanded change reported by the driver is the order's, not a keypad change.
    expect(f.actionsSince(seq0)).not.toContain('pump.changed-at-pump');
    expect(f.alarmEvents).toEqual([]);
    expect(f.audit.verify().ok).toBe(true);
  });

  it('records who did what in the audit entries, under the bed', async () => {
    const token = await f.login('dr.cho');
    const o = await f.service.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 7, unit: 'mL/h' });
    await f.service.confirm(o.id, f.sign('ana'));
    await f.service.doubleCheck(o.id, f.sign('ben'), 7);
    const entries = f.service.audit(token, { bedId: 'bed-1' });
    const byAction = new Map(entries.map((e) => [e.action, e]));
    expect(byAction.get('order.requested')).toMatchObject({ actor: `user:${f.ids.get('dr.cho')}`, subject: 'bed:bed-1', details: { orderId: o.id, targetRateMlPerHour: 7 } });
    expect(byAction.get('order.confirmed')).toMatchObject({ actor: `user:${f.ids.get('ana')}`, details: { orderId: o.id } });
    expect(byAction.get('order.double-checked')).toMatchObject({ actor: `user:${f.ids.get('ben')}`, details: { enteredValue: 7, unit: 'mL/h' } });
    expect(byAction.get('order.verified')).toMatchObject({ actor: 'system', details: { orderId: o.id, readback: { rateMlPerHour: 7 } } });
    expect(byAction.get('pump.reply')?.actor).toBe('device:bed-1/pump');
    // Nothing of bed-2 in bed-1's view.
    expect(entries.every((e) => e.subject === 'bed:bed-1')).toBe(true);
  });

  it('accepts a request in mL/h and checks it against the mg/kg/h limits', async () => {
    const token = await f.login('ana');
    // 7 mL/h x 10 mg/mL / 70 kg = 1 mg/kg/h: within limits.
    const o = await f.service.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 7, unit: 'mL/h' });
    expect(o.targetRateMlPerHour).toBe(7);
    expect(o.targetDoseMgPerKgPerHour).toBeCloseTo(1, 9);
    expect(o.limitCheck).toMatchObject({ band: 'within', unit: 'mg/kg/h', hardMax: 2 });
  });

  it('accepts a soft-limit dose with an override reason and records it', async () => {
    const token = await f.login('ana');
    const o = await f.service.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 1.8, unit: 'mg/kg/h', overrideReason: ' physician order, tolerance ' });
    expect(o.limitCheck).toMatchObject({ band: 'soft-high', overrideReason: 'physician order, tolerance' });
    const entry = f.audit.query().find((e) => e.action === 'order.requested');
    expect(entry?.details).toMatchObject({ limitCheck: { band: 'soft-high', overrideReason: 'physician order, tolerance' } });
  });
});

describe('single confirmation', () => {
  it('executes a drug that is not high-alert on the first nurse signature', async () => {
    const token = await f.login('ana');
    const o = await f.service.requestRateChange(token, { bedId: 'bed-2', deviceId: 'pump', value: 20, unit: 'mL/h' });
    const done = await f.service.confirm(o.id, f.sign('ana'));
    expect(done).toMatchObject({ state: 'verified', confirmedBy: { username: 'ana' }, doubleCheckedBy: null });
    expect(f.fluidPump.calls).toHaveLength(1);
    expect(f.fluidPump.calls[0]?.targetRateMlPerHour).toBe(20);
    expect(f.ketaminePump.calls).toHaveLength(0);
  });

  it('stops a high-alert infusion with one confirmation and no double check', async () => {
    const token = await f.login('dr.cho');
    const o = await f.service.requestStop(token, 'bed-1', 'pump');
    expect(o).toMatchObject({ kind: 'stop', targetRateMlPerHour: null, requestedAs: null, state: 'awaiting-confirmation' });
    const done = await f.service.confirm(o.id, f.sign('ben'));
    expect(done.state).toBe('verified');
    expect(f.ketaminePump.calls).toHaveLength(1);
    expect(f.ketaminePump.calls[0]).toMatchObject({ kind: 'stop', targetRateMlPerHour: null, targetRunState: 'stopped' });
    expect(f.audit.query().some((e) => e.action === 'pump.changed-at-pump')).toBe(false);
  });
});

describe('sessions and listing', () => {
  it('logs in, tells who is logged in, logs out', async () => {
    const session = await f.service.login('ben', 'ben-password-2', '10.0.0.9');
    expect(session.user).toEqual({ id: f.ids.get('ben'), username: 'ben', displayName: 'BEN', role: 'nurse' });
    expect(f.service.whoami(session.token).username).toBe('ben');
    f.service.logout(session.token);
    expect(() => f.service.whoami(session.token)).toThrow(expect.objectContaining({ code: 'SESSION_INVALID' }));
  });

  it('lists open orders and recent closed ones, newest first', async () => {
    const token = await f.login('ana');
    const a = await f.service.requestRateChange(token, { bedId: 'bed-2', deviceId: 'pump', value: 20, unit: 'mL/h' });
    await f.service.confirm(a.id, f.sign('ana'));
    f.advance(1000);
    const b = await f.service.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 0.5, unit: 'mg/kg/h' });
    expect(f.service.orders().map((o) => [o.id, o.state])).toEqual([
      [b.id, 'awaiting-confirmation'],
      [a.id, 'verified'],
    ]);
    expect(f.service.orders(1).map((o) => o.id)).toEqual([b.id]);
  });

  it('emits a pump view on every reading with the dose computed', async () => {
    const views: number[] = [];
    f.service.pumps$.subscribe((v) => v.bedId === 'bed-1' && v.doseMgPerKgPerHour !== null && views.push(v.doseMgPerKgPerHour));
    f.ketaminePump.set({ rateMlPerHour: 3.5 });
    expect(views.at(-1)).toBeCloseTo(0.5, 9);
  });
});
