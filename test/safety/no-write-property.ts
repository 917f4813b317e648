/**
 * What the no-write properties (no-write-*.test.ts) share: the clinicians' side, random
 * steps that start a rate change for bed-1's pump and never complete it (a request, a
 * wrong password, a first signature only, a double check by the same nurse or with another
 * value, a cancellation), and time passing. Each wrong step first brings an order to the
 * state it needs, so that short random sequences reach the double-check stage. Every
 * refusal is expected and swallowed: the properties judge by what the pump received.
 */
import fc from 'fast-check';
import type { ControlService } from '../../src/control/order-workflow.js';
import { PASSWORDS } from '../control/control-fixture.js';

export const orderOrWaitStep = fc.oneof(
  fc.record({ t: fc.constant('wait' as const), ms: fc.integer({ min: 10, max: 800 }) }),
  fc.record({ t: fc.constant('request' as const), value: fc.double({ min: 0.01, max: 3, noNaN: true }) }),
  fc.record({ t: fc.constant('bad-signature' as const) }),
  fc.record({ t: fc.constant('first-signature-only' as const) }),
  fc.record({ t: fc.constant('same-nurse-double-check' as const) }),
  fc.record({ t: fc.constant('other-value-double-check' as const) }),
  fc.record({ t: fc.constant('cancel' as const) }),
);
export type OrderOrWaitStep = typeof orderOrWaitStep extends fc.Arbitrary<infer A> ? A : never;

/** Swallows the refusal of a step that is meant to be refused (or not possible now). */
export const quietly = <T>(p: Promise<T> | (() => T)): Promise<T | undefined> =>
  (typeof p === 'function' ? Promise.resolve().then(p) : p).catch(() => undefined);

/** Runs one step (a wait, or an order step as Ana, logged in with `token`, with Ben as the second nurse). */
export async function applyOrderOrWaitStep(control: ControlService, step: OrderOrWaitStep, token: string): Promise<void> {
  const open = (state: 'awaiting-confirmation' | 'awaiting-double-check') => control.orders(5).find((o) => o.state === state);
  const request = (value: number) =>
    quietly(control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value, unit: 'mg/kg/h', overrideReason: 'property test' }));
  const awaitingConfirmation = async () => open('awaiting-confirmation') ?? (await request(0.5));
  const awaitingDoubleCheck = async () => {
    const waiting = open('awaiting-double-check');
    if (waiting) return waiting;
    const order = await awaitingConfirmation();
    return order ? quietly(control.confirm(order.id, { username: 'ana', password: PASSWORDS.ana })) : undefined;
  };
  switch (step.t) {
    case 'wait':
      await new Promise((r) => setTimeout(r, step.ms));
      return;
    case 'request':
      await request(step.value);
      return;
    case 'bad-signature': {
      const order = await awaitingConfirmation();
      if (order) await quietly(control.confirm(order.id, { username: 'ana', password: 'not-the-password' }));
      return;
    }
    case 'first-signature-only':
      // Ketamine is high-alert: one signature leaves the order waiting for the second nurse.
      await awaitingDoubleCheck();
      return;
    case 'same-nurse-double-check': {
      const order = await awaitingDoubleCheck();
      if (order?.state === 'awaiting-double-check') await quietly(control.doubleCheck(order.id, { username: 'ana', password: PASSWORDS.ana }, order.requestedAs?.value ?? 0));
      return;
    }
    case 'other-value-double-check': {
      // 99 mg/kg/h is outside every request these steps make, so it never matches.
      const order = await awaitingDoubleCheck();
      if (order?.state === 'awaiting-double-check') await quietly(control.doubleCheck(order.id, { username: 'ben', password: PASSWORDS.ben }, 99));
      return;
    }
    case 'cancel': {
      const order = open('awaiting-confirmation') ?? open('awaiting-double-check');
      if (order) await quietly(() => control.cancel(order.id, token, 'property test'));
      return;
    }
  }
}

/** A gateway under the property: its control module, the pump's write count, and a stop. */
export interface PropertyGateway {
  readonly control: ControlService;
  writes(): number;
  stop(): Promise<void>;
}

/**
 * The property itself: for each random sequence, a fresh gateway; Ana logs in, every step
 * runs, the driver gets `settleMs` for a last poll, and the pump must have received no
 * write. The gateway is stopped whatever happens.
 */
export async function assertNoPumpWrites<G extends PropertyGateway, A>(options: {
  readonly steps: fc.Arbitrary<A>;
  readonly start: () => Promise<G>;
  readonly apply: (gateway: G, step: A, token: string) => Promise<void>;
  readonly settleMs: number;
  readonly numRuns: number;
}): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(options.steps, { minLength: 5, maxLength: 12 }), async (steps) => {
      const g = await options.start();
      try {
        const { token } = await g.control.login('ana', PASSWORDS.ana);
        for (const step of steps) await options.apply(g, step, token);
        await new Promise((r) => setTimeout(r, options.settleMs));
        if (g.writes() !== 0) throw new Error(`the pump received ${g.writes()} write command(s)`);
      } finally {
        await g.stop();
      }
    }),
    { numRuns: options.numRuns },
  );
}

/**
 * The positive control's order: 1 mg/kg/h requested by Ana, signed by Ana (the pump must
 * still have received nothing) and double-checked by Ben. Returns the order as it ends.
 */
export async function completeOrder(g: PropertyGateway) {
  const { token } = await g.control.login('ana', PASSWORDS.ana);
  const order = await g.control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 1, unit: 'mg/kg/h' });
  await g.control.confirm(order.id, { username: 'ana', password: PASSWORDS.ana });
  if (g.writes() !== 0) throw new Error(`the pump received ${g.writes()} write command(s) after the first signature`);
  return g.control.doubleCheck(order.id, { username: 'ben', password: PASSWORDS.ben }, 1);
}
