import { describe, expect, it } from 'vitest';
import { NoninFrameSync } from '../../../drivers/nonin/frame-sync.js';
import { NoninPacketAssembler, type NoninPacket } from '../../../drivers/nonin/packet-assembler.js';
import { decodePacketNumerics, heartRateFromBytes } from '../../../drivers/nonin/packet-decoder.js';
import { perfusionQuality } from '../../../drivers/nonin/nonin-frame.js';
import { packet, packetFrames, type PacketSpec } from './nonin-fixtures.js';

/** The packets an assembler makes of `bytes` (format #7 unless told). */
function assemble(bytes: Buffer, format: 2 | 7 = 7): NoninPacket[] {
  const sync = new NoninFrameSync(format);
  const assembler = new NoninPacketAssembler();
  return sync.push(bytes).flatMap((e) => assembler.push(e));
}

function decode(spec: PacketSpec, format: 2 | 7 = 7) {
  const [p] = assemble(Buffer.concat([packet(format, spec), packet(format, spec)]), format);
  if (!p) throw new Error('no packet');
  return decodePacketNumerics(p);
}

describe('heartRateFromBytes', () => {
  it('joins MSB bits 1-0 (HR bits 8-7) and LSB bits 6-0', () => {
    expect(heartRateFromBytes(0x00, 0x48)).toBe(72);
    expect(heartRateFromBytes(0x01, 0x00)).toBe(128);
    expect(heartRateFromBytes(0x02, 0x41)).toBe(321);
    expect(heartRateFromBytes(0x03, 0x7f)).toBe(511);
  });
});

describe('decodePacketNumerics', () => {
  it.each([2, 7] as const)('reads every DATA frame of an aligned format #%i packet', (format) => {
    const data = { 1: 0x01, 2: 0x02, 3: 95, 4: 0x33, 9: 94, 10: 93, 11: 92, 14: 0x01, 15: 0x05 };
    expect(decode({ data }, format)).toEqual({
      numerics: {
        heartRate4Beat: 130, spo2: 95, firmwareRevision: 0x33, spo2Display: 94, spo2Fast: 93, spo2BeatToBeat: 92, heartRate8Beat: 133,
      },
      rejected: [],
    });
  });

  it('gives null for the missing markers HR 511 and SpO2 127', () => {
    expect(decode({ hr: 511, spo2: 127 }).numerics).toEqual({
      heartRate4Beat: null, spo2: null, firmwareRevision: 0x2a, spo2Display: null, spo2Fast: null, spo2BeatToBeat: null, heartRate8Beat: null,
    });
  });

  it('rejects values outside their range instead of guessing', () => {
    const result = decode({ data: { 1: 0x02, 2: 0x50, 3: 101 } });
    expect(result.numerics.heartRate4Beat).toBeUndefined();
    expect(result.numerics.spo2).toBeUndefined();
    expect(result.rejected.map((r) => [r.field, r.raw])).toEqual([
      ['heartRate4Beat', 336],
      ['spo2', 101],
    ]);
  });

  it('ignores bit 7 of SpO2 bytes and bits 7-2 of the HR MSB', () => {
    expect(decode({ data: { 1: 0xfc, 3: 0x80 | 96 } }).numerics).toMatchObject({ heartRate4Beat: 72, spo2: 96 });
  });

  it('leaves out a value whose frame was garbled', () => {
    const frames = [...packetFrames(7), ...packetFrames(7, { hr: 80, spo2: 91 }), ...packetFrames(7)];
    frames[26] = Buffer.from([0x80, 0, 0, 0, 0x99]); // frame 2 (HR LSB) of packet 2: bad checksum
    const p = assemble(Buffer.concat(frames))[1];
    expect(p?.aligned).toBe(true);
    expect(p?.frames[1]).toBeNull();
    const { numerics } = decodePacketNumerics(p as NoninPacket);
    expect(numerics.heartRate4Beat).toBeUndefined();
    expect(numerics.spo2).toBe(91);
    expect(numerics.heartRate8Beat).toBe(80);
  });

  it('decodes nothing from frames whose position in the packet is unknown', () => {
    const bytes = packet(7, { hr: 60 });
    // Start at frame 2: frames 2-25 have no sync frame before them.
    const [p] = assemble(Buffer.concat([bytes.subarray(5), packet(7)]));
    expect(p?.aligned).toBe(false);
    expect(p?.frames).toHaveLength(24);
    expect(decodePacketNumerics(p as NoninPacket).numerics).toEqual({});
  });
});

describe('perfusionQuality (STATUS bits 2-1)', () => {
  it.each([
    [0x80, 'none'],
    [0x82, 'red'],
    [0x84, 'yellow'],
    [0x86, 'green'],
    [0xff, 'green'],
  ])('status %d is %s', (status, quality) => {
    expect(perfusionQuality(status)).toBe(quality);
  });
});
