import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderStore } from '../../src/control/order-store.js';
import type { OrderState, OrderView } from '../../src/control/order-types.js';
import { openDatabase, type VigilDatabase } from '../../src/store/database.js';
import { KETAMINE } from './control-fixture.js';

let dir: string;
let file: string;
let db: VigilDatabase;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-orders-'));
  file = join(dir, 'vigil.sqlite');
  db = openDatabase(file);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = { id: 1, username: 'ana', displayName: 'Ana', role: 'nurse' as const };
function order(id: string, state: OrderState, requestedAt: number): OrderView {
  return {
    id,
    kind: 'rate-change',
    bedId: 'bed-1',
    deviceId: 'pump',
    state,
    programme: KETAMINE,
    targetRateMlPerHour: 6.3,
    targetDoseMgPerKgPerHour: 0.9,
    requestedAs: { value: 0.9, unit: 'mg/kg/h' },
    limitCheck: null,
    pumpAtRequest: { rateMlPerHour: 5.25, runState: 'running', serial: 'A1', volumeInfusedMl: 1, vtbiRemainingMl: 2, fresh: true, readAt: 1 },
    requestedBy: user,
    requestedAt,
    expiresAt: requestedAt + 120_000,
    confirmedBy: null,
    doubleCheckedBy: null,
    readback: null,
    outcome: null,
    history: [{ at: requestedAt, state, by: user, note: 'requested' }],
  };
}

describe('OrderStore', () => {
  it('keeps orders across a reopen of the database', () => {
    const store = new OrderStore(db);
    store.save({ view: order('a', 'awaiting-confirmation', 1000), failedSignatures: 0, alarmAcknowledgedAt: null }, 1000);
    store.save({ view: order('a', 'awaiting-double-check', 1000), failedSignatures: 2, alarmAcknowledgedAt: null }, 2000);
    db.close();
    db = openDatabase(file);
    const again = new OrderStore(db);
    expect(again.get('a')).toEqual({ view: order('a', 'awaiting-double-check', 1000), failedSignatures: 2, alarmAcknowledgedAt: null });
    expect(again.get('b')).toBeUndefined();
  });

  it('lists unfinished orders, unacknowledged failures and recent ones newest first', () => {
    const store = new OrderStore(db);
    const save = (id: string, state: OrderState, at: number, ack: number | null = null) =>
      store.save({ view: order(id, state, at), failedSignatures: 0, alarmAcknowledgedAt: ack }, at);
    save('open', 'awaiting-confirmation', 1);
    save('running', 'executing', 2);
    save('done', 'verified', 3);
    save('failed', 'not-verified', 4);
    save('failed-acked', 'not-verified', 5, 6);
    expect(store.unfinished().map((r) => r.view.id)).toEqual(['running', 'open']);
    expect(store.unacknowledgedFailures().map((r) => r.view.id)).toEqual(['failed']);
    expect(store.recent(2).map((r) => r.view.id)).toEqual(['failed-acked', 'failed']);
  });

  it('skips a row whose JSON was damaged outside Vigil, without throwing', () => {
    const store = new OrderStore(db);
    store.save({ view: order('good', 'verified', 1), failedSignatures: 0, alarmAcknowledgedAt: null }, 1);
    store.save({ view: order('bad', 'verified', 2), failedSignatures: 0, alarmAcknowledgedAt: null }, 2);
    db.sqlite.prepare("UPDATE control_orders SET view_json = '{not json' WHERE id = 'bad'").run();
    expect(store.recent(10).map((r) => r.view.id)).toEqual(['good']);
    expect(store.get('bad')).toBeUndefined();
  });
});
