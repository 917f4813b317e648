/**
 * Seeded pseudo-random numbers, so simulator runs are reproducible.
 * - `hash32` / `smoothNoise`: stateless noise, a pure function of (seed, channel, time),
 *   so a patient's vitals at time t do not depend on how often anyone asked before.
 * - `createRandom`: a sequential generator (mulberry32) for things like garbage bytes.
 */

/** A 32-bit integer hash (murmur3 finaliser) of the given integers. */
export function hash32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A stable 32-bit seed from a string (FNV-1a), e.g. a default seed from a bed id. */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform value in [-1, 1] for one knot of one noise channel. */
function knot(seed: number, channel: number, index: number): number {
  return (hash32(seed, channel, index) / 0xffffffff) * 2 - 1;
}

/**
 * Smooth bounded noise in [-1, 1]: random knots every `periodSeconds`, joined by a
 * smoothstep curve. Pure: the same (seed, channel, tSeconds) always gives the same value.
 */
export function smoothNoise(seed: number, channel: number, tSeconds: number, periodSeconds: number): number {
  const x = tSeconds / periodSeconds;
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const a = knot(seed, channel, i);
  const b = knot(seed, channel, i + 1);
  return a + (b - a) * s;
}

/** A sequential seeded generator returning uniform numbers in [0, 1) (mulberry32). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
