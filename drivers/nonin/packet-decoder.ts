import type { NoninPacket } from './packet-assembler.js';

/**
 * The DATA bytes of an aligned Nonin packet, by frame number (device-protocols.md,
 * "Nonin pulse oximeters"; docs/protocols/nonin.md, "Numerics"): 1-2 heart rate MSB/LSB
 * (4-beat average), 3 SpO2, 4 firmware revision, 9/10/11 SpO2 display / fast /
 * beat-to-beat, 14-15 heart rate MSB/LSB (8-beat average). Other frames are not read.
 *
 * Bit layout (assumption A1 of docs/protocols/nonin.md): a heart rate is 9 bits, MSB byte
 * bits 1-0 = HR bits 8-7, LSB byte bits 6-0 = HR bits 6-0; an SpO2 byte holds the value in
 * bits 6-0. Other bits are ignored. Missing values: HR 511, SpO2 127 -> null.
 * A value outside its range (HR 0-321, SpO2 0-100) is rejected (reported, not used).
 */

/** Heart rate range of Nonin oximeters, /min (values above, other than 511, are rejected). */
export const MAX_HEART_RATE_PER_MIN = 321;
export const MISSING_HEART_RATE = 511;
export const MISSING_SPO2 = 127;

/** Frame numbers (1-based) of the DATA bytes this driver reads. */
export const DATA_FRAMES = {
  hrMsb: 1,
  hrLsb: 2,
  spo2: 3,
  firmwareRevision: 4,
  spo2Display: 9,
  spo2Fast: 10,
  spo2BeatToBeat: 11,
  hr8BeatMsb: 14,
  hr8BeatLsb: 15,
} as const;

/**
 * Numerics of one packet. `undefined`: not in this packet (a frame missing or garbled);
 * `null`: the device says it has no value (511 / 127).
 */
export interface NoninNumerics {
  /** Heart rate, 4-beat average, /min. */
  readonly heartRate4Beat?: number | null;
  /** SpO2, 4-beat average, %. */
  readonly spo2?: number | null;
  readonly firmwareRevision?: number;
  /** SpO2 as displayed, %. */
  readonly spo2Display?: number | null;
  /** SpO2, fast (non-slew-limited) average, %. */
  readonly spo2Fast?: number | null;
  /** SpO2, beat to beat, %. */
  readonly spo2BeatToBeat?: number | null;
  /** Heart rate, 8-beat average, /min. */
  readonly heartRate8Beat?: number | null;
}

/** A DATA value the decoder would not use, and why. */
export interface RejectedValue {
  readonly field: keyof NoninNumerics;
  readonly raw: number;
  readonly reason: string;
}

export interface DecodedPacket {
  readonly numerics: NoninNumerics;
  readonly rejected: readonly RejectedValue[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** DATA byte of frame `frameNumber` (1-based) of an aligned packet, or undefined. */
function dataOf(packet: NoninPacket, frameNumber: number): number | undefined {
  return packet.frames[frameNumber - 1]?.data;
}

/** Decodes a 9-bit heart rate from its MSB and LSB bytes. */
export function heartRateFromBytes(msb: number, lsb: number): number {
  return ((msb & 0x03) << 7) | (lsb & 0x7f);
}

/** Decodes the numerics of an aligned packet; an unaligned one gives none. */
export function decodePacketNumerics(packet: NoninPacket): DecodedPacket {
  const numerics: Mutable<NoninNumerics> = {};
  const rejected: RejectedValue[] = [];
  if (!packet.aligned) return { numerics, rejected };

  const heartRate = (field: 'heartRate4Beat' | 'heartRate8Beat', msbFrame: number, lsbFrame: number): void => {
    const msb = dataOf(packet, msbFrame);
    const lsb = dataOf(packet, lsbFrame);
    if (msb === undefined || lsb === undefined) return;
    const raw = heartRateFromBytes(msb, lsb);
    if (raw === MISSING_HEART_RATE) numerics[field] = null;
    else if (raw <= MAX_HEART_RATE_PER_MIN) numerics[field] = raw;
    else rejected.push({ field, raw, reason: `heart rate ${raw} outside 0-${MAX_HEART_RATE_PER_MIN} and not 511` });
  };
  const spo2 = (field: 'spo2' | 'spo2Display' | 'spo2Fast' | 'spo2BeatToBeat', frame: number): void => {
    const byte = dataOf(packet, frame);
    if (byte === undefined) return;
    const raw = byte & 0x7f;
    if (raw === MISSING_SPO2) numerics[field] = null;
    else if (raw <= 100) numerics[field] = raw;
    else rejected.push({ field, raw, reason: `SpO2 ${raw} outside 0-100 and not 127` });
  };

  heartRate('heartRate4Beat', DATA_FRAMES.hrMsb, DATA_FRAMES.hrLsb);
  spo2('spo2', DATA_FRAMES.spo2);
  const revision = dataOf(packet, DATA_FRAMES.firmwareRevision);
  if (revision !== undefined) numerics.firmwareRevision = revision;
  spo2('spo2Display', DATA_FRAMES.spo2Display);
  spo2('spo2Fast', DATA_FRAMES.spo2Fast);
  spo2('spo2BeatToBeat', DATA_FRAMES.spo2BeatToBeat);
  heartRate('heartRate8Beat', DATA_FRAMES.hr8BeatMsb, DATA_FRAMES.hr8BeatLsb);
  return { numerics, rejected };
}
