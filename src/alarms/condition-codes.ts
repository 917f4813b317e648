import type { AlarmPriority } from './alarm.js';

/** Device technical codes that mean the device cannot measure at all. */
export const SENSOR_OFF_CODES: ReadonlySet<string> = new Set(['SENSOR_OFF', 'NO_SENSOR', 'NO_CABLE', 'DEFECTIVE_SENSOR', 'SENSOR_DISCONNECT']);

/**
 * Pump alarm conditions and their default priority (IEC 60601-1-8 assignment: an
 * occlusion or air stops or endangers the infusion now -> high; a finished infusion or an
 * open door needs a prompt response -> medium; near end and low battery leave time -> low).
 * NE-1000: a pump that stopped on its safe-mode watchdog (Vigil's link failed) or stalled
 * no longer infuses -> high; a pump that reset after a power loss -> medium.
 */
export const PUMP_CONDITION_PRIORITIES: Readonly<Record<string, AlarmPriority>> = {
  OCCLUSION: 'high',
  AIR_IN_LINE: 'high',
  INFUSION_COMPLETE: 'medium',
  SYRINGE_OR_DOOR: 'medium',
  NEAR_END: 'low',
  LOW_BATTERY: 'low',
  PUMP_WATCHDOG_STOPPED: 'high',
  PUMP_STALLED: 'high',
  PUMP_RESET: 'medium',
};
