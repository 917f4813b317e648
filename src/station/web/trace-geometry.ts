/**
 * Where a sweeping trace is drawn, like on a bedside monitor: sample `i` always lands at
 * the same x (i modulo the window), so new samples overwrite the previous sweep left to
 * right, with a short erased band ahead of the write position. Missing or invalid
 * samples break the line (a gap is drawn as a gap, never bridged). Pure and DOM-free.
 */

/** Seconds across the trace: 25 mm/s on a 125 mm trace, the bedside monitor's standard sweep. */
export const VISIBLE_SECONDS = 5;
/** Width of the erased band ahead of the write position, seconds. */
export const ERASE_SECONDS = 0.2;

/** What the geometry needs of a trace (see WaveformTrace). */
export interface TraceSamples {
  readonly sampleRateHz: number;
  /** First sample index of this trace: nothing before it counts as a gap. */
  readonly firstIndex: number;
  sample(index: number): number | null;
}

/** Vertical scale: `lo` at the bottom edge, `hi` at the top. */
export interface TraceScale {
  readonly lo: number;
  readonly hi: number;
}

export interface SweepGeometry {
  /** Polylines, each flat `[x0, y0, x1, y1, ...]` in canvas pixels. */
  readonly paths: number[][];
  /** Samples drawn (present and valid) in the visible window. */
  readonly samplesDrawn: number;
  /** Runs of missing or invalid samples in the visible window. */
  readonly gaps: number;
  /** x of the write position (where the next sample goes). */
  readonly cursorX: number;
  /** Lowest and highest value in the visible window (null when none), for auto-scaling. */
  readonly extent: { min: number; max: number } | null;
}

const EMPTY: SweepGeometry = { paths: [], samplesDrawn: 0, gaps: 0, cursorX: 0, extent: null };

/** Samples across the visible window at a sample rate. */
export function windowSamples(sampleRateHz: number): number {
  return Math.max(2, Math.round(sampleRateHz * VISIBLE_SECONDS));
}

/**
 * The polylines of a trace whose newest shown sample is `floor(head)`, on a canvas of
 * `widthPx` x `heightPx`.
 */
export function sweepGeometry(trace: TraceSamples, head: number, widthPx: number, heightPx: number, scale: TraceScale): SweepGeometry {
  const end = Math.floor(head);
  if (!Number.isFinite(end) || end < 0 || widthPx <= 0 || heightPx <= 0) return EMPTY;
  const window = windowSamples(trace.sampleRateHz);
  const erase = Math.round(trace.sampleRateHz * ERASE_SECONDS);
  const start = Math.max(0, end - window + erase + 1);
  const span = scale.hi > scale.lo ? scale.hi - scale.lo : 1;
  const xOf = (index: number): number => ((index % window) / (window - 1)) * widthPx;
  const paths: number[][] = [];
  let current: number[] | null = null;
  let inGap = false;
  let gaps = 0;
  let drawn = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = start; i <= end; i++) {
    if (i % window === 0 && current) {
      paths.push(current);
      current = null;
    }
    const v = trace.sample(i);
    if (v === null) {
      if (current) paths.push(current);
      current = null;
      if (i >= trace.firstIndex && !inGap) gaps += 1;
      inGap = true;
      continue;
    }
    inGap = false;
    drawn += 1;
    if (v < min) min = v;
    if (v > max) max = v;
    const clamped = Math.min(scale.hi, Math.max(scale.lo, v));
    current ??= [];
    current.push(xOf(i), heightPx - ((clamped - scale.lo) / span) * heightPx);
  }
  if (current) paths.push(current);
  return { paths, samplesDrawn: drawn, gaps, cursorX: xOf(end + 1), extent: drawn > 0 ? { min, max } : null };
}

/**
 * The scale to draw with next: expands at once to show every sample, shrinks slowly
 * (over about a second) so the trace does not pump, never narrower than `minSpan`, with
 * a margin of 8 % above and below.
 */
export function nextScale(current: TraceScale | null, extent: { min: number; max: number } | null, minSpan: number, dtMs: number): TraceScale | null {
  if (!extent) return current;
  let lo = extent.min;
  let hi = extent.max;
  if (hi - lo < minSpan) {
    const mid = (hi + lo) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  if (!current) return { lo, hi };
  const k = Math.min(1, Math.max(0, dtMs) / 1000);
  return {
    lo: extent.min < current.lo ? lo : current.lo + (lo - current.lo) * k,
    hi: extent.max > current.hi ? hi : current.hi + (hi - current.hi) * k,
  };
}
