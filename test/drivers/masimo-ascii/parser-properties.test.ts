import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer } from '../../../drivers/masimo-ascii/line-framer.js';
import { parseRadicalLine } from '../../../drivers/masimo-ascii/radical-line-parser.js';
import { radical7Line } from '../../fixtures/masimo/radical-lines.js';

/** Frames and parses a byte stream cut into the given chunk sizes; returns the valid records' seconds. */
function run(stream: Buffer, cuts: number[]): { seconds: number[]; spo2: (number | null | undefined)[] } {
  const framer = new LineFramer();
  const seconds: number[] = [];
  const spo2: (number | null | undefined)[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    const end = Math.min(stream.length, at + Math.max(1, cut));
    for (const line of framer.push(stream.subarray(at, end))) {
      const r = parseRadicalLine(line);
      if (r.ok) {
        seconds.push(r.record.timestamp.second);
        spo2.push(r.record.values.SPO2);
      }
    }
    at = end;
    if (at >= stream.length) break;
  }
  return { seconds, spo2 };
}

const lineEnd = fc.constantFrom('\r\n', '\r', '\n');

describe('properties', () => {
  it('parseRadicalLine never throws on any string and always answers ok or a reason', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const r = parseRadicalLine(s);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('framer + parser never throw on random bytes in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.integer({ min: 1, max: 64 })), (data, cuts) => {
        run(Buffer.from(data), cuts);
      }),
      { numRuns: 500 },
    );
  });

  it('finds every valid line embedded in random noise, however the stream is chunked', () => {
    const noise = fc.uint8Array({ maxLength: 600 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, fc.integer({ min: 0, max: 100 }), lineEnd, fc.boolean()), { minLength: 1, maxLength: 8 }),
        noise,
        fc.array(fc.integer({ min: 1, max: 200 })),
        (items, trailingNoise, cuts) => {
          // Each valid line follows its noise, either after a line end or glued to it on the
          // same line (leading noise, kept short so noise + line stay under the 512-byte cap),
          // and is followed by its own line end.
          const parts = items.flatMap(([n, spo2, end, glued], i) => [
            Buffer.from(glued ? n.subarray(-200) : n),
            Buffer.from(`${glued ? '' : '\r\n'}${radical7Line(i, spo2)}${end}`, 'latin1'),
          ]);
          const stream = Buffer.concat([...parts, Buffer.from(trailingNoise)]);
          const found = run(stream, cuts);
          expect(found.seconds).toEqual(items.map((_, i) => i));
          expect(found.spo2).toEqual(items.map(([, spo2]) => spo2));
        },
      ),
      { numRuns: 300 },
    );
  });
});
