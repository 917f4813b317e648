/**
 * Time, injectable so that tests run in virtual time.
 * `now()` is wall-clock epoch milliseconds with sub-millisecond resolution
 * (performance.timeOrigin + performance.now()), so receive times order correctly.
 */
export interface Clock {
  /** Epoch milliseconds, fractional (high resolution). */
  now(): number;
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  monotonic: () => performance.now(),
};

/** A clock whose time only moves when told to: for tests. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  monotonic(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
