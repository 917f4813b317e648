import type { MetricId } from './metrics.js';

/**
 * Why a value is absent or should be read with care. An observation with any flag
 * other than `questionable` carries `value: null`.
 * - `unavailable`: the device said it has no value (e.g. Masimo `--`).
 * - `questionable`: a value is present, but the device reports a condition that
 *   makes it doubtful (low perfusion, interference, low signal IQ...).
 */
export type ObservationFlag = 'unavailable' | 'questionable';

/** One measured value of one metric from one device, as Vigil received it. */
export interface Observation {
  readonly bedId: string;
  readonly deviceId: string;
  readonly metric: MetricId;
  /** MDC term code of the metric (see metrics.ts). */
  readonly code: number;
  /** The value in `unit`; null when the device has no value. Never a stand-in 0. */
  readonly value: number | null;
  /** UCUM unit. */
  readonly unit: string;
  /** The device's own timestamp as epoch ms, when the protocol carries one. */
  readonly deviceTime: number | null;
  /** Gateway receive time, epoch ms with sub-millisecond resolution. */
  readonly receivedAt: number;
  readonly flags: readonly ObservationFlag[];
}
