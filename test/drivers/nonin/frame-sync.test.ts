import { describe, expect, it } from 'vitest';
import { NoninFrameSync, type SyncEvent } from '../../../drivers/nonin/frame-sync.js';
import { parseFrame } from '../../../drivers/nonin/nonin-frame.js';
import { EXAMPLE, badFrame, frame, packet, packetFrames, packets, type Format } from './nonin-fixtures.js';

/** Events of pushing `chunks` in order to a fresh synchroniser. */
function run(format: Format, ...chunks: Uint8Array[]): SyncEvent[] {
  const sync = new NoninFrameSync(format);
  return chunks.flatMap((c) => sync.push(c));
}

const kinds = (events: SyncEvent[]) => events.map((e) => e.kind);
const frames = (events: SyncEvent[]) => events.flatMap((e) => (e.kind === 'frame' ? [e.frame] : []));

describe('parseFrame', () => {
  it('reads the example frames of both formats', () => {
    expect(parseFrame(EXAMPLE.format2Frame1, 0, 2)).toEqual({ status: 0x87, pleth: 0x64, data: 0x00 });
    expect(parseFrame(EXAMPLE.format2Frame2, 0, 2)).toEqual({ status: 0x80, pleth: 0x66, data: 0x48 });
    expect(parseFrame(EXAMPLE.format7Frame1, 0, 7)).toEqual({ status: 0x81, pleth: 0x1234, data: 0x00 });
    expect(parseFrame(EXAMPLE.format7SensorOff, 0, 7)).toEqual({ status: 0xc0, pleth: 0, data: 0x7f });
  });

  it('rejects a wrong checksum, a wrong start byte, STATUS bit 7 clear, and too few bytes', () => {
    expect(parseFrame(badFrame(2, 0x80, 1, 2), 0, 2)).toBeNull();
    expect(parseFrame(Buffer.from([0x02, 0x80, 0x00, 0x00, 0x82]), 0, 2)).toBeNull();
    expect(parseFrame(frame(2, 0x00, 5, 5), 0, 2)).toBeNull();
    expect(parseFrame(frame(7, 0x7f, 5, 5), 0, 7)).toBeNull();
    expect(parseFrame(EXAMPLE.format7Frame1.subarray(0, 4), 0, 7)).toBeNull();
    // A format #2 frame is not a format #7 frame: its first byte 0x01 has bit 7 clear.
    expect(parseFrame(EXAMPLE.format2Frame1, 0, 7)).toBeNull();
  });
});

describe.each([2, 7] as const)('NoninFrameSync, format #%i', (format) => {
  const stream = packets(format, 2);
  const whole = run(format, stream);

  it('finds every frame of back-to-back packets, nothing rejected', () => {
    expect(kinds(whole)).toEqual(Array(50).fill('frame'));
    expect(frames(whole)[0]?.status).toBe(0x81);
    expect(frames(whole)[25]?.status).toBe(0x81);
    expect(frames(whole).map((f) => f.pleth).slice(0, 3)).toEqual([10, 20, 30]);
  });

  it('gives the same events with the stream split at every byte', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      expect(run(format, stream.subarray(0, cut), stream.subarray(cut))).toEqual(whole);
    }
  });

  it('gives the same events with one byte per read', () => {
    const oneByOne = [...stream].map((b) => Uint8Array.of(b));
    expect(run(format, ...oneByOne)).toEqual(whole);
  });

  it('skips leading noise and reports it once, when lock is found', () => {
    const noise = Buffer.from([0x00, 0x13, 0x7e, 0x05, 0x11, 0x22, 0x33]);
    const events = run(format, noise, packet(format));
    expect(events[0]).toMatchObject({ kind: 'discarded', byteCount: 7, frameSlots: 1 });
    expect((events[0] as { head: Buffer }).head).toEqual(noise);
    expect(kinds(events.slice(1))).toEqual(Array(25).fill('frame'));
  });

  it('joins a stream mid-frame: the partial frame is discarded, the rest is read', () => {
    const events = run(format, stream.subarray(3));
    expect(events[0]).toMatchObject({ kind: 'discarded', byteCount: 2 });
    expect(frames(events)).toHaveLength(49);
  });

  it('keeps alignment over one frame with a bad checksum', () => {
    const list = packetFrames(format);
    list[6] = badFrame(format, 0x80, 70, 0);
    const events = run(format, Buffer.concat(list));
    expect(kinds(events)).toEqual([...Array(6).fill('frame'), 'bad-frame', ...Array(18).fill('frame')]);
    expect((events[6] as { bytes: Buffer }).bytes).toEqual(list[6]);
  });

  it('loses lock on two bad frames in a row and resynchronises', () => {
    const list = [...packetFrames(format), ...packetFrames(format)];
    list[10] = badFrame(format, 0x80, 1, 0);
    list[11] = badFrame(format, 0x80, 2, 0);
    const events = run(format, Buffer.concat(list));
    const lost = events.findIndex((e) => e.kind !== 'frame');
    expect(lost).toBe(10);
    expect(events[lost]).toMatchObject({ kind: 'discarded', byteCount: 10, frameSlots: 2 });
    expect(frames(events)).toHaveLength(48);
  });

  it('resynchronises after a lost byte', () => {
    const bytes = packets(format, 2);
    const cut = Buffer.concat([bytes.subarray(0, 52), bytes.subarray(53)]);
    const events = run(format, cut);
    // Frames 1-10 intact, frame 11 lost its byte: its 4 remaining bytes are discarded.
    expect(kinds(events.slice(0, 11))).toEqual([...Array(10).fill('frame'), 'discarded']);
    expect(events[10]).toMatchObject({ kind: 'discarded', byteCount: 4, frameSlots: 1 });
    expect(frames(events)).toHaveLength(49);
  });

  it('reports a long garbage run in pieces of at most 125 bytes, all bytes counted', () => {
    const garbage = Buffer.alloc(400, 0x55);
    const events = run(format, packet(format), garbage, packet(format));
    const discarded = events.filter((e) => e.kind === 'discarded');
    expect(discarded.map((e) => e.byteCount)).toEqual([125, 125, 125, 25]);
    expect(frames(events)).toHaveLength(50);
  });

  it('holds back a partial frame until the rest arrives, and reset() drops it', () => {
    const sync = new NoninFrameSync(format);
    // Frames 1 to 3 confirm lock and are read; the 2 bytes of frame 4 wait.
    expect(kinds(sync.push(stream.subarray(0, 17)))).toEqual(['frame', 'frame', 'frame']);
    expect(sync.isLocked).toBe(true);
    sync.reset();
    expect(sync.isLocked).toBe(false);
    // The 3 bytes after the reset start mid-frame: discarded, then lock on the next frames.
    const events = sync.push(stream.subarray(17, 45));
    expect(events[0]).toMatchObject({ kind: 'discarded', byteCount: 3 });
    expect(frames(events)).toHaveLength(5);
  });
});
