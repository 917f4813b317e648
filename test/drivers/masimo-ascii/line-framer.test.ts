import { describe, expect, it } from 'vitest';
import { LineFramer, type OverLongLine } from '../../../drivers/masimo-ascii/line-framer.js';
import { LINES } from '../../fixtures/masimo/radical-lines.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

function feedAll(framer: LineFramer, chunks: Buffer[]): string[] {
  return chunks.flatMap((c) => framer.push(c));
}

describe('LineFramer', () => {
  const stream = `${LINES.radical7}\r\n${LINES.radical5}\r\n`;

  it('splits CR LF lines', () => {
    expect(new LineFramer().push(bytes(stream))).toEqual([LINES.radical7, LINES.radical5]);
  });

  it('gives the same lines whatever byte position the stream is split at', () => {
    const all = bytes(stream);
    for (let at = 0; at <= all.length; at++) {
      const framer = new LineFramer();
      expect(feedAll(framer, [all.subarray(0, at), all.subarray(at)]), `split at ${at}`).toEqual([LINES.radical7, LINES.radical5]);
    }
  });

  it('works with one byte per read', () => {
    const framer = new LineFramer();
    const out = feedAll(framer, [...bytes(stream)].map((b) => Buffer.from([b])));
    expect(out).toEqual([LINES.radical7, LINES.radical5]);
  });

  it.each([
    ['CR only', '\r'],
    ['LF only', '\n'],
    ['LF CR', '\n\r'],
  ])('accepts %s line ends', (_name, end) => {
    const framer = new LineFramer();
    expect(framer.push(bytes(`${LINES.radical7}${end}${LINES.radical5}${end}${LINES.rad8}${end}`))).toEqual([
      LINES.radical7,
      LINES.radical5,
      LINES.rad8,
    ]);
  });

  it('treats a CR LF split across reads as one line end and drops empty lines', () => {
    const framer = new LineFramer();
    expect(framer.push(bytes(`a\r`))).toEqual(['a']);
    expect(framer.push(bytes(`\nb\r\n\r\n\n\rc\n`))).toEqual(['b', 'c']);
  });

  it('keeps leading noise and non-ASCII bytes on the first line, losslessly', () => {
    const noise = Buffer.from([0x00, 0xff, 0x80, 0x41]);
    const framer = new LineFramer();
    const out = framer.push(Buffer.concat([noise, bytes(`\r\n${LINES.radical5}\r\n`)]));
    expect(out).toHaveLength(2);
    expect(Buffer.from(out[0] ?? '', 'latin1')).toEqual(noise);
    expect(out[1]).toBe(LINES.radical5);
  });

  it('does not emit a line before its end arrives', () => {
    const framer = new LineFramer();
    expect(framer.push(bytes(LINES.radical7))).toEqual([]);
    expect(framer.push(bytes('\r\n'))).toEqual([LINES.radical7]);
  });

  it('drops an over-long line, reports it once, and resyncs at the next line end', () => {
    const reports: OverLongLine[] = [];
    const framer = new LineFramer({ maxLineBytes: 20, onOverLong: (l) => reports.push(l) });
    const long = 'X'.repeat(100);
    const out = feedAll(framer, [bytes(`ok1\r\n${long.slice(0, 50)}`), bytes(`${long.slice(50)}\r\nok2\r\n`)]);
    expect(out).toEqual(['ok1', 'ok2']);
    expect(framer.overLongLines).toBe(1);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.lengthBytes).toBe(21);
    expect(reports[0]?.head.toString('latin1')).toBe('X'.repeat(20));
  });

  it('accepts a line of exactly the cap', () => {
    const framer = new LineFramer({ maxLineBytes: 20 });
    expect(framer.push(bytes(`${'Y'.repeat(20)}\n`))).toEqual(['Y'.repeat(20)]);
    expect(framer.overLongLines).toBe(0);
  });

  it('forgets a partial line on reset()', () => {
    const framer = new LineFramer();
    framer.push(bytes('05/14/26 13:4'));
    framer.reset();
    expect(framer.push(bytes(`${LINES.radical5}\r\n`))).toEqual([LINES.radical5]);
  });
});
