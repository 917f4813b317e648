/** Builders for station test data (not a test file). */
import type { Observation } from '../../src/model/observation.js';
import type { DeviceStatus } from '../../src/model/device-events.js';
import type { AlarmCondition, AlarmEvent, AlarmPhase } from '../../src/alarms/alarm.js';
import type { StationBed } from '../../src/station/station-state.js';
import type { WaveformChunk } from '../../src/model/waveform.js';

export const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

export const BEDS: StationBed[] = [
  { id: 'bed-1', label: 'Bed 1', session: 'iv-ketamine', devices: [{ id: 'ox-1', driver: 'masimo-ascii', transport: 'tcp://127.0.0.1:4001' }] },
  { id: 'bed-2', label: 'Bed 2', session: 'im-ketamine', devices: [{ id: 'ox-2', driver: 'nonin-binary', transport: 'serial:///dev/ttyUSB1' }] },
];

export function observation(overrides: Partial<Observation> = {}): Observation {
  return {
    bedId: 'bed-1', deviceId: 'ox-1', metric: 'spo2', code: 150456, value: 97, unit: '%',
    deviceTime: null, receivedAt: T0, flags: [], ...overrides,
  };
}

export function status(overrides: Partial<DeviceStatus> = {}): DeviceStatus {
  return {
    bedId: 'bed-1', deviceId: 'ox-1', driver: 'masimo-ascii', link: 'open', data: 'receiving',
    lastDataAt: T0, since: T0, lastError: null, counters: { messages: 10, rejected: 0 }, ...overrides,
  };
}

export function alarm(overrides: Partial<AlarmCondition> = {}): AlarmCondition {
  const base = { bedId: 'bed-1', deviceId: 'ox-1', code: 'SPO2_LOW', startedAt: T0, ...overrides };
  return {
    id: `${base.bedId}/${base.deviceId}/${base.code}/${base.startedAt}`,
    kind: 'physiological', priority: 'high', message: 'SpO2 84 % below 90 %',
    updatedAt: base.startedAt, endedAt: null, value: 84, limit: 90, ...base,
  };
}

export function alarmEvent(phase: AlarmPhase, condition: AlarmCondition): AlarmEvent {
  return { phase, alarm: phase === 'end' ? { ...condition, endedAt: condition.updatedAt + 1000 } : condition };
}

/** A pleth chunk of `count` samples (a smooth pulse shape) starting at sample `first`. */
export function plethChunk(first: number, overrides: Partial<WaveformChunk> = {}, count = 25): WaveformChunk {
  const samples = Array.from({ length: count }, (_, k) => Math.round(128 + 90 * Math.sin(((first + k) / 75) * 2 * Math.PI * 1.2)));
  return {
    bedId: 'bed-2', deviceId: 'ox-2', metric: 'pleth', code: 150452, sampleRateHz: 75, samples,
    range: { min: 0, max: 255 }, receivedAt: T0, firstSampleIndex: first, ...overrides,
  };
}
