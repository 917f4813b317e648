import type { GroupReading } from './group-decoder.js';

/**
 * The state of a Modbus pump (a map with a `pump` section) as the driver's polls last read it,
 * shaped like AsenaPumpState so that src/control/ maps both the same way, and the rate or
 * run-state changes between consecutive reads (docs/protocols/modbus.md, "Pumps"). The rate is
 * the map's pump-rate metric, running its pump.running bit. Pure: time comes in as `at`.
 */

export type ModbusPumpRunState = 'running' | 'stopped' | 'unknown';

export interface ModbusPumpState {
  /** A register map carries no serial number: always null (kept for the AsenaPumpState shape). */
  readonly serial: string | null;
  readonly run: ModbusPumpRunState;
  readonly rateMlPerHour: number | null;
  /** From a volume-infused metric, when the map has one. */
  readonly volumeInfusedMl: number | null;
  /** From a vtbi-remaining metric, when the map has one. */
  readonly vtbiRemainingMl: number | null;
  /** Codes of the status-bit conditions active now. */
  readonly activeConditions: readonly string[];
  /**
   * True once both the rate and the running bit were read on the current link and while the
   * pump answers; false before, after a link drop and while silent. Never act on a stale state.
   */
  readonly fresh: boolean;
  /**
   * Epoch ms of the older of the latest rate read and the latest running-bit read: the whole
   * state was read at or after this time (a read-back after a write shows updatedAt after it).
   */
  readonly updatedAt: number | null;
}

/** A rate or run-state change between two reads; the control module decides who made it. */
export type ModbusPumpLocalChange =
  | (ChangeBase & { readonly kind: 'rate'; readonly before: number; readonly after: number })
  | (ChangeBase & { readonly kind: 'run-state'; readonly before: 'running' | 'stopped'; readonly after: 'running' | 'stopped' });

interface ChangeBase {
  /** Epoch ms of the read that showed the change. */
  readonly at: number;
  /** True when the link dropped or the pump was silent between the two reads. */
  readonly acrossGap: boolean;
}

export const INITIAL_MODBUS_PUMP_STATE: ModbusPumpState = {
  serial: null, run: 'unknown', rateMlPerHour: null, volumeInfusedMl: null, vtbiRemainingMl: null,
  activeConditions: [], fresh: false, updatedAt: null,
};

export class ModbusPumpTracker {
  private current: ModbusPumpState = INITIAL_MODBUS_PUMP_STATE;
  private rateReadAt: number | null = null;
  private runReadAt: number | null = null;
  private baselineRateCenti: number | null = null;
  private baselineRun: 'running' | 'stopped' | null = null;
  private gap = false;

  get state(): ModbusPumpState {
    return this.current;
  }

  /** Applies one group's reading; returns the changes it shows (empty when the group holds no pump value). */
  apply(reading: GroupReading, at: number, activeConditions: readonly string[]): ModbusPumpLocalChange[] {
    const changes: ModbusPumpLocalChange[] = [];
    const next = { ...this.current, activeConditions: [...activeConditions] };
    let touched = false;
    for (const m of reading.metrics) {
      if (m.field.metric === 'pump-rate') {
        next.rateMlPerHour = m.value;
        this.rateReadAt = at;
        touched = true;
        if (m.value !== null) {
          const centi = Math.round(m.value * 100);
          if (this.baselineRateCenti !== null && this.baselineRateCenti !== centi) {
            changes.push({ kind: 'rate', before: this.baselineRateCenti / 100, after: centi / 100, at, acrossGap: this.gap });
          }
          this.baselineRateCenti = centi;
        }
      } else if (m.field.metric === 'volume-infused') {
        next.volumeInfusedMl = m.value;
        touched = true;
      } else if (m.field.metric === 'vtbi-remaining') {
        next.vtbiRemainingMl = m.value;
        touched = true;
      }
    }
    if (reading.running !== null) {
      const run = reading.running ? 'running' : 'stopped';
      next.run = run;
      this.runReadAt = at;
      touched = true;
      if (this.baselineRun !== null && this.baselineRun !== run) {
        changes.push({ kind: 'run-state', before: this.baselineRun, after: run, at, acrossGap: this.gap });
      }
      this.baselineRun = run;
    }
    if (!touched && sameCodes(next.activeConditions, this.current.activeConditions)) return [];
    if (this.rateReadAt !== null && this.runReadAt !== null) {
      next.fresh = true;
      next.updatedAt = Math.min(this.rateReadAt, this.runReadAt);
      this.gap = false;
    }
    this.current = next;
    return changes;
  }

  /**
   * The link dropped or the pump went silent: the values are the last known ones, not current.
   * `conditionsEnded`: the conditions ended too (silence), so none is listed as active.
   */
  markStale(conditionsEnded = false): void {
    this.rateReadAt = null;
    this.runReadAt = null;
    this.gap = true;
    this.current = { ...this.current, fresh: false, ...(conditionsEnded ? { activeConditions: [] } : {}) };
  }
}

function sameCodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
