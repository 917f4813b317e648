import { METRICS, type MetricId } from '../../model/metrics.js';

/**
 * How metrics are named in alarm codes and messages, and the range of values a device
 * can physically report for each (outside it a value is invalid data, not a reading).
 */

const CODE_STEMS: Partial<Record<MetricId, string>> = {
  spo2: 'SPO2',
  'pulse-rate': 'PULSE_RATE',
  'heart-rate': 'HEART_RATE',
  'nibp-sys': 'NIBP_SYS',
  'nibp-dia': 'NIBP_DIA',
  'nibp-mean': 'NIBP_MEAN',
  'resp-rate': 'RESP_RATE',
  'temp-body': 'TEMP',
  etco2: 'ETCO2',
};

/** Alarm code stem of a metric, e.g. `spo2` -> `SPO2` (gives `SPO2_LOW`, `SPO2_STALE`...). */
export function metricCodeStem(metric: MetricId): string {
  return CODE_STEMS[metric] ?? metric.toUpperCase().replace(/-/g, '_');
}

/** The metric's label for messages, e.g. `SpO2`. */
export function metricLabel(metric: MetricId): string {
  return METRICS[metric].label;
}

/** The unit as a nurse reads it: `%`, `/min`, `mmHg`, `°C`. */
export function metricUnitLabel(metric: MetricId): string {
  const unit: string = METRICS[metric].unit;
  if (unit === 'Cel') return '°C';
  if (unit === 'mm[Hg]') return 'mmHg';
  if (unit === '1') return '';
  return unit;
}

/** `84 %`, `120 /min`, `36.5 °C`: a value with its unit, for messages. */
export function formatMetricValue(metric: MetricId, value: number | null): string {
  const unit = metricUnitLabel(metric);
  const shown = value === null ? '--' : String(Math.round(value * 100) / 100);
  return unit ? `${shown} ${unit}` : shown;
}

/**
 * Values a device can physically report, per metric (wider than any alarm limit: an SpO2
 * of 45 % is a real, terrible reading; 130 % is not a reading). A value outside is invalid
 * data: it raises the technical `<STEM>_INVALID` condition and reaches no other rule.
 */
export const PHYSICAL_RANGES: Readonly<Record<MetricId, readonly [number, number]>> = {
  spo2: [0, 100],
  'pulse-rate': [0, 400],
  'heart-rate': [0, 400],
  'perfusion-index': [0, 100],
  spco: [0, 100],
  spmet: [0, 100],
  pvi: [0, 100],
  'nibp-sys': [0, 400],
  'nibp-dia': [0, 400],
  'nibp-mean': [0, 400],
  'resp-rate': [0, 200],
  'temp-body': [10, 50],
  etco2: [0, 200],
  pleth: [-1e9, 1e9],
  'pump-rate': [0, 10_000],
  'volume-infused': [0, 1e6],
  'vtbi-remaining': [0, 1e6],
  'pump-pressure': [-2000, 10_000],
  'infusion-time-remaining': [0, 1e8],
};
