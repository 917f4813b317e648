import type { MetricId } from '../../src/model/metrics.js';
import {
  parseDiameterBody, parseDispensedBody, parseRateBody, parseSafeTimeoutBody, parseVersionBody, type Ne1000Query,
} from './messages.js';
import type { Ne1000StateTracker } from './pump-state-tracker.js';

/**
 * What the data of one answered NE-1000 query means (docs/protocols/ne1000.md, "Polling"):
 * applies it to the state tracker and says what to publish. Pure apart from the tracker.
 */

/** The readings taken once per link (re-read after every reconnect). */
export type LinkReading = 'version' | 'watchdog' | 'diameter';

/** The query that takes each once-per-link reading. */
export const LINK_READING_OF: Readonly<Partial<Record<Ne1000Query, LinkReading>>> = { VER: 'version', SAF: 'watchdog', DIA: 'diameter' };

export interface ReplyData {
  readonly observations: ReadonlyArray<{ readonly metric: MetricId; readonly value: number }>;
  /** The safe-mode watchdog read with SAF, seconds, or null. */
  readonly watchdogSeconds: number | null;
}

const NOTHING: ReplyData = { observations: [], watchdogSeconds: null };

/** Applies the body of a reply that answers `query` (its shape was checked by replyAnswers). */
export function applyReplyData(query: Ne1000Query, body: string, tracker: Ne1000StateTracker, at: number): ReplyData {
  switch (query) {
    case 'VER': {
      const v = parseVersionBody(body);
      if (v.ok) tracker.applyVersion(v.value.model, v.value.firmware, at);
      return NOTHING;
    }
    case 'SAF': {
      const s = parseSafeTimeoutBody(body);
      if (!s.ok) return NOTHING;
      tracker.applyWatchdog(s.value, at);
      return { observations: [], watchdogSeconds: s.value };
    }
    case 'DIA': {
      const d = parseDiameterBody(body);
      if (d.ok) tracker.applyDiameter(d.value, at);
      return NOTHING;
    }
    case 'RAT': {
      const r = parseRateBody(body);
      if (!r.ok) return NOTHING;
      tracker.applyRate(r.value.rateMlPerHour, at);
      return { observations: [{ metric: 'pump-rate', value: r.value.rateMlPerHour }], watchdogSeconds: null };
    }
    case 'DIS': {
      const d = parseDispensedBody(body);
      if (!d.ok) return NOTHING;
      tracker.applyDispensed(d.value.infusedMl, d.value.withdrawnMl, at);
      return { observations: [{ metric: 'volume-infused', value: d.value.infusedMl }], watchdogSeconds: null };
    }
    case 'STATUS':
      return NOTHING;
  }
}
