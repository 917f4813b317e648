import { describe, expect, it } from 'vitest';
import { NoninFrameSync } from '../../../drivers/nonin/frame-sync.js';
import { NoninPacketAssembler, type PacketAnomaly } from '../../../drivers/nonin/packet-assembler.js';
import { badFrame, frame, packet, packetFrames, packets } from './nonin-fixtures.js';

function assemble(...chunks: Buffer[]) {
  const anomalies: PacketAnomaly[] = [];
  const sync = new NoninFrameSync(7);
  const assembler = new NoninPacketAssembler((a) => anomalies.push(a));
  const out = chunks.flatMap((c) => sync.push(c).flatMap((e) => assembler.push(e)));
  return { packets: out, anomalies, assembler };
}

const shape = (p: { firstSampleIndex: number; frames: readonly unknown[]; aligned: boolean; complete: boolean }) =>
  [p.firstSampleIndex, p.frames.length, p.aligned, p.complete];

describe('NoninPacketAssembler', () => {
  it('emits each packet as soon as its frame 25 arrives, samples numbered consecutively', () => {
    const { packets: out } = assemble(packets(7, 3));
    expect(out.map(shape)).toEqual([
      [0, 25, true, true],
      [25, 25, true, true],
      [50, 25, true, true],
    ]);
  });

  it('keeps the slot of a garbled frame (null) and the packet aligned', () => {
    const frames = packetFrames(7);
    frames[12] = badFrame(7, 0x80, 1, 1);
    const { packets: out } = assemble(Buffer.concat([...frames, packet(7)]));
    expect(out.map(shape)).toEqual([
      [0, 25, true, true],
      [25, 25, true, true],
    ]);
    expect(out[0]?.frames[12]).toBeNull();
    expect(out[0]?.frames[13]).toEqual({ status: 0x80, pleth: 140, data: 0 });
  });

  it('keeps alignment when frame 1 itself is garbled', () => {
    const second = packetFrames(7);
    second[0] = badFrame(7, 0x81, 10, 0);
    const { packets: out, anomalies } = assemble(Buffer.concat([packet(7), ...second, packet(7)]));
    expect(out.map(shape)).toEqual([
      [0, 25, true, true],
      [25, 25, true, true],
      [50, 25, true, true],
    ]);
    expect(out[1]?.frames[0]).toBeNull();
    expect(anomalies).toEqual([]);
  });

  it('after a resync, gives unaligned samples until the next sync frame, and counts the lost slots', () => {
    const frames = [...packetFrames(7), ...packetFrames(7), ...packetFrames(7)];
    // Frames 5 and 6 of packet 2 garbled: lock lost, 10 bytes (2 slots) discarded.
    frames[29] = badFrame(7, 0x80, 1, 0);
    frames[30] = badFrame(7, 0x80, 2, 0);
    const { packets: out } = assemble(Buffer.concat(frames));
    expect(out.map(shape)).toEqual([
      [0, 25, true, true],
      [25, 4, true, false],
      [31, 19, false, false],
      [50, 25, true, true],
    ]);
  });

  it('reports a sync frame that comes too early and starts a new packet there', () => {
    const short = packetFrames(7).slice(0, 10);
    const { packets: out, anomalies } = assemble(Buffer.concat([...short, packet(7), packet(7)]));
    expect(out.map(shape)).toEqual([
      [0, 10, true, false],
      [10, 25, true, true],
      [35, 25, true, true],
    ]);
    expect(anomalies).toEqual([{ reason: 'sync-frame-early', expectedFrame: 11 }]);
  });

  it('reports a packet longer than 25 frames and does not number the extra frames', () => {
    const extra = frame(7, 0x80, 5, 9);
    const { packets: out, anomalies } = assemble(Buffer.concat([packet(7), extra, extra, packet(7)]));
    expect(out.map(shape)).toEqual([
      [0, 25, true, true],
      [25, 2, false, false],
      [27, 25, true, true],
    ]);
    expect(anomalies).toEqual([{ reason: 'sync-frame-missing', expectedFrame: 1 }]);
  });

  it('flush() ends a partial packet; the frames after it are unaligned until a sync frame', () => {
    const { assembler } = assemble();
    const sync = new NoninFrameSync(7);
    const first = sync.push(packet(7).subarray(0, 50)).flatMap((e) => assembler.push(e));
    expect(first).toEqual([]);
    expect(assembler.flush().map(shape)).toEqual([[0, 10, true, false]]);
    expect(assembler.flush()).toEqual([]);
    const rest = sync.push(Buffer.concat([packet(7).subarray(50), packet(7)])).flatMap((e) => assembler.push(e));
    expect(rest.map(shape)).toEqual([
      [10, 15, false, false],
      [25, 25, true, true],
    ]);
  });
});
