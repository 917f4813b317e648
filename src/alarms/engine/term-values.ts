import type { MetricId } from '../../model/metrics.js';
import { formatMetricValue, metricLabel } from './metric-naming.js';
import type { MetricTerm } from './rule-schemas.js';

/**
 * The latest value of each metric a set of comparisons (`{ metric, above | below }`) reads,
 * and which comparisons hold. Fixed-size typed arrays: updating a value allocates nothing.
 */
export class TermValues {
  /** The distinct metrics, in first-seen order. */
  readonly metrics: readonly MetricId[];
  private readonly values: Float64Array;
  private readonly termMetric: Int32Array;
  private readonly threshold: Float64Array;
  private readonly isAbove: Uint8Array;

  constructor(readonly terms: readonly MetricTerm[]) {
    const metrics: MetricId[] = [];
    this.termMetric = new Int32Array(terms.length);
    this.threshold = new Float64Array(terms.length);
    this.isAbove = new Uint8Array(terms.length);
    terms.forEach((t, i) => {
      let m = metrics.indexOf(t.metric);
      if (m < 0) m = metrics.push(t.metric) - 1;
      this.termMetric[i] = m;
      this.isAbove[i] = t.above !== undefined ? 1 : 0;
      this.threshold[i] = t.above ?? t.below ?? NaN;
    });
    this.metrics = metrics;
    this.values = new Float64Array(metrics.length).fill(NaN);
  }

  /** Index of `metric` among `metrics`, or -1. */
  indexOf(metric: MetricId): number {
    const ms = this.metrics;
    for (let i = 0; i < ms.length; i++) if (ms[i] === metric) return i;
    return -1;
  }

  /** Sets the latest value of metric number `index` (NaN: unknown). */
  set(index: number, value: number): void {
    this.values[index] = value;
  }

  /** Forgets every value (a new reading starts). */
  clear(): void {
    this.values.fill(NaN);
  }

  /** True when no metric has a value. */
  empty(): boolean {
    for (let i = 0; i < this.values.length; i++) if (!Number.isNaN(this.values[i])) return false;
    return true;
  }

  /** Whether comparison `t` holds on the latest value (never on an unknown value). */
  holds(t: number): boolean {
    const v = this.values[this.termMetric[t] ?? 0] ?? NaN;
    if (Number.isNaN(v)) return false;
    const limit = this.threshold[t] ?? NaN;
    return this.isAbove[t] === 1 ? v > limit : v < limit;
  }

  /** `any`: one comparison holds; `all`: every one holds. */
  evaluate(mode: 'any' | 'all'): boolean {
    const n = this.terms.length;
    if (mode === 'any') {
      for (let t = 0; t < n; t++) if (this.holds(t)) return true;
      return false;
    }
    for (let t = 0; t < n; t++) if (!this.holds(t)) return false;
    return true;
  }

  /** The comparisons that hold, for a message: `NIBP sys 185 mmHg above 180 mmHg`. */
  describe(): string {
    const parts: string[] = [];
    this.terms.forEach((term, t) => {
      if (!this.holds(t)) return;
      const v = this.values[this.termMetric[t] ?? 0] ?? NaN;
      const limit = term.above ?? term.below ?? null;
      parts.push(`${metricLabel(term.metric)} ${formatMetricValue(term.metric, v)} ${term.above !== undefined ? 'above' : 'below'} ${formatMetricValue(term.metric, limit)}`);
    });
    return parts.join(', ');
  }

  /** The value of the first metric that has one, or null. */
  firstKnownValue(): number | null {
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i] ?? NaN;
      if (!Number.isNaN(v)) return v;
    }
    return null;
  }

  /** The first value of a comparison that holds (the signal's `value`), or null. */
  firstHoldingValue(): { value: number; limit: number } | null {
    for (let t = 0; t < this.terms.length; t++) {
      if (this.holds(t)) return { value: this.values[this.termMetric[t] ?? 0] ?? NaN, limit: this.threshold[t] ?? NaN };
    }
    return null;
  }
}
