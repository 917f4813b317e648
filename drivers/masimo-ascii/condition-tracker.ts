import {
  UNEXPLAINED_DEVICE_ALARM,
  alarmSystemState,
  decodeAlarmBits,
  decodeExceptionBits,
  type DeviceAlarmSystemState,
  type RadicalCondition,
} from './radical-conditions.js';

/**
 * Keeps the set of conditions a Masimo oximeter currently signals and turns each new
 * line's ALARM/EXC bits into start and end edges (docs/protocols/masimo-ascii.md,
 * "Conditions"). A field that is absent or unavailable on a line leaves the conditions
 * it last reported unchanged (they are neither started nor ended by a missing value).
 */
export class ConditionTracker {
  private active = new Map<string, RadicalCondition>();
  private alarmBits: number | null = null;
  private exceptionBits: number | null = null;

  /** The oximeter's own alarm-system state, or null when no ALARM value is known. */
  get alarmSystem(): DeviceAlarmSystemState | null {
    return this.alarmBits === null ? null : alarmSystemState(this.alarmBits);
  }

  /** True while an active condition makes values doubtful (low perfusion, interference...). */
  get questionable(): boolean {
    for (const c of this.active.values()) if (c.questionable) return true;
    return false;
  }

  /** Active conditions, in the order they started. */
  get activeConditions(): readonly RadicalCondition[] {
    return [...this.active.values()];
  }

  /**
   * Takes a line's bits (null or undefined: not on the line, or unavailable: keep the last).
   * Returns the conditions that started and ended with this line.
   */
  update(alarmBits: number | null | undefined, exceptionBits: number | null | undefined): {
    started: RadicalCondition[];
    ended: RadicalCondition[];
  } {
    if (alarmBits !== null && alarmBits !== undefined) this.alarmBits = alarmBits;
    if (exceptionBits !== null && exceptionBits !== undefined) this.exceptionBits = exceptionBits;
    const next = [
      ...(this.alarmBits === null ? [] : decodeAlarmBits(this.alarmBits)),
      ...(this.exceptionBits === null ? [] : decodeExceptionBits(this.exceptionBits)),
    ];
    if (next.length === 0 && this.alarmSystem?.alarming === true) next.push(UNEXPLAINED_DEVICE_ALARM);

    const nextCodes = new Set(next.map((c) => c.code));
    const ended = [...this.active.values()].filter((c) => !nextCodes.has(c.code));
    const started = next.filter((c) => !this.active.has(c.code));
    for (const c of ended) this.active.delete(c.code);
    for (const c of started) this.active.set(c.code, c);
    return { started, ended };
  }

  /** Forgets everything (communication lost); returns the conditions that were active. */
  endAll(): RadicalCondition[] {
    const ended = [...this.active.values()];
    this.active = new Map();
    this.alarmBits = null;
    this.exceptionBits = null;
    return ended;
  }
}
