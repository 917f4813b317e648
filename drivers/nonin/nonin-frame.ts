/**
 * One 5-byte frame of the Nonin serial data formats #2 and #7
 * (device-protocols.md, "Nonin pulse oximeters"; docs/protocols/nonin.md, "Frames"):
 * - format #2: `0x01, STATUS, PLETH, DATA, CHK` (8-bit pleth);
 * - format #7: `STATUS, PLETH_MSB, PLETH_LSB, DATA, CHK` (16-bit pleth).
 * CHK is the sum of the first four bytes mod 256. STATUS bit 7 is always 1; bit 0 marks
 * frame 1 of a 25-frame packet. Pure functions, no I/O; they never throw on device bytes.
 */

/** The two output formats this driver reads. */
export type NoninFormat = 2 | 7;

export const NONIN_FORMATS: readonly NoninFormat[] = [2, 7];

/** Bytes per frame, both formats. */
export const FRAME_BYTES = 5;
/** Frames per packet; one packet every 1/3 s. */
export const PACKET_FRAMES = 25;
/** The device sends 75 frames per second: one pleth sample per frame. */
export const FRAMES_PER_SECOND = 75;

/** Format #2 frames begin with this byte. */
export const FORMAT2_START = 0x01;

/** STATUS bits (device-protocols.md, Nonin). Bits 2-1 are the perfusion quality. */
export const STATUS = {
  /** Always 1: the byte is a STATUS byte. */
  ALWAYS_SET: 0x80,
  /** SNSD: sensor disconnected or inoperable. */
  SENSOR_DISCONNECT: 0x40,
  /** ARTF: artifact, a pulse beat did not match the current pulse interval. */
  ARTIFACT: 0x20,
  /** OOT: out of track, no consecutive good pulse signals. */
  OUT_OF_TRACK: 0x10,
  /** SNSA: sensor alarm, the sensor gives unusable data. */
  SENSOR_ALARM: 0x08,
  /** Bits 2-1: perfusion quality (see `perfusionQuality`). */
  PERFUSION_MASK: 0x06,
  /** SYNC: frame 1 of a packet. */
  FRAME_SYNC: 0x01,
} as const;

/**
 * Perfusion quality of STATUS bits 2-1 (docs/protocols/nonin.md, assumption A2):
 * 0b01 red (low / no pulse signal), 0b10 yellow (low / marginal), 0b11 green (good),
 * 0b00 no indication (the device gives it only during a pulse).
 */
export type PerfusionQuality = 'none' | 'red' | 'yellow' | 'green';

/** Reads STATUS bits 2-1. */
export function perfusionQuality(status: number): PerfusionQuality {
  switch ((status & STATUS.PERFUSION_MASK) >> 1) {
    case 1:
      return 'red';
    case 2:
      return 'yellow';
    case 3:
      return 'green';
    default:
      return 'none';
  }
}

/** One valid frame. */
export interface NoninFrame {
  /** The STATUS byte. */
  readonly status: number;
  /** Pleth sample in device units: 0-255 (format #2) or 0-65535 (format #7). */
  readonly pleth: number;
  /** The DATA byte; its meaning depends on the frame number in the packet. */
  readonly data: number;
}

/** Sum of the first four bytes at `offset`, mod 256. */
export function frameChecksum(bytes: Uint8Array, offset = 0): number {
  return ((bytes[offset] ?? 0) + (bytes[offset + 1] ?? 0) + (bytes[offset + 2] ?? 0) + (bytes[offset + 3] ?? 0)) & 0xff;
}

/**
 * Reads the frame at `offset`, or returns null when the five bytes are not a valid frame
 * of `format` (too few bytes, wrong start byte, STATUS bit 7 clear, checksum mismatch).
 */
export function parseFrame(bytes: Uint8Array, offset: number, format: NoninFormat): NoninFrame | null {
  if (offset < 0 || offset + FRAME_BYTES > bytes.length) return null;
  const b0 = bytes[offset] as number;
  const b1 = bytes[offset + 1] as number;
  const b2 = bytes[offset + 2] as number;
  const b3 = bytes[offset + 3] as number;
  if (frameChecksum(bytes, offset) !== bytes[offset + 4]) return null;
  if (format === 2) {
    if (b0 !== FORMAT2_START || (b1 & STATUS.ALWAYS_SET) === 0) return null;
    return { status: b1, pleth: b2, data: b3 };
  }
  if ((b0 & STATUS.ALWAYS_SET) === 0) return null;
  return { status: b0, pleth: (b1 << 8) | b2, data: b3 };
}

/** True when the frame is frame 1 of a packet (STATUS bit 0). */
export function isSyncFrame(frame: NoninFrame): boolean {
  return (frame.status & STATUS.FRAME_SYNC) !== 0;
}

/** The value range of pleth samples of `format`, for scaling a trace. */
export function plethRange(format: NoninFormat): { readonly min: number; readonly max: number } {
  return format === 2 ? { min: 0, max: 255 } : { min: 0, max: 65_535 };
}
