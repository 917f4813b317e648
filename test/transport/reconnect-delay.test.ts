import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from '../../src/transport/byte-transport.js';
import { reconnectDelayMs } from '../../src/transport/reconnect-delay.js';

const noJitter: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0 };

describe('reconnectDelayMs', () => {
  it('grows by the factor from the initial delay and stops at the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 50].map((n) => reconnectDelayMs(n, noJitter));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('adds up to jitter * delay on top, from the injected random source', () => {
    const policy = { ...noJitter, jitter: 0.5 };
    expect(reconnectDelayMs(2, policy, () => 0)).toBe(200);
    expect(reconnectDelayMs(2, policy, () => 0.5)).toBe(250);
    expect(reconnectDelayMs(2, policy, () => 0.999)).toBe(300);
    expect(reconnectDelayMs(10, policy, () => 0.999)).toBe(1500);
  });

  it('treats attempt 0, negative or NaN failure counts as the first failure', () => {
    for (const n of [0, -3, Number.NaN]) expect(reconnectDelayMs(n, noJitter)).toBe(100);
  });

  it('survives a huge failure count (no overflow to NaN or Infinity)', () => {
    expect(reconnectDelayMs(1e6, noJitter)).toBe(1000);
    expect(reconnectDelayMs(1e6, { ...noJitter, initialDelayMs: 0 })).toBe(0);
  });

  it('default policy: 500 ms first, never above 10 s plus 10 % jitter', () => {
    expect(reconnectDelayMs(1, DEFAULT_RECONNECT, () => 0)).toBe(500);
    expect(reconnectDelayMs(30, DEFAULT_RECONNECT, () => 0.9999)).toBeLessThanOrEqual(11_000);
  });

  it('property: finite, within [base, base * (1 + jitter)], never shrinking with more failures', () => {
    const policyArb = fc.record({
      initialDelayMs: fc.integer({ min: 0, max: 10_000 }),
      maxDelayMs: fc.integer({ min: 0, max: 600_000 }),
      factor: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (policy, n, r) => {
        const d = reconnectDelayMs(n, policy, () => r);
        const next = reconnectDelayMs(n + 1, policy, () => r);
        const cap = Math.max(policy.initialDelayMs, policy.maxDelayMs);
        return Number.isFinite(d) && d >= 0 && d <= Math.round(cap * (1 + policy.jitter)) && next >= d;
      }),
    );
  });
});
