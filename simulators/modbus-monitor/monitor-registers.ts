import type { RegisterBank } from '../modbus/register-bank.js';

/**
 * Register layout of Vigil's reference Modbus monitor: the device's own definition, which
 * config/modbus-maps/reference-monitor.yaml describes (docs/protocols/reference-monitor.md).
 * Addresses are 0-based protocol addresses. Measurements are input registers (function 4),
 * settings holding registers (functions 3, 6, 16). 32-bit values: see each entry.
 */
export const MONITOR_INPUT = {
  /** uint16 technical status bits (MONITOR_STATUS_BIT). */
  status: 0,
  /** uint16 /min, ECG heart rate. */
  heartRate: 1,
  /** uint16 %, SpO2. */
  spo2: 2,
  /** uint16 /min, pulse rate from the oximeter. */
  pulseRate: 3,
  /** uint16 /min, respiration rate from the capnograph. */
  respRate: 4,
  /** int16, 0.01 Cel, body temperature. */
  temperature: 5,
  /** float32 mm[Hg], high word first (big word order), EtCO2. NaN = no value. */
  etco2: 6,
  /** int32 0.001 %, LOW word first (little word order), perfusion index. */
  perfusionIndex: 8,
  /** int16 mm[Hg] of the last NIBP measurement: systolic, diastolic, mean. */
  nibpSys: 16,
  nibpDia: 17,
  nibpMean: 18,
  /** uint32 Unix seconds (big word order) of the last NIBP measurement; 0 = none yet. */
  nibpMeasuredAt: 19,
  /** uint16 seconds to the next automatic NIBP measurement; 0xFFFF = manual mode. */
  nibpNextInSeconds: 21,
} as const;

/** Registers of the input table (0-21 used). */
export const MONITOR_INPUT_COUNT = 22;

export const MONITOR_HOLDING = {
  /** uint16 seconds between automatic NIBP measurements; 0 = manual only; else 60-43200. */
  nibpIntervalSeconds: 0,
  /** Write 1 to start an NIBP measurement now; reads 0. */
  nibpStart: 1,
} as const;

export const MONITOR_HOLDING_COUNT = 2;

/** Bits of the status register (input 0): technical conditions. */
export const MONITOR_STATUS_BIT = {
  spo2SensorOff: 0,
  ecgLeadsOff: 1,
  nibpCuffError: 2,
  co2LineOccluded: 3,
} as const;

/** "No value" sentinels, by type. */
export const MONITOR_SENTINEL = {
  uint16: 0xffff,
  int16: -0x8000,
  int32: -0x8000_0000,
} as const;

/** The readings the monitor shows, as raw numbers before encoding; null = no value. */
export interface MonitorReading {
  readonly statusBits: number;
  readonly heartRate: number | null;
  readonly spo2: number | null;
  readonly pulseRate: number | null;
  readonly respRate: number | null;
  readonly temperatureC: number | null;
  readonly etco2MmHg: number | null;
  readonly perfusionIndex: number | null;
}

/** The last NIBP measurement; null values = the measurement failed or none yet. */
export interface NibpReading {
  readonly sysMmHg: number | null;
  readonly diaMmHg: number | null;
  readonly meanMmHg: number | null;
  /** Unix seconds; 0 = never measured. */
  readonly measuredAtSeconds: number;
  /** Seconds to the next automatic measurement; null = manual mode. */
  readonly nextInSeconds: number | null;
}

const u16 = (v: number | null): number => (v === null ? MONITOR_SENTINEL.uint16 : clamp(Math.round(v), 0, 0xfffe));
const i16 = (v: number | null): number => (v === null ? MONITOR_SENTINEL.int16 : clamp(Math.round(v), -0x7fff, 0x7fff));

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}

/** Writes the fast measurements (input 0-9) in the device's encoding. */
export function writeMonitorReading(bank: RegisterBank, r: MonitorReading): void {
  const I = MONITOR_INPUT;
  bank.set('input', I.status, r.statusBits);
  bank.set('input', I.heartRate, u16(r.heartRate));
  bank.set('input', I.spo2, u16(r.spo2));
  bank.set('input', I.pulseRate, u16(r.pulseRate));
  bank.set('input', I.respRate, u16(r.respRate));
  bank.setValue('input', I.temperature, 'int16', 'big', i16(r.temperatureC === null ? null : r.temperatureC * 100));
  bank.setValue('input', I.etco2, 'float32', 'big', r.etco2MmHg === null ? Number.NaN : Math.round(r.etco2MmHg * 10) / 10);
  const pi = r.perfusionIndex === null ? MONITOR_SENTINEL.int32 : clamp(Math.round(r.perfusionIndex * 1000), 0, 0x7fff_ffff);
  bank.setValue('input', I.perfusionIndex, 'int32', 'little', pi);
}

/** Writes the last NIBP measurement (input 16-21). */
export function writeNibpReading(bank: RegisterBank, n: NibpReading): void {
  const I = MONITOR_INPUT;
  bank.setValue('input', I.nibpSys, 'int16', 'big', i16(n.sysMmHg));
  bank.setValue('input', I.nibpDia, 'int16', 'big', i16(n.diaMmHg));
  bank.setValue('input', I.nibpMean, 'int16', 'big', i16(n.meanMmHg));
  bank.setValue('input', I.nibpMeasuredAt, 'uint32', 'big', n.measuredAtSeconds);
  bank.set('input', I.nibpNextInSeconds, n.nextInSeconds === null ? 0xffff : clamp(Math.ceil(n.nextInSeconds), 0, 0xfffe));
}
