/**
 * How often the driver sends valid packets to an NE-1000 in safe mode (docs/protocols/ne1000.md,
 * "Watchdog"). The pump stops with alarm `A?T` when no valid packet arrives within its watchdog
 * of n seconds. Vigil never sets n (no `SAF<n>` ever goes out, docs/safety.md rule 1); it reads n
 * with the `SAF` query and then:
 * - while the link is healthy, polls at most every n/3 seconds, so one lost packet cannot
 *   starve the watchdog;
 * - once replies stop or are garbled (UNHEALTHY_AFTER_FAILURES failed exchanges in a row), sends
 *   only a status query every n seconds + pollIntervalMs: slower than the watchdog, so a link
 *   that only lets a packet through now and then does not keep the pump running unobserved
 *   (the watchdog is the pump's own safety feature: Vigil does not defeat it), and the pump is
 *   not hammered.
 * Pure functions: no timers.
 */

/** Failed exchanges in a row (timeout, garbled reply, `?COM`) after which the link counts as unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 2;

/** Shortest poll interval the driver uses, ms. */
export const MIN_POLL_INTERVAL_MS = 100;

export interface FeedPlan {
  /** Time between poll cycles while the link is healthy, ms. */
  readonly intervalMs: number;
  /** True when the configured pollIntervalMs was not below a third of the watchdog (the driver warns). */
  readonly configuredTooSlow: boolean;
}

/**
 * The poll interval for a healthy link: the configured one when it is below a third of the
 * watchdog (or the watchdog is unknown or off), otherwise the largest whole ms below n/3.
 */
export function feedPlan(pollIntervalMs: number, watchdogSeconds: number | null): FeedPlan {
  if (watchdogSeconds === null || watchdogSeconds <= 0) return { intervalMs: pollIntervalMs, configuredTooSlow: false };
  const thirdMs = (watchdogSeconds * 1000) / 3;
  if (pollIntervalMs < thirdMs) return { intervalMs: pollIntervalMs, configuredTooSlow: false };
  return { intervalMs: Math.max(MIN_POLL_INTERVAL_MS, Math.ceil(thirdMs) - 1), configuredTooSlow: true };
}

/**
 * Time between status probes while the link is unhealthy: longer than the watchdog when it is
 * known; otherwise the silence grace (communicationLostAfterMs), never faster than polling.
 */
export function probeIntervalMs(pollIntervalMs: number, watchdogSeconds: number | null, communicationLostAfterMs: number): number {
  if (watchdogSeconds !== null && watchdogSeconds > 0) return watchdogSeconds * 1000 + pollIntervalMs;
  return Math.max(pollIntervalMs, communicationLostAfterMs);
}
