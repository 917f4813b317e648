/**
 * Register layout of the Vigil reference Modbus syringe pump
 * (docs/protocols/reference-syringe-pump.md; map: config/modbus-maps/reference-syringe-pump.yaml).
 * 0-based holding-register addresses; 32-bit values are uint32, high word first.
 */

/** Status block: read-only, registers 0-11. */
export const STATUS_REGISTERS = {
  /** Status bits, see STATUS_BITS. */
  status: 0,
  /** Rate, uint32, 0.01 mL/h. */
  rate: 1,
  /** Volume infused, uint32, 0.001 mL. */
  volumeInfused: 3,
  /** VTBI remaining, uint32, 0.001 mL; NO_VALUE_32 = no VTBI programmed. */
  vtbiRemaining: 5,
  /** Line pressure, uint16, mmHg. */
  pressure: 7,
  /** Time remaining, uint32, s; NO_VALUE_32 while stopped. */
  timeRemaining: 8,
  /** Result of the last write command, see COMMAND_RESULT. */
  lastResult: 10,
  /** Commits and stops accepted so far, uint16, wraps. */
  acceptedCommands: 11,
} as const;

/** Number of registers in the status block (0..STATUS_COUNT-1). */
export const STATUS_COUNT = 12;

/** Command block: registers 100-104, written by the write-verify sequence only. */
export const COMMAND_REGISTERS = {
  /** Write ARM_CODE to arm for ARM_WINDOW_MS; reads 1 while armed, else 0 (never the code). */
  arm: 100,
  /** Rate setpoint, uint32 (two registers), 0.01 mL/h; written with function 16 while armed. */
  setpoint: 101,
  /** Write COMMIT_VALUE to run at the setpoint; only while armed; disarms. */
  commit: 103,
  /** Write STOP_VALUE to stop; only while armed; disarms. */
  stop: 104,
} as const;

export const COMMAND_START = 100;
export const COMMAND_COUNT = 5;

/** Bits of the status register (bit 0 = least significant). */
export const STATUS_BITS = {
  running: 0,
  occlusion: 1,
  airInLine: 2,
  infusionComplete: 3,
  nearEnd: 4,
  syringeOrDoor: 5,
  lowBattery: 6,
  /** Informational: a command sequence is armed. Not an alarm. */
  armed: 7,
} as const;

/** The documented arm code of the reference pump: 0xC0DE. */
export const ARM_CODE = 0xc0de;
/** An arm lasts this long (the pump's own clock): a commit after it is refused. */
export const ARM_WINDOW_MS = 5000;
export const COMMIT_VALUE = 1;
export const STOP_VALUE = 1;

/** "No value" of a uint32 register. */
export const NO_VALUE_32 = 0xffff_ffff;

/** Register 10: what the last write command did. */
export const COMMAND_RESULT = {
  none: 0,
  accepted: 1,
  notArmed: 2,
  wrongArmCode: 3,
  outOfRange: 4,
  badCommand: 5,
  armExpired: 6,
  noSetpoint: 7,
} as const;
export type CommandResult = (typeof COMMAND_RESULT)[keyof typeof COMMAND_RESULT];

/** Rate range the pump accepts, mL/h (the same as the Asena simulator). */
export const PUMP_RATE_RANGE_ML_PER_HOUR = { min: 0.1, max: 1200 } as const;
