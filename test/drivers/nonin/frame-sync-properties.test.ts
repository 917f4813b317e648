import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NoninFrameSync, type SyncEvent } from '../../../drivers/nonin/frame-sync.js';
import { NoninPacketAssembler } from '../../../drivers/nonin/packet-assembler.js';
import { packetFrames, type Format } from './nonin-fixtures.js';

/** Pushes `bytes` cut at the given points (sorted, deduplicated, inside the buffer). */
function runSplit(format: Format, bytes: Uint8Array, cuts: number[]): SyncEvent[] {
  const sync = new NoninFrameSync(format);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const events: SyncEvent[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    events.push(...sync.push(bytes.subarray(from, p)));
    from = p;
  }
  return events;
}

const format = fc.constantFrom<Format>(2, 7);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

describe('NoninFrameSync properties', () => {
  it('never throws on random bytes, and the events do not depend on how the bytes are split', () => {
    fc.assert(
      fc.property(format, bytes(600), fc.array(fc.nat(), { maxLength: 20 }), (f, input, cuts) => {
        const whole = runSplit(f, input, []);
        expect(runSplit(f, input, cuts)).toEqual(whole);
        // Every byte is accounted for once: frames and bad frames 5 each, discarded runs, at most 9 held back.
        const consumed = whole.reduce((n, e) => n + (e.kind === 'discarded' ? e.byteCount : 5), 0);
        expect(consumed).toBeLessThanOrEqual(input.length);
        expect(input.length - consumed).toBeLessThanOrEqual(9 + 124);
      }),
      { numRuns: 300 },
    );
  });

  it('finds all 25 frames of a valid packet embedded in random bytes', () => {
    fc.assert(
      fc.property(format, bytes(200), bytes(40), fc.integer({ min: 0, max: 250 }), fc.nat(1000), (f, before, after, hr, pleth) => {
        const frames = packetFrames(f, { hr, pleth: (n) => (pleth + 37 * n) & (f === 2 ? 0xff : 0xffff) });
        const input = Buffer.concat([before, ...frames, after]);
        const events = new NoninFrameSync(f).push(input);
        const found = events.flatMap((e) => (e.kind === 'frame' ? [JSON.stringify(e.frame)] : []));
        const expected = frames.map((b) =>
          JSON.stringify(f === 2 ? { status: b[1], pleth: b[2], data: b[3] } : { status: b[0], pleth: (b[1]! << 8) | b[2]!, data: b[3] }),
        );
        // The packet's 25 frames appear, consecutive and in order, among the frames found.
        expect(`|${found.join('|')}|`).toContain(`|${expected.join('|')}|`);
      }),
      { numRuns: 300 },
    );
  });

  it('the assembler never throws and numbers samples without overlap, whatever the events', () => {
    fc.assert(
      fc.property(format, bytes(800), (f, input) => {
        const assembler = new NoninPacketAssembler();
        let next = 0;
        for (const event of new NoninFrameSync(f).push(input)) {
          for (const p of assembler.push(event)) {
            expect(p.firstSampleIndex).toBeGreaterThanOrEqual(next);
            expect(p.frames.length).toBeGreaterThan(0);
            expect(p.frames.length).toBeLessThanOrEqual(25);
            next = p.firstSampleIndex + p.frames.length;
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
