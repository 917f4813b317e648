import type { InfStatusReply, InfVtbiReply, TimeRemaining } from './messages.js';
import { alarmConditions, interpretMode, type DerivedCondition, type PumpRunState } from './pump-codes.js';

/**
 * The pump's state as the read side last saw it, the device conditions it implies, and the
 * changes between consecutive status replies. Pure: no timers, no I/O; time comes in as `at`.
 */

/** What the station and the control module read about a pump. */
export interface AsenaPumpState {
  /** Serial from the latest INF reply, or null before the first one. */
  readonly serial: string | null;
  readonly run: PumpRunState;
  /** Raw INF mode code, or null before the first reply. */
  readonly modeCode: string | null;
  readonly rateMlPerHour: number | null;
  readonly volumeInfusedMl: number | null;
  readonly vtbiRemainingMl: number | null;
  readonly pressureMmHg: number | null;
  readonly timeRemaining: TimeRemaining | null;
  /** Codes of the device conditions active now (alarms, unknown mode, serial mismatch). */
  readonly activeConditions: readonly string[];
  /**
   * False before the first reply and while the pump is silent: the values are then the last
   * known ones, not the pump's current state. Never act on a state that is not fresh.
   */
  readonly fresh: boolean;
  /** Epoch ms of the reply this state reflects, or null. */
  readonly updatedAt: number | null;
}

/**
 * A rate or run-state change seen between two status replies of the same pump. The driver does
 * not know what Vigil commanded; the control module decides whether a change was commanded or
 * made at the pump's keypad.
 */
export type PumpLocalChange =
  | PumpChangeBase & { readonly kind: 'rate'; readonly before: number; readonly after: number }
  | PumpChangeBase & { readonly kind: 'run-state'; readonly before: PumpRunState; readonly after: PumpRunState };

interface PumpChangeBase {
  readonly serial: string;
  /** Epoch ms of the reply that showed the change. */
  readonly at: number;
  /** True when the change happened while Vigil could not hear the pump (silence in between). */
  readonly acrossGap: boolean;
}

/** One start or end of a device condition. */
export interface ConditionEdge extends DerivedCondition {
  readonly active: boolean;
}

export const INITIAL_PUMP_STATE: AsenaPumpState = {
  serial: null, run: 'unknown', modeCode: null, rateMlPerHour: null, volumeInfusedMl: null, vtbiRemainingMl: null,
  pressureMmHg: null, timeRemaining: null, activeConditions: [], fresh: false, updatedAt: null,
};

export const SERIAL_MISMATCH_CODE = 'PUMP_SERIAL_MISMATCH';

export class PumpStateTracker {
  private current: AsenaPumpState = INITIAL_PUMP_STATE;
  private readonly active = new Map<string, DerivedCondition>();
  private baseline: { serial: string; rateCentiMlPerHour: number; run: PumpRunState } | null = null;
  private gap = false;

  get state(): AsenaPumpState {
    return this.current;
  }

  /**
   * Applies a status reply. `expectedSerial` is the serial read with INST_SERIALNO on this link
   * (null if not known); a different serial in INF raises PUMP_SERIAL_MISMATCH.
   */
  applyStatus(
    reply: InfStatusReply,
    at: number,
    expectedSerial: string | null,
  ): { edges: ConditionEdge[]; changes: PumpLocalChange[] } {
    const mode = interpretMode(reply.modeCode);
    const wanted = new Map<string, DerivedCondition>();
    for (const c of alarmConditions(reply.alarmCodes)) wanted.set(c.code, c);
    if (mode.condition) wanted.set(mode.condition.code, mode.condition);
    if (expectedSerial !== null && expectedSerial !== reply.serial) {
      wanted.set(SERIAL_MISMATCH_CODE, {
        code: SERIAL_MISMATCH_CODE,
        label: `Pump reports serial ${reply.serial}, expected ${expectedSerial}`,
      });
    }
    const edges = this.setConditions(wanted);
    const changes = this.detectChanges(reply, mode.run, at);
    this.current = {
      serial: reply.serial, run: mode.run, modeCode: reply.modeCode, rateMlPerHour: reply.rateMlPerHour,
      volumeInfusedMl: reply.volumeInfusedMl, vtbiRemainingMl: this.current.vtbiRemainingMl,
      pressureMmHg: reply.pressureMmHg, timeRemaining: reply.timeRemaining,
      activeConditions: [...this.active.keys()], fresh: true, updatedAt: at,
    };
    return { edges, changes };
  }

  /** Applies an INF_VTBI reply (VTBI remaining in mL, null = none). */
  applyVtbi(reply: InfVtbiReply, at: number): void {
    this.current = { ...this.current, vtbiRemainingMl: reply.vtbiMl, updatedAt: at };
  }

  /** The link dropped: the values are no longer current (conditions stay until the silence rule ends them). */
  markStale(): void {
    this.current = { ...this.current, fresh: false };
  }

  /**
   * The pump went silent: ends every active condition (the gateway's communication-lost alarm
   * takes over) and marks the state not fresh. Changes across the gap are still reported later.
   */
  markSilent(): ConditionEdge[] {
    const edges = this.setConditions(new Map());
    this.gap = true;
    this.current = { ...this.current, activeConditions: [], fresh: false };
    return edges;
  }

  private setConditions(wanted: Map<string, DerivedCondition>): ConditionEdge[] {
    const edges: ConditionEdge[] = [];
    for (const [code, c] of this.active) {
      if (!wanted.has(code)) {
        this.active.delete(code);
        edges.push({ ...c, active: false });
      }
    }
    for (const [code, c] of wanted) {
      if (!this.active.has(code)) {
        this.active.set(code, c);
        edges.push({ ...c, active: true });
      }
    }
    return edges;
  }

  private detectChanges(reply: InfStatusReply, run: PumpRunState, at: number): PumpLocalChange[] {
    const rateCenti = Math.round(reply.rateMlPerHour * 100);
    const before = this.baseline;
    const acrossGap = this.gap;
    this.baseline = { serial: reply.serial, rateCentiMlPerHour: rateCenti, run };
    this.gap = false;
    if (!before || before.serial !== reply.serial) return [];
    const base = { serial: reply.serial, at, acrossGap };
    const changes: PumpLocalChange[] = [];
    if (before.rateCentiMlPerHour !== rateCenti) {
      changes.push({ ...base, kind: 'rate', before: before.rateCentiMlPerHour / 100, after: rateCenti / 100 });
    }
    if (before.run !== run) changes.push({ ...base, kind: 'run-state', before: before.run, after: run });
    return changes;
  }
}
