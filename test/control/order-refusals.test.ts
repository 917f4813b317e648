import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderView } from '../../src/control/order-types.js';
import { ControlFixture, failure } from './control-fixture.js';

let f: ControlFixture;
let ana: string;
beforeEach(async () => {
  f = await ControlFixture.create();
  ana = await f.login('ana');
});
afterEach(() => f.dispose());

const ketamine = (value: number, extra: { unit?: 'mg/kg/h' | 'mL/h'; overrideReason?: string } = {}) => ({
  bedId: 'bed-1',
  deviceId: 'pump',
  value,
  unit: extra.unit ?? ('mg/kg/h' as const),
  ...(extra.overrideReason !== undefined ? { overrideReason: extra.overrideReason } : {}),
});

function lastRefusal() {
  return f.audit.query().filter((e) => e.action === 'order.refused').at(-1);
}

async function confirmedKetamineOrder(): Promise<OrderView> {
  const o = await f.service.requestRateChange(ana, ketamine(0.9));
  return f.service.confirm(o.id, f.sign('ana'));
}

describe('requests refused, audited, nothing opened', () => {
  it('HARD_LIMIT above the maximum names the limit', async () => {
    const err = await failure(() => f.service.requestRateChange(ana, ketamine(2.5)));
    expect(err.code).toBe('ORDER_REFUSED');
    expect(err.context['reason']).toBe('HARD_LIMIT');
    expect(err.message).toBe('2.5 mg/kg/h is above the hard maximum 2 mg/kg/h for Ketamine');
    expect(err.context['limitCheck']).toMatchObject({ hardMax: 2, unit: 'mg/kg/h' });
    expect(lastRefusal()).toMatchObject({ actor: `user:${f.ids.get('ana')}`, subject: 'bed:bed-1', details: { reason: 'HARD_LIMIT', request: { value: 2.5, unit: 'mg/kg/h' } } });
    expect(f.service.orders()).toEqual([]);
  });

  it('HARD_LIMIT below the minimum, also when asked in mL/h', async () => {
    // 0.2 mL/h x 10 / 70 = 0.0286 mg/kg/h < 0.05
    const err = await failure(() => f.service.requestRateChange(ana, ketamine(0.2, { unit: 'mL/h' })));
    expect(err.context['reason']).toBe('HARD_LIMIT');
    expect(err.message).toBe('0.2 mL/h (0.029 mg/kg/h) is below the hard minimum 0.05 mg/kg/h for Ketamine');
  });

  it('OVERRIDE_REASON_REQUIRED outside the soft limits without a reason', async () => {
    const err = await failure(() => f.service.requestRateChange(ana, ketamine(1.8, { overrideReason: '   ' })));
    expect(err.context['reason']).toBe('OVERRIDE_REASON_REQUIRED');
    expect(err.message).toContain('above the soft maximum 1.5 mg/kg/h');
    const low = await failure(() => f.service.requestRateChange(ana, ketamine(0.1)));
    expect(low.message).toContain('below the soft minimum 0.15 mg/kg/h');
    expect(f.service.orders()).toEqual([]);
  });

  it('WRONG_ROLE for an admin', async () => {
    const root = await f.login('root');
    const err = await failure(() => f.service.requestRateChange(root, ketamine(0.9)));
    expect(err.context['reason']).toBe('WRONG_ROLE');
    expect(lastRefusal()?.actor).toBe(`user:${f.ids.get('root')}`);
  });

  it('SESSION_INVALID / SESSION_EXPIRED for a bad or stale session, audited', async () => {
    expect((await failure(() => f.service.requestRateChange('not-a-token', ketamine(0.9)))).code).toBe('SESSION_INVALID');
    expect(lastRefusal()).toMatchObject({ actor: 'system', details: { reason: 'SESSION_INVALID' } });
    f.advance(31 * 60_000); // idle timeout 30 min
    expect((await failure(() => f.service.requestStop(ana, 'bed-1', 'pump'))).code).toBe('SESSION_EXPIRED');
  });

  it('UNKNOWN_PUMP, INVALID_VALUE and INVALID_REQUEST', async () => {
    expect((await failure(() => f.service.requestRateChange(ana, { ...ketamine(0.9), bedId: 'bed-9' }))).context['reason']).toBe('UNKNOWN_PUMP');
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '0.9' as unknown as number]) {
      expect((await failure(() => f.service.requestRateChange(ana, ketamine(value)))).context['reason']).toBe('INVALID_VALUE');
    }
    const bad = [null, { bedId: 'bed-1' }, { ...ketamine(0.9), unit: 'mg/h' }, { ...ketamine(0.9), overrideReason: 42 }];
    for (const request of bad) {
      expect((await failure(() => f.service.requestRateChange(ana, request as never))).context['reason']).toBe('INVALID_REQUEST');
    }
  });

  it('PUMP_NOT_READ when Vigil has no fresh reading', async () => {
    f.ketaminePump.set({ fresh: false });
    const err = await failure(() => f.service.requestRateChange(ana, ketamine(0.9)));
    expect(err.context['reason']).toBe('PUMP_NOT_READ');
  });

  it('PUMP_NOT_RUNNING for a rate change of a stopped pump; NO_CHANGE to stop it', async () => {
    f.ketaminePump.set({ runState: 'stopped' });
    const err = await failure(() => f.service.requestRateChange(ana, ketamine(0.9)));
    expect(err.context['reason']).toBe('PUMP_NOT_RUNNING');
    expect(err.message).toContain('starting an infusion is done at the pump');
    expect((await failure(() => f.service.requestStop(ana, 'bed-1', 'pump'))).context['reason']).toBe('NO_CHANGE');
  });

  it('NO_CHANGE when the new rate is the current one', async () => {
    // 0.75 mg/kg/h = 5.25 mL/h, what the pump runs.
    const err = await failure(() => f.service.requestRateChange(ana, ketamine(0.75)));
    expect(err.context['reason']).toBe('NO_CHANGE');
  });

  it('ORDER_OPEN while another order of the pump is open', async () => {
    await f.service.requestRateChange(ana, ketamine(0.9));
    const ben = await f.login('ben');
    const err = await failure(() => f.service.requestRateChange(ben, ketamine(1)));
    expect(err.context['reason']).toBe('ORDER_OPEN');
    expect((await failure(() => f.service.requestStop(ben, 'bed-1', 'pump'))).context['reason']).toBe('ORDER_OPEN');
  });
});

