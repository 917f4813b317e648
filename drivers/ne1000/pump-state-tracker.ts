import type { Ne1000Prompt, Ne1000Status } from './messages.js';

/**
 * The NE-1000's state as the read side last saw it and the device conditions it implies.
 * Pure: no timers, no I/O; time comes in as `at`.
 *
 * Alarms are LATCHED (docs/protocols/ne1000.md, "Alarms"): the pump reports an alarm
 * (`A?` + letter) until it is acknowledged, and the manual says any valid command acknowledges
 * it, so Vigil's own next poll makes the pump report `S` (stopped) instead. Vigil therefore
 * keeps each alarm condition active until the pump reports a prompt other than `S`: the pump
 * left "stopped", which only happens at the device (Vigil never sends RUN). Vigil never writes
 * anything to end an alarm. Silence and link loss do not end a latched alarm either.
 */

export type Ne1000RunState =
  | 'infusing' | 'withdrawing' | 'stopped' | 'paused' | 'pause-phase' | 'user-wait' | 'purging' | 'alarm' | 'unknown';

const RUN_OF_PROMPT: Readonly<Record<Ne1000Prompt, Ne1000RunState>> = {
  I: 'infusing', W: 'withdrawing', S: 'stopped', P: 'paused', T: 'pause-phase', U: 'user-wait', X: 'purging',
};

/** A device condition: stable code and label. */
export interface Ne1000Condition {
  readonly code: string;
  readonly label: string;
}

/** One start or end of a condition. */
export interface Ne1000ConditionEdge extends Ne1000Condition {
  readonly active: boolean;
}

/** Alarm letters (`A?` + letter) and their conditions (device-protocols.md, NE-1000). */
export const NE1000_ALARM_CONDITIONS: Readonly<Record<string, Ne1000Condition>> = {
  R: { code: 'PUMP_RESET', label: 'Pump was reset (power interrupted); it is stopped' },
  S: { code: 'PUMP_STALLED', label: 'Pump motor stalled; pump stopped' },
  T: {
    code: 'PUMP_WATCHDOG_STOPPED',
    label: "Pump stopped by its safe-mode watchdog: no valid packet from Vigil in time (link failure); restart it at the pump",
  },
  E: { code: 'PUMP_PROGRAM_ERROR', label: 'Pumping program error; pump stopped' },
  O: { code: 'PUMP_PHASE_OUT_OF_RANGE', label: 'Pumping program phase out of range; pump stopped' },
};

/** A letter or text made safe for a condition code: A-Z, 0-9 and `_`, at most 8 characters. */
function sanitize(raw: string): string {
  const cleaned = raw.toUpperCase().replace(/[^A-Z0-9]/g, '_').slice(0, 8);
  return cleaned.length > 0 ? cleaned : 'EMPTY';
}

/** The condition of an alarm letter; an unknown letter is named, never guessed. */
export function alarmCondition(letter: string): Ne1000Condition {
  const known = Object.hasOwn(NE1000_ALARM_CONDITIONS, letter) ? NE1000_ALARM_CONDITIONS[letter] : undefined;
  return known ?? { code: `PUMP_ALARM_UNKNOWN_${sanitize(letter)}`, label: `Pump alarm with unrecognised code ${JSON.stringify(letter)}` };
}

/** The condition of a status this driver does not know. */
export function unknownStatusCondition(raw: string): Ne1000Condition {
  return { code: `PUMP_STATUS_UNKNOWN_${sanitize(raw)}`, label: `Pump reports an unrecognised status ${JSON.stringify(raw)}` };
}

/** What the station and tools read about an NE-1000. */
export interface Ne1000PumpState {
  readonly run: Ne1000RunState;
  /** Rate read with `RAT`, converted to mL/h. */
  readonly rateMlPerHour: number | null;
  /** Volume infused (DIS `I` part) since the pump's counter was last cleared, mL. */
  readonly volumeInfusedMl: number | null;
  readonly volumeWithdrawnMl: number | null;
  readonly syringeDiameterMm: number | null;
  /** Safe-mode watchdog read with `SAF`, seconds (0 = off), or null when not read. */
  readonly watchdogSeconds: number | null;
  /** From `VER`, e.g. `NE-1000` and `3.928`. */
  readonly model: string | null;
  readonly firmware: string | null;
  /** Codes of the conditions active now. */
  readonly activeConditions: readonly string[];
  /** False before the first reply, after link loss and while silent. Never act on a state that is not fresh. */
  readonly fresh: boolean;
  /** Epoch ms of the last reply applied, or null. */
  readonly updatedAt: number | null;
}

export const INITIAL_NE1000_STATE: Ne1000PumpState = {
  run: 'unknown', rateMlPerHour: null, volumeInfusedMl: null, volumeWithdrawnMl: null, syringeDiameterMm: null,
  watchdogSeconds: null, model: null, firmware: null, activeConditions: [], fresh: false, updatedAt: null,
};

export class Ne1000StateTracker {
  private current: Ne1000PumpState = INITIAL_NE1000_STATE;
  /** Latched alarm conditions. */
  private readonly alarms = new Map<string, Ne1000Condition>();
  /** The unknown-status condition while the pump reports it. */
  private unknownStatus: Ne1000Condition | null = null;

  get state(): Ne1000PumpState {
    return this.current;
  }

  /** Applies the status of a reply (solicited or the pump's automatic alarm packet). */
  applyStatus(status: Ne1000Status, at: number): Ne1000ConditionEdge[] {
    const edges: Ne1000ConditionEdge[] = [];
    let run: Ne1000RunState;
    let unknown: Ne1000Condition | null = null;
    if (status.kind === 'alarm') {
      run = 'alarm';
      const c = alarmCondition(status.alarm);
      if (!this.alarms.has(c.code)) {
        this.alarms.set(c.code, c);
        edges.push({ ...c, active: true });
      }
    } else if (status.kind === 'prompt') {
      run = RUN_OF_PROMPT[status.prompt];
      if (status.prompt !== 'S') {
        for (const c of this.alarms.values()) edges.push({ ...c, active: false });
        this.alarms.clear();
      }
    } else {
      run = 'unknown';
      unknown = unknownStatusCondition(status.raw);
    }
    if (this.unknownStatus && this.unknownStatus.code !== unknown?.code) edges.push({ ...this.unknownStatus, active: false });
    if (unknown && this.unknownStatus?.code !== unknown.code) edges.push({ ...unknown, active: true });
    this.unknownStatus = unknown;
    this.update({ run }, at);
    return edges;
  }

  applyRate(rateMlPerHour: number, at: number): void {
    this.update({ rateMlPerHour }, at);
  }

  applyDispensed(volumeInfusedMl: number, volumeWithdrawnMl: number, at: number): void {
    this.update({ volumeInfusedMl, volumeWithdrawnMl }, at);
  }

  applyDiameter(syringeDiameterMm: number, at: number): void {
    this.update({ syringeDiameterMm }, at);
  }

  applyWatchdog(watchdogSeconds: number, at: number): void {
    this.update({ watchdogSeconds }, at);
  }

  applyVersion(model: string, firmware: string, at: number): void {
    this.update({ model, firmware }, at);
  }

  /** The link dropped or the pump went silent: values are the last known ones. Conditions stay. */
  markNotFresh(): void {
    this.current = { ...this.current, fresh: false };
  }

  private update(changes: Partial<Ne1000PumpState>, at: number): void {
    const activeConditions = [...this.alarms.keys(), ...(this.unknownStatus ? [this.unknownStatus.code] : [])];
    this.current = { ...this.current, ...changes, activeConditions, fresh: true, updatedAt: at };
  }
}
