import type { SimPumpAlarm, SimPumpSnapshot } from './pump-model.js';

/**
 * The simulator's own rendering of Asena GH reply bodies, written from docs/protocols/asena-gh.md
 * and independent of the driver's codec (so a test of one against the other means something).
 * Alarm and mode codes here are the documented ASSUMED values.
 */

export const SIM_ALARM_CODES: Readonly<Record<SimPumpAlarm, string>> = {
  occlusion: 'AL_OCCLU',
  'air-in-line': 'AL_AIRIL',
  'infusion-complete': 'AL_VTBIC',
  'near-end': 'AL_NEOIN',
  'door-open': 'AL_SYRDR',
  'low-battery': 'AL_LWBAT',
};

/** `hh:mm:ss`, `24+` beyond a day, empty when stopped. */
function timeRemaining(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds >= 24 * 3600) return '24+';
  const s = Math.ceil(seconds);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * INF reply body: `INF^serial^alarm^mode^rate^ml/h^^volume^ml^pressure^mmHg^time^EVENT^logId`.
 * Alarm `-` when none, else codes joined by `,`; mode `INF` running, `HLD` stopped.
 */
export function infReplyBody(s: SimPumpSnapshot): string {
  const alarm = s.alarms.length === 0 ? '-' : s.alarms.map((a) => SIM_ALARM_CODES[a]).join(',');
  return [
    'INF', s.serial, alarm, s.running ? 'INF' : 'HLD', s.rateMlPerHour.toFixed(2), 'ml/h', '',
    s.volumeInfusedMl.toFixed(3), 'ml', s.pressureMmHg.toFixed(2), 'mmHg', timeRemaining(s.timeRemainingSeconds),
    'EVENT', String(s.logEntryId),
  ].join('^');
}

/** INF_VTBI query reply body: `INF_VTBI^ACTIV^v.vvv^ml^STOP`, or `INF_VTBI^DEACT^^^` when no VTBI is set. */
export function vtbiReplyBody(vtbiRemainingMl: number | null): string {
  if (vtbiRemainingMl === null) return 'INF_VTBI^DEACT^^^';
  return `INF_VTBI^ACTIV^${Math.max(0, vtbiRemainingMl).toFixed(3)}^ml^STOP`;
}

export function serialReplyBody(serial: string): string {
  return `INST_SERIALNO^${serial}`;
}

/** Refusal body (ASSUMED format): `ERROR^<reason>`. */
export function errorReplyBody(reason: string): string {
  return `ERROR^${reason}`;
}