describe('confirmation and double check refused', () => {
  it('WRONG_ROLE: a physician cannot confirm; the order is refused', async () => {
    const o = await f.service.requestRateChange(ana, ketamine(0.9));
    const err = await failure(() => f.service.confirm(o.id, f.sign('dr.cho')));
    expect(err.context['reason']).toBe('WRONG_ROLE');
    expect(f.service.order(o.id)).toMatchObject({ state: 'refused', outcome: { code: 'WRONG_ROLE' } });
    expect(f.ketaminePump.calls).toHaveLength(0);
  });

  it('AUTH_FAILED for a wrong password: audited, the order stays open; the third failure refuses it', async () => {
    const o = await f.service.requestRateChange(ana, ketamine(0.9));
    const first = await failure(() => f.service.confirm(o.id, { username: 'ana', password: 'wrong-password' }));
    expect(first.code).toBe('AUTH_FAILED');
    expect(f.service.order(o.id)?.state).toBe('awaiting-confirmation');
    expect(f.audit.query().at(-1)).toMatchObject({ action: 'auth.signature-failed', details: { orderId: o.id, reason: 'wrong-password', attempt: 1 } });
    await failure(() => f.service.confirm(o.id, { username: 'nobody', password: 'whatever-1234' }));
    const third = await failure(() => f.service.confirm(o.id, { username: 'ana' } as never));
    expect(third.context['reason']).toBe('TOO_MANY_FAILED_SIGNATURES');
    expect(f.service.order(o.id)?.state).toBe('refused');
    expect((await failure(() => f.service.confirm(o.id, f.sign('ana')))).context['reason']).toBe('WRONG_STATE');
    expect(f.ketaminePump.calls).toHaveLength(0);
  });

  it('SAME_NURSE: the confirming nurse cannot double-check', async () => {
    const o = await confirmedKetamineOrder();
    const err = await failure(() => f.service.doubleCheck(o.id, f.sign('ana'), 0.9));
    expect(err.context['reason']).toBe('SAME_NURSE');
    expect(f.service.order(o.id)?.state).toBe('refused');
    expect(f.ketaminePump.calls).toHaveLength(0);
  });

  it('SAME_NURSE: the requester cannot double-check after another nurse confirmed', async () => {
    const o = await f.service.requestRateChange(ana, ketamine(0.9));
    await f.service.confirm(o.id, f.sign('ben'));
    const err = await failure(() => f.service.doubleCheck(o.id, f.sign('ana'), 0.9));
    expect(err.context['reason']).toBe('SAME_NURSE');
    expect(err.message).toContain('requested this order');
  });

  it('WRONG_ROLE: a physician cannot double-check', async () => {
    const o = await confirmedKetamineOrder();
    expect((await failure(() => f.service.doubleCheck(o.id, f.sign('dr.cho'), 0.9))).context['reason']).toBe('WRONG_ROLE');
    expect(f.service.order(o.id)?.state).toBe('refused');
  });

  it('DOUBLE_CHECK_MISMATCH refuses the order; within 0.01 matches', async () => {
    const o = await confirmedKetamineOrder();
    const err = await failure(() => f.service.doubleCheck(o.id, f.sign('ben'), 0.09));
    expect(err.context['reason']).toBe('DOUBLE_CHECK_MISMATCH');
    expect(err.message).toContain('entered 0.09 mg/kg/h but the order is 0.9 mg/kg/h');
    expect(f.service.order(o.id)?.state).toBe('refused');
    expect(f.ketaminePump.calls).toHaveLength(0);

    const again = await confirmedKetamineOrder();
    expect((await f.service.doubleCheck(again.id, f.sign('cy'), 0.905)).state).toBe('verified');
  });

  it('a double check that is not a number is refused without closing the order', async () => {
    const o = await confirmedKetamineOrder();
    expect((await failure(() => f.service.doubleCheck(o.id, f.sign('ben'), Number.NaN))).context['reason']).toBe('INVALID_VALUE');
    expect(f.service.order(o.id)?.state).toBe('awaiting-double-check');
  });

  it('EXPIRED: an order signed after its 2 minutes is refused and expired', async () => {
    const o = await f.service.requestRateChange(ana, ketamine(0.9));
    f.clockJump(120_000);
    const err = await failure(() => f.service.confirm(o.id, f.sign('ana')));
    expect(err.context['reason']).toBe('EXPIRED');
    expect(f.service.order(o.id)?.state).toBe('expired');
    expect(f.ketaminePump.calls).toHaveLength(0);
  });

  it('PUMP_CHANGED: the rate was changed at the keypad after the request', async () => {
    const token = await f.login('ben');
    const o = await f.service.requestRateChange(token, { bedId: 'bed-2', deviceId: 'pump', value: 20, unit: 'mL/h' });
    f.fluidPump.keypadRate(12);
    const err = await failure(() => f.service.confirm(o.id, f.sign('ana')));
    expect(err.context['reason']).toBe('PUMP_CHANGED');
    expect(err.message).toContain('the pump now runs 12 mL/h (was 10 mL/h)');
    expect(f.service.order(o.id)?.state).toBe('refused');
    expect(f.fluidPump.calls).toHaveLength(0);
  });

  it('PUMP_CHANGED: stopped, or a different pump (serial), or no fresh reading before the double check', async () => {
    for (const patch of [{ runState: 'stopped' as const }, { serial: 'ASENA9999' }, { fresh: false }]) {
      const o = await confirmedKetamineOrder();
      f.ketaminePump.set(patch);
      expect((await failure(() => f.service.doubleCheck(o.id, f.sign('ben'), 0.9))).context['reason']).toBe('PUMP_CHANGED');
      f.ketaminePump.set({ runState: 'running', serial: 'ASENA0001', fresh: true });
    }
    expect(f.ketaminePump.calls).toHaveLength(0);
  });

  it('ORDER_NOT_FOUND for an unknown order', async () => {
    expect((await failure(() => f.service.confirm('no-such-order', f.sign('ana')))).code).toBe('ORDER_NOT_FOUND');
  });
});

