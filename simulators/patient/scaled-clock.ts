import type { Clock } from '../../src/core/clock.js';

/**
 * A clock that runs `factor` times faster than `base` from the moment it is created:
 * the physiological time of a bed with a time scale. The bed's simulated pump runs on it,
 * so the volume it infuses (and the drug the patient receives) follows the same time as
 * the patient's physiology. Factor 1 returns `base` itself.
 */
export function scaledClock(base: Clock, factor: number): Clock {
  if (factor === 1) return base;
  const originNow = base.now();
  const originMonotonic = base.monotonic();
  return {
    now: () => originNow + (base.now() - originNow) * factor,
    monotonic: () => originMonotonic + (base.monotonic() - originMonotonic) * factor,
  };
}
