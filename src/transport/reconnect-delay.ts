import type { ReconnectPolicy } from './byte-transport.js';

/**
 * The wait before the next connection attempt, after `failures` consecutive failures
 * (a lost link counts as the first failure).
 *
 * delayMs = min(maxDelayMs, initialDelayMs * factor^(failures-1)) * (1 + jitter * random()),
 * rounded to whole milliseconds. Jitter spreads the reconnects of many transports that
 * lost the same terminal server at once; it is added on top of the capped delay, so the
 * longest wait is `maxDelayMs * (1 + jitter)`.
 *
 * Pure apart from `random` (0 <= random() < 1), which tests inject. Nonsense inputs
 * (NaN, negative numbers, a factor below 1) are clamped so the result is always a
 * finite delay of at least 0 ms that never shrinks as failures grow.
 */
export function reconnectDelayMs(
  failures: number,
  policy: ReconnectPolicy,
  random: () => number = Math.random,
): number {
  const n = Number.isFinite(failures) ? Math.max(1, Math.floor(failures)) : 1;
  const initialMs = finiteAtLeast(policy.initialDelayMs, 0);
  const maxMs = Math.max(initialMs, finiteAtLeast(policy.maxDelayMs, 0));
  const factor = finiteAtLeast(policy.factor, 1);
  const jitter = Math.min(1, finiteAtLeast(policy.jitter, 0));
  // factor^(n-1) overflows to Infinity for large n; min() then picks the cap.
  const grownMs = initialMs === 0 ? 0 : initialMs * factor ** (n - 1);
  const baseMs = Math.min(maxMs, grownMs);
  const r = Math.min(1, finiteAtLeast(random(), 0));
  return Math.round(baseMs * (1 + jitter * r));
}

function finiteAtLeast(value: number, min: number): number {
  return Number.isFinite(value) ? Math.max(min, value) : min;
}
