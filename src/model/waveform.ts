import type { MetricId } from './metrics.js';

/**
 * A run of consecutive samples of one waveform (e.g. the pleth of a Nonin oximeter at
 * 75 samples/s). Drivers publish chunks of a few samples (e.g. one 25-frame packet, 1/3 s)
 * rather than one message per sample.
 */
export interface WaveformChunk {
  readonly bedId: string;
  readonly deviceId: string;
  /** A waveform metric, e.g. `pleth`. */
  readonly metric: MetricId;
  /** MDC term code of the waveform. */
  readonly code: number;
  /** Samples per second. */
  readonly sampleRateHz: number;
  /** Sample values in device units (`null` for a sample marked invalid, e.g. sensor off). */
  readonly samples: readonly (number | null)[];
  /** The range the device's values can take, for scaling a trace. */
  readonly range: { readonly min: number; readonly max: number };
  /** Gateway receive time of the last sample, epoch ms. */
  readonly receivedAt: number;
  /** Sample counter of the first sample since the driver started; a gap means samples were lost. */
  readonly firstSampleIndex: number;
}
