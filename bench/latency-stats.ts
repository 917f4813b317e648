/**
 * Latency statistics of the bench: nearest-rank percentiles over every sample (no
 * histogram buckets, no sampling), and the matching of an event to the frame that caused
 * it (the latest frame of the same bed written before the event).
 */

/** Summary of one latency series, in milliseconds. */
export interface LatencySummary {
  readonly n: number;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly meanMs: number | null;
}

/** Nearest-rank percentile `p` (0-100) of ascending `sorted`; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summarises latencies given in nanoseconds. */
export function summarizeNs(latenciesNs: readonly number[]): LatencySummary {
  const ms = latenciesNs.map((ns) => ns / 1e6).sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  const mean = ms.length === 0 ? null : ms.reduce((s, v) => s + v, 0) / ms.length;
  return {
    n: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p90Ms: round(percentile(ms, 90)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(percentile(ms, 100)),
    meanMs: round(mean),
  };
}

/** The latest value of ascending `times` that is <= `t`, or null. */
export function latestAtOrBefore(times: readonly number[], t: number): number | null {
  let lo = 0;
  let hi = times.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) {
      found = times[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Alarm edges: bed, start (true) or end, and a time (ns) each. */
export interface TimedEdges {
  readonly bedIndex: readonly number[];
  readonly start: readonly boolean[];
  readonly atNs: readonly number[];
}

/**
 * Latencies (ns) from each edge back to the frame that caused it: the latest frame of its
 * bed and kind (a start comes from a low line, an end from a normal one) written at or
 * before it. Edges with no such frame within `maxAgeNs` are not matched: their frame was
 * written before recording began, or after it ended (then the latest frame of that kind
 * is two periods older).
 */
export function latenciesFromFrames(
  edges: TimedEdges,
  framesOf: (bed: number, start: boolean) => readonly number[],
  maxAgeNs: number,
): { latenciesNs: number[]; unmatched: number } {
  const latenciesNs: number[] = [];
  let unmatched = 0;
  for (let i = 0; i < edges.atNs.length; i++) {
    const at = edges.atNs[i]!;
    const frame = latestAtOrBefore(framesOf(edges.bedIndex[i]!, edges.start[i]!), at);
    if (frame === null || at - frame > maxAgeNs) unmatched += 1;
    else latenciesNs.push(at - frame);
  }
  return { latenciesNs, unmatched };
}

/** Whether [fromNs, toNs] overlaps any of `intervals` (each [start, end], ascending by start). */
export function overlapsAny(intervals: readonly (readonly [number, number])[], fromNs: number, toNs: number): boolean {
  for (const [start, end] of intervals) {
    if (start >= toNs) return false;
    if (end > fromNs) return true;
  }
  return false;
}
