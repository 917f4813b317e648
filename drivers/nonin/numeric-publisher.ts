import type { DevicePublisher } from '../../src/bus/gateway-bus.js';
import { METRICS, type MetricId } from '../../src/model/metrics.js';
import type { ObservationFlag } from '../../src/model/observation.js';
import type { NoninNumerics } from './packet-decoder.js';

/**
 * Turns packet numerics into SpO2 and pulse-rate observations (docs/protocols/nonin.md,
 * "Observations"). A packet comes every 1/3 s; a metric is published when its value or
 * flags changed, and otherwise at least once per `REPEAT_AFTER_MS`, so consumers see a
 * fresh `receivedAt` every second without three identical messages per second.
 * A missing value (127 / 511) is `null` with the flag `unavailable`, never 0.
 */

/** An unchanged value is published again after this long. */
export const REPEAT_AFTER_MS = 1000;

/** Which packet numeric each published metric comes from (the 4-beat averages). */
export const NUMERIC_METRICS: readonly { readonly field: 'spo2' | 'heartRate4Beat'; readonly metric: MetricId }[] = [
  { field: 'spo2', metric: 'spo2' },
  { field: 'heartRate4Beat', metric: 'pulse-rate' },
];

export class NumericPublisher {
  private last = new Map<MetricId, { key: string; at: number }>();

  constructor(private readonly ctx: { readonly bedId: string; readonly deviceId: string; readonly bus: Pick<DevicePublisher, 'publishObservation'> }) {}

  /** Publishes the packet's values that are due; `questionable` while a STATUS condition is active. */
  publish(numerics: NoninNumerics, receivedAt: number, questionable: boolean): void {
    for (const { field, metric } of NUMERIC_METRICS) {
      const value = numerics[field];
      if (value === undefined) continue;
      const flags: ObservationFlag[] = value === null ? ['unavailable'] : questionable ? ['questionable'] : [];
      const key = `${value}|${flags.join(',')}`;
      const previous = this.last.get(metric);
      if (previous !== undefined && previous.key === key && receivedAt - previous.at < REPEAT_AFTER_MS) continue;
      this.last.set(metric, { key, at: receivedAt });
      const definition = METRICS[metric];
      this.ctx.bus.publishObservation({
        bedId: this.ctx.bedId, deviceId: this.ctx.deviceId, metric, code: definition.code, value, unit: definition.unit,
        deviceTime: null, receivedAt, flags,
      });
    }
  }

  /** Forgets what was published (after silence the next values are published at once). */
  reset(): void {
    this.last = new Map();
  }
}
