import type { ConditionKind } from '../../src/model/device-events.js';
import type { StatusBit } from './register-map.js';

/**
 * The conditions a Modbus device signals now: its map's status bits (several bits may share a
 * code: the condition is active while any of them is set) and MODBUS_ERRORS, the driver's own
 * technical condition for repeated failed reads (docs/protocols/modbus.md, "Errors"). Turns
 * new readings into start and end edges. Pure: no timers, no I/O.
 */

/** A condition starting (`active: true`) or ending. */
export interface ConditionEdge {
  readonly code: string;
  readonly label: string;
  readonly kind: ConditionKind;
  readonly active: boolean;
}

export const MODBUS_ERRORS_CODE = 'MODBUS_ERRORS';

const bitKey = (b: StatusBit) => `${b.group}/${b.register}/${b.bit}`;

export class ConditionState {
  private readonly bitsSet = new Map<string, StatusBit>();
  private readonly active = new Map<string, { label: string; kind: ConditionKind }>();
  private errors: string | null = null;

  /** Codes of the status-bit conditions active now (not MODBUS_ERRORS), in the order they started. */
  get deviceCodes(): string[] {
    return [...this.active.keys()];
  }

  /** True while MODBUS_ERRORS is active. */
  get errorsActive(): boolean {
    return this.errors !== null;
  }

  /** Applies the bits of one poll group's reading. */
  applyBits(bits: readonly { readonly bit: StatusBit; readonly set: boolean }[]): ConditionEdge[] {
    for (const { bit, set } of bits) {
      if (set) this.bitsSet.set(bitKey(bit), bit);
      else this.bitsSet.delete(bitKey(bit));
    }
    const wanted = new Map<string, { label: string; kind: ConditionKind }>();
    for (const b of this.bitsSet.values()) if (!wanted.has(b.code)) wanted.set(b.code, { label: b.label, kind: b.kind });
    const edges: ConditionEdge[] = [];
    for (const [code, c] of this.active) {
      if (!wanted.has(code)) {
        this.active.delete(code);
        edges.push({ code, ...c, active: false });
      }
    }
    for (const [code, c] of wanted) {
      if (!this.active.has(code)) {
        this.active.set(code, c);
        edges.push({ code, ...c, active: true });
      }
    }
    return edges;
  }

  /** Starts MODBUS_ERRORS with `label` (null: ends it). Returns the edge, if any. */
  setErrors(label: string | null): ConditionEdge[] {
    if ((label === null) === (this.errors === null)) return [];
    const edge: ConditionEdge = { code: MODBUS_ERRORS_CODE, label: label ?? (this.errors as string), kind: 'technical', active: label !== null };
    this.errors = label;
    return [edge];
  }

  /** Ends everything (communication lost: the gateway's own alarm takes over). */
  endAll(): ConditionEdge[] {
    const edges = [...this.active].map(([code, c]): ConditionEdge => ({ code, ...c, active: false }));
    edges.push(...this.setErrors(null));
    this.active.clear();
    this.bitsSet.clear();
    return edges;
  }
}
