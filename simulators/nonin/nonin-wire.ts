/**
 * Nonin serial data formats #2 and #7 as the simulated oximeter writes them
 * (device-protocols.md, "Nonin pulse oximeters"). Written apart from the driver's codec on
 * purpose: the driver is tested against this, so one shared mistake cannot hide.
 * - #2: `0x01, STATUS, PLETH, DATA, CHK`; #7: `STATUS, PLETH_MSB, PLETH_LSB, DATA, CHK`;
 *   CHK = sum of the four bytes before it, mod 256.
 * - 25 frames per packet; frame 1 has STATUS bit 0 set; STATUS bit 7 is always set.
 * - DATA by frame number: 1-2 HR MSB/LSB (4-beat), 3 SpO2, 4 firmware revision,
 *   9/10/11 SpO2 display/fast/beat-to-beat, 14-15 HR MSB/LSB (8-beat), 16-17 SpO2 8-beat
 *   and 8-beat display, 20-23 HR display (4- and 8-beat); the rest 0. HR is 9 bits:
 *   MSB byte bits 1-0 = HR bits 8-7, LSB byte bits 6-0 = HR bits 6-0.
 */

export type SimNoninFormat = 2 | 7;

export const SIM_FRAMES_PER_PACKET = 25;
export const SIM_FRAMES_PER_SECOND = 75;
/** The "no value" markers. */
export const SIM_HR_MISSING = 511;
export const SIM_SPO2_MISSING = 127;

/** STATUS bits the simulator sets. */
export const SIM_STATUS = {
  always: 0x80,
  sensorDisconnect: 0x40,
  artifact: 0x20,
  outOfTrack: 0x10,
  sensorAlarm: 0x08,
  perfusionGreen: 0x06,
  perfusionYellow: 0x04,
  perfusionRed: 0x02,
  sync: 0x01,
} as const;

/** What the device reports in one packet's DATA bytes. */
export interface PacketValues {
  /** /min, 0-321, or 511 when there is none. */
  readonly heartRate: number;
  /** %, 0-100, or 127 when there is none. */
  readonly spo2: number;
  readonly firmwareRevision: number;
}

const hrMsb = (hr: number): number => (hr >> 7) & 0x03;
const hrLsb = (hr: number): number => hr & 0x7f;

/** The DATA byte of frame `frameNumber` (1-25). */
export function dataByteFor(frameNumber: number, v: PacketValues): number {
  switch (frameNumber) {
    case 1:
    case 14:
    case 20:
    case 22:
      return hrMsb(v.heartRate);
    case 2:
    case 15:
    case 21:
    case 23:
      return hrLsb(v.heartRate);
    case 3:
    case 9:
    case 10:
    case 11:
    case 16:
    case 17:
      return v.spo2 & 0x7f;
    case 4:
      return v.firmwareRevision & 0xff;
    default:
      return 0;
  }
}

/** One frame; `corrupt` writes a checksum that is off by one. */
export function encodeFrame(format: SimNoninFormat, status: number, pleth: number, data: number, corrupt = false): Buffer {
  const head =
    format === 2
      ? [0x01, status & 0xff, pleth & 0xff, data & 0xff]
      : [status & 0xff, (pleth >> 8) & 0xff, pleth & 0xff, data & 0xff];
  const sum = (head[0]! + head[1]! + head[2]! + head[3]! + (corrupt ? 1 : 0)) & 0xff;
  return Buffer.from([...head, sum]);
}

/** The largest pleth value of a format. */
export function plethMax(format: SimNoninFormat): number {
  return format === 2 ? 0xff : 0xffff;
}
