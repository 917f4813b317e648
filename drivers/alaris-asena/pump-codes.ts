/**
 * Meaning of the Asena GH `INF` alarm field (field 2) and mode field (field 3).
 *
 * The reference (device-protocols.md, Asena GH) says the exact alarm and mode code values
 * are UNKNOWN. The tables below are ASSUMPTIONS, written down in docs/protocols/asena-gh.md:
 * alarm codes follow the `AL_xxxxx` style seen in open-source Asena clients; anything not in
 * these tables is never guessed: an unknown alarm code becomes the technical condition
 * `PUMP_ALARM_UNKNOWN_<code>`, an unknown mode makes the run state `unknown` and raises
 * `PUMP_MODE_UNKNOWN_<code>`.
 */

/** Vigil's pump condition codes for the alarms this driver understands. */
export type AsenaAlarmCondition =
  | 'OCCLUSION'
  | 'AIR_IN_LINE'
  | 'INFUSION_COMPLETE'
  | 'NEAR_END'
  | 'SYRINGE_OR_DOOR'
  | 'LOW_BATTERY';

export interface AlarmCodeMeaning {
  readonly condition: AsenaAlarmCondition;
  readonly label: string;
}

/** Wire alarm code -> condition (ASSUMED values, see the file comment). */
export const ASENA_ALARM_CODES: Readonly<Record<string, AlarmCodeMeaning>> = {
  AL_OCCLU: { condition: 'OCCLUSION', label: 'Pump occlusion' },
  AL_AIRIL: { condition: 'AIR_IN_LINE', label: 'Air in line' },
  AL_VTBIC: { condition: 'INFUSION_COMPLETE', label: 'Infusion complete (VTBI reached)' },
  AL_NEOIN: { condition: 'NEAR_END', label: 'Infusion near end' },
  AL_SYRDR: { condition: 'SYRINGE_OR_DOOR', label: 'Syringe or door open' },
  AL_LWBAT: { condition: 'LOW_BATTERY', label: 'Pump battery low' },
};

/** The alarm field value meaning "no alarm" (ASSUMED). */
export const NO_ALARM = '-';

/** Separator between several simultaneous alarm codes in field 2 (ASSUMED). */
export const ALARM_CODE_SEPARATOR = ',';

/** What the pump is doing, as far as Vigil can tell. */
export type PumpRunState = 'running' | 'stopped' | 'kvo' | 'bolus' | 'unknown';

/** Wire mode code -> run state (ASSUMED values, see the file comment). */
export const ASENA_MODE_CODES: Readonly<Record<string, Exclude<PumpRunState, 'unknown'>>> = {
  INF: 'running',
  HLD: 'stopped',
  KVO: 'kvo',
  BOL: 'bolus',
};

/** A device condition derived from the alarm or mode field. */
export interface DerivedCondition {
  readonly code: string;
  readonly label: string;
}

/** A wire code made safe for a condition code: A-Z, 0-9 and `_`, at most 24 characters. */
function sanitizeCode(code: string): string {
  const cleaned = code.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 24);
  return cleaned.length > 0 ? cleaned : 'EMPTY';
}

/** Conditions for the alarm codes of one INF reply: known codes map, unknown ones are named. */
export function alarmConditions(alarmCodes: readonly string[]): DerivedCondition[] {
  const seen = new Map<string, DerivedCondition>();
  for (const code of alarmCodes) {
    const known = Object.hasOwn(ASENA_ALARM_CODES, code) ? ASENA_ALARM_CODES[code] : undefined;
    const condition: DerivedCondition = known
      ? { code: known.condition, label: known.label }
      : {
          code: `PUMP_ALARM_UNKNOWN_${sanitizeCode(code)}`,
          label: `Pump alarm with unrecognised code ${JSON.stringify(code)}`,
        };
    seen.set(condition.code, condition);
  }
  return [...seen.values()];
}

/** Run state of a mode code, and the technical condition when the code is not understood. */
export function interpretMode(modeCode: string): { run: PumpRunState; condition: DerivedCondition | null } {
  const run = Object.hasOwn(ASENA_MODE_CODES, modeCode) ? ASENA_MODE_CODES[modeCode] : undefined;
  if (run) return { run, condition: null };
  return {
    run: 'unknown',
    condition: {
      code: `PUMP_MODE_UNKNOWN_${sanitizeCode(modeCode)}`,
      label: `Pump reports an unrecognised mode ${JSON.stringify(modeCode)}`,
    },
  };
}
