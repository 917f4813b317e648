/**
 * Which device's value a tile shows when several devices of a bed send the same metric,
 * and how NIBP is shown: `sys/dia (mean)` with the age of the cuff measurement, graded by
 * that age rather than by when the value was last received. Pure and DOM-free.
 */
import type { BedSnapshot, ObservationDto } from './protocol-types.js';
import { NO_VALUE, formatAge, formatValue, freshness, metricView, type Freshness, type MetricView } from './format.js';

/**
 * NIBP older than this is greyed: more than a 5-10 min cuff cycle (and a late or failed
 * cycle) explains. The page does not know the configured cycle; 15 min is the bound.
 */
export const NIBP_STALE_AFTER_MS = 15 * 60_000;
/** NIBP older than this is no longer shown as a number. */
export const NIBP_EXPIRED_AFTER_MS = 60 * 60_000;

const RANK: Record<Freshness, number> = { fresh: 0, stale: 1, expired: 2, none: 3 };

/**
 * The observations of one metric in a bed, the one to show first: the best graded
 * (fresh, then stale, then expired), and among equals the device configured first in
 * the bed. So a bed's first-configured device is its primary source, and another device
 * takes over only while the primary has no live value.
 */
export function sourcesOf(bed: BedSnapshot, metric: string, grade: (o: ObservationDto) => Freshness): ObservationDto[] {
  const order = new Map(bed.devices.map((d, i) => [d.id, i]));
  const position = (id: string): number => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return bed.observations
    .filter((o) => o.metric === metric)
    .map((o) => ({ o, rank: RANK[grade(o)] }))
    .sort((a, b) => a.rank - b.rank || position(a.o.deviceId) - position(b.o.deviceId) || (a.o.deviceId < b.o.deviceId ? -1 : 1))
    .map((x) => x.o);
}

/**
 * A metric from its preferred source. When more than one device sends it, the note
 * names the source and the other devices' live values (`from ox-2 · mon-2: 96`), so a
 * disagreement between devices is visible.
 */
export function sourcedMetricView(bed: BedSnapshot, metric: string, unit: string, serverNow: number): MetricView {
  const sources = sourcesOf(bed, metric, (o) => freshness(o, serverNow));
  const primary = sources[0];
  const view = metricView(metric, unit, primary, serverNow);
  if (!primary || sources.length < 2) return view;
  const others = sources
    .slice(1)
    .filter((o) => freshness(o, serverNow) !== 'expired')
    .map((o) => `${o.deviceId}: ${formatValue(metric, o.value)}`);
  if (others.length === 0) return view;
  return { ...view, note: [view.note, `from ${primary.deviceId}`, ...others].filter((s) => s !== '').join(' · ') };
}

/** When a value was measured: the device's time, but never later than its receipt (a device clock ahead). */
export function measuredAt(o: ObservationDto): number {
  return o.deviceTime !== null && Number.isFinite(o.deviceTime) ? Math.min(o.deviceTime, o.receivedAt) : o.receivedAt;
}

/** `just now`, `45 s ago`, `3 min ago`, `2 h ago`. */
export function formatAgo(ageMs: number): string {
  return ageMs < 10_000 ? 'just now' : `${formatAge(ageMs)} ago`;
}

function nibpGrade(ageMs: number): Freshness {
  return ageMs > NIBP_EXPIRED_AFTER_MS ? 'expired' : ageMs > NIBP_STALE_AFTER_MS ? 'stale' : 'fresh';
}

/** How a bed's last NIBP measurement is shown. */
export interface NibpView {
  /** `118/76`, `--/76`, or `--`. */
  text: string;
  /** `(90)`, or '' when the device sends no mean. */
  mean: string;
  freshness: Freshness;
  questionable: boolean;
  /** The measurement's age (`3 min ago`), or why there is none. */
  note: string;
  deviceId: string | null;
}

/** The last NIBP of a bed from its preferred device, graded by the age of the cuff measurement. */
export function nibpView(bed: BedSnapshot, serverNow: number): NibpView {
  const sys = sourcesOf(bed, 'nibp-sys', (o) => nibpGrade(serverNow - measuredAt(o)))[0];
  if (!sys) return { text: NO_VALUE, mean: '', freshness: 'none', questionable: false, note: 'no measurement yet', deviceId: null };
  const part = (metric: string): ObservationDto | undefined =>
    bed.observations.find((o) => o.deviceId === sys.deviceId && o.metric === metric);
  const parts = [sys, part('nibp-dia'), part('nibp-mean')];
  const [, dia, mean] = parts;
  const present = parts.filter((o): o is ObservationDto => o !== undefined);
  const ageMs = serverNow - Math.min(...present.map(measuredAt));
  const grade = nibpGrade(ageMs);
  const base = { deviceId: sys.deviceId, questionable: present.some((o) => o.flags.includes('questionable')) };
  if (grade === 'expired') return { ...base, text: NO_VALUE, mean: '', freshness: grade, note: `no NIBP for ${formatAge(ageMs)}` };
  if (sys.value === null && (dia?.value ?? null) === null) {
    return { ...base, text: NO_VALUE, mean: '', freshness: grade, note: `no value · ${formatAgo(ageMs)}` };
  }
  return {
    ...base,
    text: `${formatValue('nibp-sys', sys.value)}/${formatValue('nibp-dia', dia?.value ?? null)}`,
    mean: mean ? `(${formatValue('nibp-mean', mean.value)})` : '',
    freshness: grade,
    note: formatAgo(ageMs),
  };
}
