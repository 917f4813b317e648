/**
 * How the nurse station words and grades what it shows: values, units, ages, staleness,
 * device states. Pure and DOM-free (unit-tested in Node).
 */
import type { AlarmPriorityDto, DeviceStatusDto, ObservationDto, SessionKind } from './protocol-types.js';

/** A value older than this is greyed as stale. */
export const STALE_AFTER_MS = 5_000;
/** A value older than this is no longer shown at all: `--` with its age. */
export const EXPIRED_AFTER_MS = 60_000;

/** What the display shows for "no value". Never 0. */
export const NO_VALUE = '--';

export type Freshness = 'fresh' | 'stale' | 'expired' | 'none';

/** How one metric of a bed is displayed. */
export interface MetricView {
  text: string;
  unit: string;
  freshness: Freshness;
  questionable: boolean;
  /** e.g. `12 s old`, or '' when fresh. */
  note: string;
}

const DECIMALS: Record<string, number> = {
  spo2: 0,
  'pulse-rate': 0,
  'heart-rate': 0,
  'resp-rate': 0,
  'nibp-sys': 0,
  'nibp-dia': 0,
  'nibp-mean': 0,
  'perfusion-index': 2,
  'temp-body': 1,
  etco2: 0,
  'pump-rate': 1,
};

const UNITS: Record<string, string> = { Cel: '°C', 'mm[Hg]': 'mmHg' };

/** A UCUM unit as a nurse reads it (`Cel` -> `°C`, `mm[Hg]` -> `mmHg`). */
export function displayUnit(ucum: string): string {
  return UNITS[ucum] ?? ucum;
}

/** A number with the metric's usual precision; null or non-finite -> `--`. */
export function formatValue(metric: string, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE;
  return value.toFixed(DECIMALS[metric] ?? 1);
}

/** A short age: `4 s`, `3 min`, `2 h`. Negative ages (clock skew) count as 0. */
export function formatAge(ageMs: number): string {
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h`;
}

/** Fresh, stale (greyed) or expired (no longer shown), by age against the server clock. */
export function freshness(observation: ObservationDto | undefined, serverNow: number): Freshness {
  if (!observation) return 'none';
  const age = serverNow - observation.receivedAt;
  if (age > EXPIRED_AFTER_MS) return 'expired';
  if (age > STALE_AFTER_MS) return 'stale';
  return 'fresh';
}

/** The display of one metric from its latest observation (or none). */
export function metricView(metric: string, unit: string, observation: ObservationDto | undefined, serverNow: number): MetricView {
  const state = freshness(observation, serverNow);
  if (!observation || state === 'none') return { text: NO_VALUE, unit: displayUnit(unit), freshness: 'none', questionable: false, note: 'no value yet' };
  const age = formatAge(serverNow - observation.receivedAt);
  const shownUnit = displayUnit(observation.unit || unit);
  if (state === 'expired') return { text: NO_VALUE, unit: shownUnit, freshness: state, questionable: false, note: `no value for ${age}` };
  return {
    text: formatValue(metric, observation.value),
    unit: shownUnit,
    freshness: state,
    questionable: observation.flags.includes('questionable'),
    note: state === 'stale' ? `${age} old` : observation.value === null ? 'no value' : '',
  };
}

export type DeviceTone = 'ok' | 'wait' | 'lost';

/** A device's connection state in words, with a tone for its colour. */
export interface DeviceStateView {
  label: string;
  tone: DeviceTone;
  /** Last error or last-data age, '' when nothing to add. */
  detail: string;
}

/** Grades a device status: receiving, connecting/waiting, or communication lost. */
export function deviceStateView(status: DeviceStatusDto | null, serverNow: number): DeviceStateView {
  if (!status) return { label: 'Connecting', tone: 'wait', detail: 'no status yet' };
  const lastData = status.lastDataAt === null ? 'no data yet' : `last data ${formatAge(serverNow - status.lastDataAt)} ago`;
  const withError = (text: string): string => (status.lastError ? `${status.lastError} · ${text}` : text);
  if (status.data === 'silent') return { label: 'Communication lost', tone: 'lost', detail: withError(lastData) };
  if (status.link !== 'open') {
    if (status.lastDataAt !== null) return { label: 'Communication lost', tone: 'lost', detail: withError(lastData) };
    return { label: 'Connecting', tone: 'wait', detail: withError('no data yet') };
  }
  if (status.data === 'awaiting') return { label: 'Waiting for data', tone: 'wait', detail: withError('link open') };
  return { label: 'Receiving', tone: 'ok', detail: bedsideAlarm(status) };
}

/** What the device's own alarm system is doing at the bedside, '' when unknown or quiet. */
function bedsideAlarm(status: DeviceStatusDto): string {
  const parts: string[] = [];
  if (status.deviceAlarm?.alarming) parts.push('device alarming at bedside');
  if (status.deviceAlarm?.silenced) parts.push('audio paused at bedside');
  return parts.join(' · ');
}

const SESSION_LABELS: Record<SessionKind, string> = {
  'iv-ketamine': 'IV ketamine',
  'im-ketamine': 'IM ketamine',
  other: 'Other',
};

export function sessionLabel(kind: SessionKind): string {
  return SESSION_LABELS[kind] ?? kind;
}

/** IEC 60601-1-8 style priority marker: `!!!` high, `!!` medium, `!` low. */
export function priorityMarker(priority: AlarmPriorityDto): string {
  return priority === 'high' ? '!!!' : priority === 'medium' ? '!!' : '!';
}

/** Wall-clock time `HH:MM:SS` of an epoch ms in the browser's time zone. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
