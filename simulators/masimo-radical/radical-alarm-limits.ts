/**
 * The simulated Radical's own built-in alarm limits and the ALARM / EXC bits it sets
 * from them (device-protocols.md, Masimo section: ALARM and EXC bit lists).
 *
 * Simulator defaults (adult, close to common vendor defaults):
 * - SpO2 low: alarm while SpO2 < 90 %          -> ALARM 0x02 | 0x10
 * - SpO2 high: off (as on the real device's default), configurable -> 0x01 | 0x10
 * - Pulse high: alarm while pulse > 140 /min   -> ALARM 0x04 | 0x10
 * - Pulse low: alarm while pulse < 50 /min     -> ALARM 0x08 | 0x10
 * - Low perfusion: PI < 0.5 %                   -> EXC 0x04 (technical, no ALARM bit)
 * - Sensor off (device event)                   -> EXC 0x20, values unavailable, ALARM 0
 * Limits compare the values as displayed (SpO2 and pulse rounded to integers).
 */

/** ALARM bits (hex) of the Masimo ASCII output. */
export const RADICAL_ALARM_BITS = {
  spo2High: 0x1,
  spo2Low: 0x2,
  pulseHigh: 0x4,
  pulseLow: 0x8,
  alarmActive: 0x10,
  alarmSilenced: 0x20,
  lowBattery: 0x40,
} as const;

/** EXC bits (hex) of the Masimo ASCII output. */
export const RADICAL_EXC_BITS = {
  noSensor: 0x1,
  defectiveSensor: 0x2,
  lowPerfusion: 0x4,
  pulseSearch: 0x8,
  interference: 0x10,
  sensorOff: 0x20,
  ambientLight: 0x40,
  lowSignalIq: 0x400,
  noCable: 0x1000,
} as const;

/** The device's limits; `null` turns a limit off. */
export interface RadicalAlarmLimits {
  /** Alarm while SpO2 (%) is strictly below. */
  readonly spo2Low: number | null;
  /** Alarm while SpO2 (%) is strictly above. */
  readonly spo2High: number | null;
  /** Alarm while pulse rate (/min) is strictly above. */
  readonly pulseHighBpm: number | null;
  /** Alarm while pulse rate (/min) is strictly below. */
  readonly pulseLowBpm: number | null;
  /** EXC low perfusion while PI (%) is strictly below. */
  readonly lowPerfusionPi: number | null;
}

export const DEFAULT_RADICAL_LIMITS: RadicalAlarmLimits = {
  spo2Low: 90,
  spo2High: null,
  pulseHighBpm: 140,
  pulseLowBpm: 50,
  lowPerfusionPi: 0.5,
};

const below = (v: number | null, limit: number | null): boolean => v !== null && limit !== null && v < limit;
const above = (v: number | null, limit: number | null): boolean => v !== null && limit !== null && v > limit;

/** ALARM bits for the displayed values; 0x10 (alarm active) accompanies any limit bit. */
export function radicalAlarmBits(
  values: { spo2: number | null; pulseRate: number | null },
  limits: RadicalAlarmLimits = DEFAULT_RADICAL_LIMITS,
): number {
  let bits = 0;
  if (above(values.spo2, limits.spo2High)) bits |= RADICAL_ALARM_BITS.spo2High;
  if (below(values.spo2, limits.spo2Low)) bits |= RADICAL_ALARM_BITS.spo2Low;
  if (above(values.pulseRate, limits.pulseHighBpm)) bits |= RADICAL_ALARM_BITS.pulseHigh;
  if (below(values.pulseRate, limits.pulseLowBpm)) bits |= RADICAL_ALARM_BITS.pulseLow;
  return bits === 0 ? 0 : bits | RADICAL_ALARM_BITS.alarmActive;
}

/** EXC bits that follow from the measured values (low perfusion). */
export function radicalExceptionBits(
  values: { perfusionIndex: number | null },
  limits: RadicalAlarmLimits = DEFAULT_RADICAL_LIMITS,
): number {
  return below(values.perfusionIndex, limits.lowPerfusionPi) ? RADICAL_EXC_BITS.lowPerfusion : 0;
}
