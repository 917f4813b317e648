import { decodeValue, rawValue } from './register-codec.js';
import type { MetricField, PollGroup, RegisterMap, StatusBit } from './register-map.js';

/**
 * What one poll group's registers say, by the map (docs/guides/add-modbus-device.md): the
 * value of each metric field in the group, the state of each status bit, and for a pump the
 * running bit. Pure: the driver turns this into observations, condition edges and pump state.
 */

export interface MetricReading {
  readonly field: MetricField;
  /** The engineering value in the metric's unit, or null (sentinel, NaN). */
  readonly value: number | null;
  /**
   * The device's own time of the value (measuredAtRegister, Unix seconds) as epoch ms; null
   * when the field has none, or when the device reports 0 (never measured).
   */
  readonly measuredAtMs: number | null;
}

export interface GroupReading {
  readonly group: PollGroup;
  readonly metrics: readonly MetricReading[];
  readonly bits: readonly { readonly bit: StatusBit; readonly set: boolean }[];
  /** The pump's running bit, when it is in this group. */
  readonly running: boolean | null;
}

function bitOf(block: readonly number[], start: number, register: number, bit: number): boolean {
  return (((block[register - start] ?? 0) >> bit) & 1) === 1;
}

/** Decodes a group's block (registers from group.start). The map guarantees every field fits the group. */
export function decodeGroup(map: RegisterMap, group: PollGroup, block: readonly number[]): GroupReading {
  const metrics = map.metrics
    .filter((f) => f.group === group.id)
    .map((field): MetricReading => {
      const decoded = decodeValue(block, group.start, field, field.invalid);
      let measuredAtMs: number | null = null;
      if (field.measuredAtRegister !== undefined) {
        const i = field.measuredAtRegister - group.start;
        const seconds = rawValue(block.slice(i, i + 2), 'uint32', 'big');
        measuredAtMs = seconds > 0 ? seconds * 1000 : null;
      }
      return { field, value: decoded.ok ? decoded.value : null, measuredAtMs };
    });
  const bits = map.statusBits
    .filter((b) => b.group === group.id)
    .map((bit) => ({ bit, set: bitOf(block, group.start, bit.register, bit.bit) }));
  const r = map.pump?.running;
  const running = r && r.group === group.id ? bitOf(block, group.start, r.register, r.bit) : null;
  return { group, metrics, bits, running };
}