describe('signatures racing', () => {
  it('two nurses confirming at the same moment: one execution, the other refused', async () => {
    const o = await f.service.requestRateChange(ana, { bedId: 'bed-2', deviceId: 'pump', value: 20, unit: 'mL/h' });
    const results = await Promise.allSettled([f.service.confirm(o.id, f.sign('ana')), f.service.confirm(o.id, f.sign('ben'))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'ORDER_REFUSED', context: { reason: 'WRONG_STATE' } });
    expect(f.fluidPump.calls).toHaveLength(1);
    expect(f.service.order(o.id)?.state).toBe('verified');
  });
});

describe('cancel', () => {
  it('an admin cannot cancel (audited), and a finished order cannot be cancelled', async () => {
    const o = await f.service.requestRateChange(ana, ketamine(0.9));
    const root = await f.login('root');
    expect(() => f.service.cancel(o.id, root, 'x')).toThrow(expect.objectContaining({ context: expect.objectContaining({ reason: 'WRONG_ROLE' }) }));
    expect(lastRefusal()).toMatchObject({ actor: `user:${f.ids.get('root')}`, details: { orderId: o.id, effect: 'attempt-refused' } });
    f.service.cancel(o.id, ana, '');
    expect(() => f.service.cancel(o.id, ana, 'again')).toThrow(expect.objectContaining({ context: expect.objectContaining({ reason: 'WRONG_STATE' }) }));
  });

  it('cancels an open order (audited) and frees the pump', async () => {
    const o = await f.service.requestRateChange(ana, ketamine(0.9));
    const cancelled = f.service.cancel(o.id, ana, 'wrong patient weight');
    expect(cancelled).toMatchObject({ state: 'cancelled', outcome: { code: 'CANCELLED', message: 'wrong patient weight' } });
    expect(f.audit.query().at(-1)).toMatchObject({ action: 'order.cancelled', details: { orderId: o.id, reason: 'wrong patient weight' } });
    expect((await failure(() => f.service.confirm(o.id, f.sign('ana')))).context['reason']).toBe('WRONG_STATE');
    await expect(f.service.requestRateChange(ana, ketamine(1))).resolves.toMatchObject({ state: 'awaiting-confirmation' });
  });
});
