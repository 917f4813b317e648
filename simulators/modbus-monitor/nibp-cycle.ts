import type { Clock } from '../../src/core/clock.js';

/** Default NIBP cycle of the reference monitor: every 5 minutes. */
export const DEFAULT_NIBP_INTERVAL_SECONDS = 300;
/** Accepted automatic intervals: 1 minute to 12 hours (0 = manual only). */
export const NIBP_INTERVAL_LIMITS_SECONDS = { min: 60, max: 43_200 } as const;

/**
 * When the simulated monitor inflates its cuff: automatically every `intervalSeconds`
 * (0 = manual mode) counted from the start or the last interval change, and on demand.
 * An on-demand measurement does not move the automatic schedule. Runs on the device's
 * real (monotonic) time, not the patient's time scale.
 */
export class NibpCycle {
  private intervalMs: number;
  private nextDueMs: number | null;
  private requested = false;

  /** `measureAtStart`: the first automatic measurement is due at once (default), else after one interval. */
  constructor(
    private readonly clock: Clock,
    intervalSeconds: number,
    measureAtStart = true,
  ) {
    this.intervalMs = intervalSeconds * 1000;
    const now = clock.monotonic();
    this.nextDueMs = intervalSeconds === 0 ? null : measureAtStart ? now : now + this.intervalMs;
    if (intervalSeconds === 0 && measureAtStart) this.requested = true;
  }

  /** Seconds between automatic measurements; 0 = manual. */
  get intervalSeconds(): number {
    return this.intervalMs / 1000;
  }

  /** Changes the interval; the next automatic measurement is one new interval from now. */
  setIntervalSeconds(seconds: number): void {
    this.intervalMs = seconds * 1000;
    this.nextDueMs = seconds === 0 ? null : this.clock.monotonic() + this.intervalMs;
  }

  /** Asks for a measurement now (the `nibp-measure` event, or a write to the start register). */
  requestNow(): void {
    this.requested = true;
  }

  /**
   * True when a measurement is due now (requested, or the automatic time reached); the
   * request is consumed and the automatic schedule moves past now (missed cycles are not
   * caught up one by one: a cuff measures once).
   */
  takeDue(): boolean {
    const now = this.clock.monotonic();
    let due = this.requested;
    this.requested = false;
    if (this.nextDueMs !== null && now >= this.nextDueMs) {
      due = true;
      const missed = Math.floor((now - this.nextDueMs) / this.intervalMs) + 1;
      this.nextDueMs += missed * this.intervalMs;
    }
    return due;
  }

  /** Seconds to the next automatic measurement (0 when due); null in manual mode. */
  nextInSeconds(): number | null {
    if (this.nextDueMs === null) return null;
    return Math.max(0, (this.nextDueMs - this.clock.monotonic()) / 1000);
  }
}
