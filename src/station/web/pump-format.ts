/**
 * How a pump panel words what the pump reports: rate, dose, volumes, time remaining,
 * run state, and whether the reading is live. Pure and DOM-free (unit-tested in Node).
 * A value the pump did not report is `--`, never 0.
 */
import type { ObservationDto, PumpViewDto } from './protocol-types.js';
import { NO_VALUE, formatAge, freshness } from './format.js';
import { formatDose, formatRate } from './order-flow.js';

/** Everything a pump panel shows, as text. */
export interface PumpPanelView {
  /** e.g. `Ketamine 10 mg/mL · 70 kg`. */
  drug: string;
  rate: string;
  dose: string;
  volumeInfused: string;
  vtbi: string;
  timeRemaining: string;
  state: string;
  stateTone: 'running' | 'stopped' | 'unknown';
  /** False when the link is down or the reading is old: the panel is greyed. */
  live: boolean;
  /** Why it is not live, '' when live. */
  liveNote: string;
}

/** `1 h 05 min`, `12 min`, `45 s`; null or negative -> `--`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return NO_VALUE;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

function volume(ml: number | null): string {
  return ml === null || !Number.isFinite(ml) ? NO_VALUE : `${ml.toFixed(2)} mL`;
}

function concentration(mgPerMl: number): string {
  return String(Number(mgPerMl.toFixed(3)));
}

/**
 * The panel of one pump at server time `serverNow`. `timeRemaining` is the pump's
 * `infusion-time-remaining` observation (seconds), if the driver reports one.
 */
export function pumpPanelView(pump: PumpViewDto, timeRemaining: ObservationDto | undefined, serverNow: number): PumpPanelView {
  const { reading, programme } = pump;
  const remainingFresh = freshness(timeRemaining, serverNow);
  const remaining = remainingFresh === 'fresh' || remainingFresh === 'stale' ? timeRemaining?.value ?? null : null;
  const age = reading.readAt === null ? null : formatAge(serverNow - reading.readAt);
  const liveNote = reading.fresh ? '' : age === null ? 'NOT LIVE · no reading yet' : `NOT LIVE · last reading ${age} ago`;
  const stateWords = { running: 'Running', stopped: 'Stopped', unknown: 'State unknown' } as const;
  return {
    drug: `${programme.drugName} ${concentration(programme.concentrationMgPerMl)} mg/mL · ${programme.patientWeightKg} kg`,
    rate: formatRate(reading.rateMlPerHour),
    dose: formatDose(pump.doseMgPerKgPerHour),
    volumeInfused: volume(reading.volumeInfusedMl),
    vtbi: volume(reading.vtbiRemainingMl),
    timeRemaining: formatDuration(remaining),
    state: stateWords[reading.runState] ?? reading.runState,
    stateTone: reading.runState,
    live: reading.fresh,
    liveNote,
  };
}
