import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfirmedOrder, isIssuedOrder, issueConfirmedOrder, type ConfirmedOrderSnapshot } from '../../src/control/confirmed-order.js';
import { KETAMINE } from './control-fixture.js';

const user = { id: 1, username: 'ana', displayName: 'Ana', role: 'nurse' as const };
let n = 0;
function snapshot(): ConfirmedOrderSnapshot {
  n += 1;
  return {
    id: `test-order-${process.pid}-${n}-${Math.random()}`,
    kind: 'rate-change',
    bedId: 'bed-1',
    deviceId: 'pump',
    targetRateMlPerHour: 6.3,
    targetRunState: 'running',
    programme: KETAMINE,
    pumpAtRequest: { rateMlPerHour: 5.25, runState: 'running', serial: 'A1', volumeInfusedMl: 1, vtbiRemainingMl: 2, fresh: true, readAt: 1 },
    requestedBy: user,
    confirmedBy: user,
    doubleCheckedBy: { ...user, id: 2, username: 'ben' },
    issuedAt: 1,
  };
}

describe('ConfirmedOrder', () => {
  it('an issued order is recognised and carries its snapshot', () => {
    const s = snapshot();
    const order = issueConfirmedOrder(s);
    expect(isIssuedOrder(order)).toBe(true);
    expect(order).toBeInstanceOf(ConfirmedOrder);
    expect(order.id).toBe(s.id);
    expect(order.targetRateMlPerHour).toBe(6.3);
    expect(order.doubleCheckedBy?.username).toBe('ben');
  });

  it('a hand-made look-alike is rejected', () => {
    const lookAlike = { ...snapshot() };
    expect(isIssuedOrder(lookAlike)).toBe(false);
    const withPrototype = Object.create(ConfirmedOrder.prototype) as object;
    expect(isIssuedOrder(withPrototype)).toBe(false);
    expect(isIssuedOrder(null)).toBe(false);
    // @ts-expect-error a structural copy is not a ConfirmedOrder (nominal through its #private field)
    const typed: ConfirmedOrder = lookAlike;
    expect(isIssuedOrder(typed)).toBe(false);
  });

  it('cannot be constructed outside the workflow, even bypassing TypeScript', () => {
    const Ctor = ConfirmedOrder as unknown as new (key: symbol, s: ConfirmedOrderSnapshot) => ConfirmedOrder;
    expect(() => new Ctor(Symbol('ConfirmedOrder.issue'), snapshot())).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('an order id is issued only once', () => {
    const s = snapshot();
    issueConfirmedOrder(s);
    expect(() => issueConfirmedOrder(s)).toThrow(expect.objectContaining({ code: 'INTERNAL', message: expect.stringContaining('already issued') }));
  });

  it('is immutable, including the snapshot given to it', () => {
    const s = snapshot();
    const order = issueConfirmedOrder(s);
    expect(() => {
      (order as unknown as { targetRateMlPerHour: number }).targetRateMlPerHour = 99;
    }).toThrow(TypeError);
    expect(() => {
      (order.pumpAtRequest as { rateMlPerHour: number }).rateMlPerHour = 99;
    }).toThrow(TypeError);
    (s as { targetRateMlPerHour: number }).targetRateMlPerHour = 99; // the caller's copy, not the order
    expect(order.targetRateMlPerHour).toBe(6.3);
  });
});

describe('who may issue', () => {
  it('only src/control/order-execution.ts imports issueConfirmedOrder', () => {
    const root = join(import.meta.dirname, '..', '..');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    for (const dir of ['src', 'drivers', 'simulators']) walk(join(root, dir));
    const users = files
      .filter((file) => readFileSync(file, 'utf8').includes('issueConfirmedOrder'))
      .map((file) => relative(root, file).replaceAll('\\', '/'))
      .sort();
    expect(users).toEqual(['src/control/confirmed-order.ts', 'src/control/order-execution.ts']);
  });
});
