import { filter, firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import type { PumpChangeView } from '../../src/control/control-api.js';
import type { ExecutionOutcome } from '../../src/control/pump-executor.js';
import { ControlFixture, failure } from './control-fixture.js';

let f: ControlFixture;
let ana: string;
beforeEach(async () => {
  f = await ControlFixture.create();
  ana = await f.login('ana');
});
afterEach(() => f.dispose());

/** The pump acknowledges the command but keeps running its old rate (the "runs another rate" fault). */
function runsAnotherRate(): ExecutionOutcome {
  const readback = { ...f.ketaminePump.readings.value, readAt: f.clock.now() };
  return {
    verified: false,
    code: 'READBACK_MISMATCH',
    message: `ordered 6.30 mL/h, the pump reports ${readback.rateMlPerHour?.toFixed(2)} mL/h`,
    readback,
    steps: [
      { at: f.clock.now(), command: 'REMOTE_CTRL^ENABLED^1234', reply: 'REMOTE_CTRL^ENABLED', result: 'accepted' },
      { at: f.clock.now(), command: 'INF_RATE^6.30^ml/h', reply: 'INF_RATE^6.30^ml/h', result: 'accepted' },
    ],
  };
}

async function executeKetamine(): Promise<string> {
  const o = await f.service.requestRateChange(ana, { bedId: 'bed-1', deviceId: 'pump', value: 0.9, unit: 'mg/kg/h' });
  await f.service.confirm(o.id, f.sign('ana'));
  const done = await f.service.doubleCheck(o.id, f.sign('ben'), 0.9);
  return done.id;
}

describe('not verified', () => {
  it('raises a high RATE_CHANGE_NOT_VERIFIED alarm naming ordered and reported rates, and never retries', async () => {
    f.ketaminePump.behaviour = async () => runsAnotherRate();
    const seq0 = f.audit.head().seq;
    const id = await executeKetamine();

    const order = f.service.order(id);
    expect(order).toMatchObject({ state: 'not-verified', outcome: { code: 'READBACK_MISMATCH' }, readback: { rateMlPerHour: 5.25 } });
    expect(f.alarmEvents).toHaveLength(1);
    const alarm = f.alarmEvents[0]!;
    expect(alarm.phase).toBe('start');
    expect(alarm.alarm).toMatchObject({ code: 'RATE_CHANGE_NOT_VERIFIED', priority: 'high', bedId: 'bed-1', deviceId: 'pump', endedAt: null });
    expect(alarm.alarm.message).toContain('rate change to 6.3 mL/h (0.9 mg/kg/h) NOT VERIFIED');
    expect(alarm.alarm.message).toContain('the pump reports 5.25 mL/h, running');
    expect(f.actionsSince(seq0)).toEqual([
      'order.requested',
      'order.confirmed',
      'order.double-checked',
      'pump.command-sent',
      'pump.reply',
      'pump.command-sent',
      'pump.reply',
      'order.not-verified',
    ]);

    // Hours later: still one executor call, alarm still active, nothing retried.
    f.advance(6 * 60 * 60_000);
    expect(f.ketaminePump.calls).toHaveLength(1);
    expect(f.alarmEvents.map((e) => e.phase)).toEqual(['start']);
    // A confirmation or double check of the finished order is refused; it does not re-run.
    expect((await failure(() => f.service.confirm(id, f.sign('cy')))).context['reason']).toBe('WRONG_STATE');
    expect((await failure(() => f.service.doubleCheck(id, f.sign('cy'), 0.9))).context['reason']).toBe('WRONG_STATE');
    expect(f.ketaminePump.calls).toHaveLength(1);
  });

  it('blocks new orders on the pump until a nurse acknowledges; acknowledging ends the alarm (audited)', async () => {
    f.ketaminePump.behaviour = async () => runsAnotherRate();
    const id = await executeKetamine();
    const ben = await f.login('ben');
    expect((await failure(() => f.service.requestRateChange(ben, { bedId: 'bed-1', deviceId: 'pump', value: 1, unit: 'mg/kg/h' }))).context['reason']).toBe(
      'UNACKNOWLEDGED_FAILURE',
    );

    const cho = await f.login('dr.cho');
    expect((await failure(() => f.service.acknowledgeOutcome(id, cho))).context['reason']).toBe('WRONG_ROLE');
    expect(f.alarmEvents.map((e) => e.phase)).toEqual(['start']);

    f.service.acknowledgeOutcome(id, ben);
    expect(f.alarmEvents.map((e) => e.phase)).toEqual(['start', 'end']);
    expect(f.alarmEvents[1]?.alarm.id).toBe(f.alarmEvents[0]?.alarm.id);
    expect(f.audit.query().at(-1)).toMatchObject({ action: 'alarm.acknowledged', actor: `user:${f.ids.get('ben')}`, details: { orderId: id } });
    expect(f.service.order(id)?.state).toBe('not-verified');
    expect((await failure(() => f.service.acknowledgeOutcome(id, ben))).context['reason']).toBe('WRONG_STATE');
    expect(f.ketaminePump.calls).toHaveLength(1);
    await expect(f.service.requestRateChange(ben, { bedId: 'bed-1', deviceId: 'pump', value: 1, unit: 'mg/kg/h' })).resolves.toBeDefined();
  });

  it('an executor that throws is not-verified with the alarm (the pump state is unknown)', async () => {
    f.ketaminePump.behaviour = () => Promise.reject(new Error('lane closed'));
    const id = await executeKetamine();
    expect(f.service.order(id)).toMatchObject({ state: 'not-verified', outcome: { code: 'EXECUTOR_ERROR' }, readback: null });
    expect(f.alarmEvents[0]?.alarm.message).toContain('the pump state is unknown');
  });

  it('a station subscribing later still receives the active alarm', async () => {
    f.ketaminePump.behaviour = async () => runsAnotherRate();
    await executeKetamine();
    const late: AlarmEvent[] = [];
    f.service.alarms$.subscribe((e) => late.push(e));
    expect(late.map((e) => [e.phase, e.alarm.code])).toEqual([['start', 'RATE_CHANGE_NOT_VERIFIED']]);
  });
});

describe('expiry timer', () => {
  it('expires an unsigned order at 2 minutes, audited, and frees the pump', async () => {
    const o = await f.service.requestRateChange(ana, { bedId: 'bed-1', deviceId: 'pump', value: 0.9, unit: 'mg/kg/h' });
    f.advance(119_999);
    expect(f.service.order(o.id)?.state).toBe('awaiting-confirmation');
    f.advance(1);
    expect(f.service.order(o.id)).toMatchObject({ state: 'expired', outcome: { code: 'EXPIRED' } });
    expect(f.audit.query().at(-1)).toMatchObject({ action: 'order.expired', actor: 'system', details: { orderId: o.id } });
    expect(f.service.pumps().find((p) => p.bedId === 'bed-1')?.openOrderId).toBeNull();
  });

  it('uses the configured timeout and also expires an order awaiting its double check', async () => {
    f.dispose();
    f = await ControlFixture.create({ orderTimeoutMs: 30_000 });
    ana = await f.login('ana');
    const o = await f.service.requestRateChange(ana, { bedId: 'bed-1', deviceId: 'pump', value: 0.9, unit: 'mg/kg/h' });
    await f.service.confirm(o.id, f.sign('ana'));
    f.advance(30_000);
    expect(f.service.order(o.id)?.state).toBe('expired');
    expect((await failure(() => f.service.doubleCheck(o.id, f.sign('ben'), 0.9))).context['reason']).toBe('WRONG_STATE');
    expect(f.ketaminePump.calls).toHaveLength(0);
  });
});

describe('changes made at the pump', () => {
  it('audits a keypad change with the device as actor and emits it', async () => {
    const changes: PumpChangeView[] = [];
    f.service.pumpChanges$.subscribe((c) => changes.push(c));
    f.ketaminePump.keypadRate(8);
    expect(changes).toEqual([{ bedId: 'bed-1', deviceId: 'pump', kind: 'rate', before: '5.25 mL/h', after: '8.00 mL/h', at: f.clock.now() }]);
    expect(f.audit.query().at(-1)).toMatchObject({
      action: 'pump.changed-at-pump',
      actor: 'device:bed-1/pump',
      subject: 'bed:bed-1',
      details: { kind: 'rate', before: '5.25 mL/h', after: '8.00 mL/h', openOrderId: null },
    });
  });

  it('a keypad change to the ordered rate long after the order is still a keypad change', async () => {
    const id = await executeKetamine();
    const changes: PumpChangeView[] = [];
    f.service.pumpChanges$.subscribe((c) => changes.push(c));
    f.advance(60_000);
    f.ketaminePump.keypadRate(6.3);
    expect(changes).toHaveLength(1);
    expect(f.audit.query().at(-1)).toMatchObject({ action: 'pump.changed-at-pump', details: { openOrderId: null } });
    expect(f.service.order(id)?.state).toBe('verified');
  });
});

describe('restart', () => {
  it('expires an order awaiting a signature and makes an executing one not-verified with its alarm', async () => {
    const o1 = await f.service.requestRateChange(ana, { bedId: 'bed-1', deviceId: 'pump', value: 0.9, unit: 'mg/kg/h' });
    await f.service.confirm(o1.id, f.sign('ana'));
    const o2 = await f.service.requestRateChange(ana, { bedId: 'bed-2', deviceId: 'pump', value: 20, unit: 'mL/h' });
    f.fluidPump.behaviour = () => new Promise<never>(() => undefined); // the gateway dies while the pump is programmed
    const executing = firstValueFrom(f.service.orders$.pipe(filter((o) => o.id === o2.id && o.state === 'executing')));
    void f.service.confirm(o2.id, f.sign('ana'));
    await executing;
    expect(f.fluidPump.calls).toHaveLength(1);

    f.shutdown();
    f.alarmEvents.length = 0;
    await f.open(false);

    expect(f.service.order(o1.id)).toMatchObject({ state: 'expired', outcome: { code: 'GATEWAY_RESTARTED' } });
    expect(f.service.order(o2.id)).toMatchObject({ state: 'not-verified', outcome: { code: 'GATEWAY_RESTARTED' } });
    expect(f.alarmEvents.map((e) => [e.phase, e.alarm.bedId, e.alarm.code])).toEqual([['start', 'bed-2', 'RATE_CHANGE_NOT_VERIFIED']]);
    const actions = f.audit.query().slice(-2).map((e) => [e.action, e.details['orderId']]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['order.expired', o1.id],
        ['order.not-verified', o2.id],
      ]),
    );
    expect(f.fluidPump.calls).toHaveLength(0); // the restarted gateway's pump is never programmed again
    expect(f.audit.verify().ok).toBe(true);
  });

  it('raises an unacknowledged not-verified alarm again, and not an acknowledged one', async () => {
    f.ketaminePump.behaviour = async () => runsAnotherRate();
    const failed = await executeKetamine();
    f.shutdown();
    await f.open(false);
    const afterRestart: AlarmEvent[] = [];
    f.service.alarms$.subscribe((e) => afterRestart.push(e));
    expect(afterRestart.map((e) => e.alarm.id)).toEqual([`bed-1/pump/RATE_CHANGE_NOT_VERIFIED/${failed}`]);

    const ben = await f.login('ben');
    f.service.acknowledgeOutcome(failed, ben);
    f.shutdown();
    await f.open(false);
    const afterSecond: AlarmEvent[] = [];
    f.service.alarms$.subscribe((e) => afterSecond.push(e));
    expect(afterSecond).toEqual([]);
    expect(f.service.order(failed)?.state).toBe('not-verified');
  });
});
