import type { ConditionKind } from '../../src/model/device-events.js';

/**
 * Meaning of the ALARM and EXC bit fields of Masimo "ASCII 1" lines
 * (device-protocols.md, Masimo section; table in docs/protocols/masimo-ascii.md).
 * Bits 0x10 (alarm active) and 0x20 (alarm silenced) of ALARM are not conditions but
 * the state of the device's own alarm system; they are returned apart.
 */

/** One condition a set bit stands for. */
export interface RadicalCondition {
  /** Stable code, e.g. `SPO2_LOW`, `SENSOR_OFF`, `MASIMO_EXC_BIT_0x800`. */
  readonly code: string;
  /** What a nurse reads. */
  readonly label: string;
  readonly kind: ConditionKind;
  /** The field and bit it comes from. */
  readonly source: 'ALARM' | 'EXC';
  readonly bit: number;
  /** While active, values on the same line are marked `questionable`. */
  readonly questionable: boolean;
}

/** State of the oximeter's own alarm system, from ALARM bits 0x10 and 0x20. */
export interface DeviceAlarmSystemState {
  /** 0x10: the oximeter is generating an alarm signal at the bedside. */
  readonly alarming: boolean;
  /** 0x20: its audible alarm is silenced (audio paused) at the bedside. */
  readonly silenced: boolean;
}

export const ALARM_ACTIVE_BIT = 0x10;
export const ALARM_SILENCED_BIT = 0x20;

type Def = Omit<RadicalCondition, 'source' | 'bit'>;

const physio = (code: string, label: string): Def => ({ code, label, kind: 'physiological', questionable: false });
const technical = (code: string, label: string, questionable: boolean): Def => ({ code, label, kind: 'technical', questionable });

/** ALARM bits that are conditions, keyed by bit. */
export const ALARM_BITS: ReadonlyMap<number, Def> = new Map([
  [0x1, physio('SPO2_HIGH', 'SpO2 above the oximeter high limit')],
  [0x2, physio('SPO2_LOW', 'SpO2 below the oximeter low limit')],
  [0x4, physio('PULSE_HIGH', 'Pulse rate above the oximeter high limit')],
  [0x8, physio('PULSE_LOW', 'Pulse rate below the oximeter low limit')],
  [0x40, technical('LOW_BATTERY', 'Oximeter battery low', false)],
  [0x100, physio('SPCO_HIGH', 'SpCO above the oximeter high limit')],
  [0x200, physio('SPCO_LOW', 'SpCO below the oximeter low limit')],
  [0x400, physio('SPMET_HIGH', 'SpMet above the oximeter high limit')],
  [0x800, physio('SPMET_LOW', 'SpMet below the oximeter low limit')],
  [0x1000, physio('DESAT_INDEX', 'Desaturation index alarm on the oximeter')],
  [0x2000, physio('PI_DELTA', 'Perfusion index fell fast (PI delta alarm)')],
]);

/** EXC bits (all technical), keyed by bit. */
export const EXC_BITS: ReadonlyMap<number, Def> = new Map([
  [0x1, technical('NO_SENSOR', 'No oximeter sensor connected', true)],
  [0x2, technical('DEFECTIVE_SENSOR', 'Oximeter sensor defective', true)],
  [0x4, technical('LOW_PERFUSION', 'Low perfusion: oximeter readings may be inaccurate', true)],
  [0x8, technical('PULSE_SEARCH', 'Oximeter searching for pulse', true)],
  [0x10, technical('INTERFERENCE', 'Interference: oximeter readings may be inaccurate', true)],
  [0x20, technical('SENSOR_OFF', 'Oximeter sensor off the patient', true)],
  [0x40, technical('AMBIENT_LIGHT', 'Too much ambient light on the oximeter sensor', true)],
  [0x400, technical('LOW_SIGNAL_IQ', 'Low signal quality: oximeter readings may be inaccurate', true)],
  [0x1000, technical('NO_CABLE', 'No oximeter patient cable connected', true)],
  [0x40000, technical('SENSOR_LIFE_EXPIRED', 'Oximeter sensor life expired: replace the sensor', false)],
]);

const hex = (bit: number): string => `0x${bit.toString(16).toUpperCase()}`;

function decode(bits: number, source: 'ALARM' | 'EXC', known: ReadonlyMap<number, Def>, skip: number): RadicalCondition[] {
  const out: RadicalCondition[] = [];
  // Bits are read as an unsigned 32-bit value; 8 hex digits at most reach the parser.
  for (let i = 0; i < 32; i += 1) {
    const bit = 2 ** i;
    if (Math.floor(bits / bit) % 2 === 0 || (skip & bit) !== 0) continue;
    const def = known.get(bit);
    out.push(
      def !== undefined
        ? { ...def, source, bit }
        : {
            code: `MASIMO_${source}_BIT_${hex(bit)}`,
            label: `Oximeter reports an unrecognised ${source} condition (bit ${hex(bit)}): check the device`,
            kind: 'technical',
            source,
            bit,
            questionable: source === 'EXC',
          },
    );
  }
  return out;
}

/** Conditions of the set ALARM bits (0x10 and 0x20 excluded: see {@link alarmSystemState}). */
export function decodeAlarmBits(bits: number): RadicalCondition[] {
  return decode(bits, 'ALARM', ALARM_BITS, ALARM_ACTIVE_BIT | ALARM_SILENCED_BIT);
}

/** Conditions of the set EXC bits; unknown bits give a generic technical condition. */
export function decodeExceptionBits(bits: number): RadicalCondition[] {
  return decode(bits, 'EXC', EXC_BITS, 0);
}

/** The oximeter's own alarm-system state from ALARM bits 0x10 and 0x20. */
export function alarmSystemState(bits: number): DeviceAlarmSystemState {
  return { alarming: (bits & ALARM_ACTIVE_BIT) !== 0, silenced: (bits & ALARM_SILENCED_BIT) !== 0 };
}

/**
 * The condition raised when the oximeter says it is alarming (0x10) but no ALARM or EXC
 * bit says why: the cause is not on the serial line, so the nurse is told to look.
 */
export const UNEXPLAINED_DEVICE_ALARM: RadicalCondition = {
  code: 'DEVICE_ALARM_UNEXPLAINED',
  label: 'Oximeter is alarming for a reason it does not send: check the device',
  kind: 'technical',
  source: 'ALARM',
  bit: ALARM_ACTIVE_BIT,
  questionable: false,
};
