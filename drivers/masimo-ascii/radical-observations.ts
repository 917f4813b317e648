import { METRICS, type MetricId } from '../../src/model/metrics.js';
import type { Observation, ObservationFlag } from '../../src/model/observation.js';
import type { RadicalNumericKey } from './radical-fields.js';
import type { RadicalRecord } from './radical-line-parser.js';

/**
 * Which line fields become observations (docs/protocols/masimo-ascii.md, "Fields").
 * DESAT and PIDELTA have no metric in Vigil and are not published.
 */
export const FIELD_METRICS: Readonly<Partial<Record<RadicalNumericKey, MetricId>>> = {
  SPO2: 'spo2',
  BPM: 'pulse-rate',
  PI: 'perfusion-index',
  SPCO: 'spco',
  SPMET: 'spmet',
  PVI: 'pvi',
};

/** Where and when a line was received, and whether its values are doubtful. */
export interface ObservationContext {
  readonly bedId: string;
  readonly deviceId: string;
  /** Gateway time when the line's last byte arrived, epoch ms. */
  readonly receivedAt: number;
  /** The line's own timestamp as epoch ms, or null. */
  readonly deviceTime: number | null;
  /** An active EXC condition makes the values doubtful. */
  readonly questionable: boolean;
}

/**
 * One observation per metric field the line carries. An unavailable value (`--`) gives
 * `value: null` with the flag `unavailable`, never 0; a present value while an EXC
 * condition is active is flagged `questionable`.
 */
export function observationsFromRecord(record: RadicalRecord, ctx: ObservationContext): Observation[] {
  const out: Observation[] = [];
  for (const [key, metric] of Object.entries(FIELD_METRICS) as [RadicalNumericKey, MetricId][]) {
    const value = record.values[key];
    if (value === undefined) continue;
    const definition = METRICS[metric];
    const flags: ObservationFlag[] = value === null ? ['unavailable'] : ctx.questionable ? ['questionable'] : [];
    out.push({
      bedId: ctx.bedId,
      deviceId: ctx.deviceId,
      metric,
      code: definition.code,
      value,
      unit: definition.unit,
      deviceTime: ctx.deviceTime,
      receivedAt: ctx.receivedAt,
      flags,
    });
  }
  return out;
}
