/**
 * Nonin frames for tests, written out independently of the driver's codec
 * (device-protocols.md, "Nonin pulse oximeters").
 */

/** Real-shaped example frames, one byte group per comment. */
export const EXAMPLE = {
  /** Format #2, frame 1 of a packet: start 0x01 | STATUS 0x87 (bit7, green perfusion 0x06, sync 0x01) | PLETH 0x64 | DATA 0x00 (HR MSB) | CHK 0xEC. */
  format2Frame1: Buffer.from([0x01, 0x87, 0x64, 0x00, 0xec]),
  /** Format #2, frame 2: 0x01 | STATUS 0x80 | PLETH 0x66 | DATA 0x48 (HR LSB: 72) | CHK 0x2F. */
  format2Frame2: Buffer.from([0x01, 0x80, 0x66, 0x48, 0x2f]),
  /** Format #7, frame 1: STATUS 0x81 (bit7, sync) | PLETH 0x1234 | DATA 0x00 | CHK 0xC7. */
  format7Frame1: Buffer.from([0x81, 0x12, 0x34, 0x00, 0xc7]),
  /** Format #7, frame 3: STATUS 0xC0 (bit7, sensor disconnect) | PLETH 0x0000 | DATA 0x7F (SpO2 missing) | CHK 0x3F. */
  format7SensorOff: Buffer.from([0xc0, 0x00, 0x00, 0x7f, 0x3f]),
};

export type Format = 2 | 7;

/** One frame of `format`, checksum computed. */
export function frame(format: Format, status: number, pleth: number, data: number): Buffer {
  const head = format === 2 ? [0x01, status & 0xff, pleth & 0xff, data & 0xff] : [status & 0xff, (pleth >> 8) & 0xff, pleth & 0xff, data & 0xff];
  const sum = head.reduce((a, b) => a + b, 0) & 0xff;
  return Buffer.from([...head, sum]);
}

/** The same frame with a wrong checksum. */
export function badFrame(format: Format, status: number, pleth: number, data: number): Buffer {
  const f = frame(format, status, pleth, data);
  f[4] = (f[4]! + 1) & 0xff;
  return f;
}

export interface PacketSpec {
  /** Heart rate (4-beat and 8-beat), /min; 511 = missing. Default 72. */
  readonly hr?: number;
  /** SpO2 (all SpO2 fields), %; 127 = missing. Default 97. */
  readonly spo2?: number;
  /** Firmware revision byte. Default 0x2a. */
  readonly revision?: number;
  /** STATUS bits besides bit 7 and the sync bit, per frame number (1-25). Default 0. */
  readonly status?: (frameNumber: number) => number;
  /** Pleth sample per frame number. Default: 10 * frame number. */
  readonly pleth?: (frameNumber: number) => number;
  /** DATA byte overrides by frame number. */
  readonly data?: Readonly<Record<number, number>>;
}

/** DATA byte of frame `n` (1-25) for the given values. */
export function dataByte(n: number, spec: PacketSpec): number {
  const hr = spec.hr ?? 72;
  const spo2 = spec.spo2 ?? 97;
  const override = spec.data?.[n];
  if (override !== undefined) return override;
  switch (n) {
    case 1:
    case 14:
      return (hr >> 7) & 0x03;
    case 2:
    case 15:
      return hr & 0x7f;
    case 3:
    case 9:
    case 10:
    case 11:
      return spo2 & 0x7f;
    case 4:
      return spec.revision ?? 0x2a;
    default:
      return 0;
  }
}

/** The 25 frames of one packet, as separate buffers. */
export function packetFrames(format: Format, spec: PacketSpec = {}): Buffer[] {
  const frames: Buffer[] = [];
  for (let n = 1; n <= 25; n++) {
    const status = 0x80 | (n === 1 ? 0x01 : 0) | (spec.status?.(n) ?? 0);
    frames.push(frame(format, status, spec.pleth?.(n) ?? 10 * n, dataByte(n, spec)));
  }
  return frames;
}

/** One packet as bytes. */
export function packet(format: Format, spec: PacketSpec = {}): Buffer {
  return Buffer.concat(packetFrames(format, spec));
}

/** `count` packets back to back. */
export function packets(format: Format, count: number, spec: PacketSpec = {}): Buffer {
  return Buffer.concat(Array.from({ length: count }, () => packet(format, spec)));
}
