import type { ConditionKind } from '../../src/model/device-events.js';
import { FRAMES_PER_SECOND, STATUS, perfusionQuality } from './nonin-frame.js';

/**
 * The conditions a Nonin STATUS byte signals (docs/protocols/nonin.md, "Conditions"), and
 * a tracker that turns per-frame bits into start and end edges. The bits are per frame
 * (75/s) and some are per pulse (perfusion is shown only during a pulse), so a condition
 * starts at the first frame that shows it and ends only after `CONDITION_HOLD_FRAMES`
 * valid frames in a row without it: no edge storm, and a slow pulse does not flap.
 */

export interface NoninCondition {
  /** Stable code: SENSOR_DISCONNECT, ARTIFACT, OUT_OF_TRACK, SENSOR_ALARM, LOW_PERFUSION. */
  readonly code: string;
  readonly label: string;
  readonly kind: ConditionKind;
  /** While active, SpO2 and pulse rate are flagged `questionable`. */
  readonly questionable: boolean;
  /** True for the frames whose STATUS shows the condition. */
  readonly test: (status: number) => boolean;
}

/** A condition ends after this many valid frames without it: 2 s (covers a pulse of 30 /min). */
export const CONDITION_HOLD_FRAMES = 2 * FRAMES_PER_SECOND;

const bit = (mask: number) => (status: number) => (status & mask) !== 0;

/** Every condition, in reporting order. All are technical: they are about the measurement. */
export const NONIN_CONDITIONS: readonly NoninCondition[] = [
  {
    code: 'SENSOR_DISCONNECT', label: 'Oximeter sensor disconnected or inoperable', kind: 'technical', questionable: true,
    test: bit(STATUS.SENSOR_DISCONNECT),
  },
  {
    code: 'SENSOR_ALARM', label: 'Oximeter sensor gives unusable data', kind: 'technical', questionable: true,
    test: bit(STATUS.SENSOR_ALARM),
  },
  {
    code: 'OUT_OF_TRACK', label: 'Oximeter out of track: no consecutive good pulse signals', kind: 'technical', questionable: true,
    test: bit(STATUS.OUT_OF_TRACK),
  },
  {
    code: 'ARTIFACT', label: 'Artifact: oximeter readings may be inaccurate', kind: 'technical', questionable: true,
    test: bit(STATUS.ARTIFACT),
  },
  {
    code: 'LOW_PERFUSION', label: 'Low perfusion (red): oximeter readings may be inaccurate', kind: 'technical', questionable: true,
    test: (status) => perfusionQuality(status) === 'red',
  },
];

/** Keeps the active conditions and the clean-frame count of each. */
export class StatusConditionTracker {
  /** Code -> valid frames in a row without the condition since it was last seen. */
  private active = new Map<string, { condition: NoninCondition; cleanFrames: number }>();

  constructor(private readonly holdFrames = CONDITION_HOLD_FRAMES) {}

  /** True while an active condition makes the values doubtful. */
  get questionable(): boolean {
    for (const { condition } of this.active.values()) if (condition.questionable) return true;
    return false;
  }

  get activeCodes(): readonly string[] {
    return [...this.active.keys()];
  }

  /** Takes the STATUS byte of one valid frame; returns the edges it causes. */
  update(status: number): { started: NoninCondition[]; ended: NoninCondition[] } {
    const started: NoninCondition[] = [];
    const ended: NoninCondition[] = [];
    for (const condition of NONIN_CONDITIONS) {
      const entry = this.active.get(condition.code);
      if (condition.test(status)) {
        if (entry) entry.cleanFrames = 0;
        else {
          this.active.set(condition.code, { condition, cleanFrames: 0 });
          started.push(condition);
        }
      } else if (entry) {
        entry.cleanFrames += 1;
        if (entry.cleanFrames >= this.holdFrames) {
          this.active.delete(condition.code);
          ended.push(condition);
        }
      }
    }
    return { started, ended };
  }

  /** Forgets everything (communication lost, driver stopped); returns what was active. */
  endAll(): NoninCondition[] {
    const ended = [...this.active.values()].map((e) => e.condition);
    this.active = new Map();
    return ended;
  }
}
