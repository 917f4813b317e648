import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsenaDeframer, encodeFrame, type DeframerOutput } from '../../../drivers/alaris-asena/frame-codec.js';
import { isVigilError } from '../../../src/core/errors.js';

// Real frames as published by an open-source Asena client (mdpnp OpenICE):
// '!' start | BODY (command ^ fields) | '|' | 4 hex CRC-16/CCITT-FALSE of BODY | CR
const FIXTURES: Array<[body: string, wire: string]> = [
  ['INF', '!INF|4961\r'],
  ['INST_SERIALNO', '!INST_SERIALNO|457D\r'],
  ['INF_VTBI', '!INF_VTBI|8456\r'],
  ['INST_SERIALNO^8002-51740', '!INST_SERIALNO^8002-51740|050B\r'],
  ['REMOTE_CTRL^ENABLED^3CC1', '!REMOTE_CTRL^ENABLED^3CC1|B1F1\r'],
  ['REMOTE_CTRL^DISABLED', '!REMOTE_CTRL^DISABLED|EF95\r'],
  ['INF_RATE^3.50^ml/h', '!INF_RATE^3.50^ml/h|3885\r'],
  ['INF_RATE^0.10^ml/h', '!INF_RATE^0.10^ml/h|D407\r'],
  ['INF_VTBI^ACTIV^11.000^ml^STOP', '!INF_VTBI^ACTIV^11.000^ml^STOP|4433\r'],
  ['INF_START', '!INF_START|38F3\r'],
  ['INF_STOP', '!INF_STOP|CD57\r'],
];
const INF_REPLY = '!INF^8002-51733^A^HLD^0.00^ml/h^^0.969^ml^530.15^mmHg^00:04:09^EVENT^214725|DB9D\r';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const frames = (outs: DeframerOutput[]): string[] => outs.flatMap((o) => (o.kind === 'frame' ? [o.body] : []));
const reasons = (outs: DeframerOutput[]): string[] => outs.flatMap((o) => (o.kind === 'rejected' ? [o.rejection.reason] : []));

describe('encodeFrame', () => {
  it.each(FIXTURES)('encodes %s exactly as the published frame', (body, wire) => {
    expect(encodeFrame(body).toString('latin1')).toBe(wire);
  });

  it('refuses bodies that cannot be framed', () => {
    for (const body of ['', 'A|B', 'A!B', 'A\rB', 'caf\u00e9']) {
      let caught: unknown;
      try {
        encodeFrame(body);
      } catch (err) {
        caught = err;
      }
      expect(isVigilError(caught, 'FRAME_INVALID')).toBe(true);
    }
  });
});

describe('AsenaDeframer', () => {
  it.each(FIXTURES)('decodes the published frame of %s', (body, wire) => {
    const d = new AsenaDeframer();
    expect(frames(d.push(bytes(wire)))).toEqual([body]);
    expect(d.counters.rejected).toBe(0);
  });

  it('decodes a recorded-style INF reply', () => {
    expect(frames(new AsenaDeframer().push(bytes(INF_REPLY)))).toEqual([INF_REPLY.slice(1, -6)]);
  });

  it('finds the frame whatever byte it is split at', () => {
    const wire = bytes(INF_REPLY);
    for (let i = 0; i <= wire.length; i++) {
      const d = new AsenaDeframer();
      const got = [...frames(d.push(wire.subarray(0, i))), ...frames(d.push(wire.subarray(i)))];
      expect(got, `split at ${i}`).toEqual([INF_REPLY.slice(1, -6)]);
    }
  });

  it('works one byte per read', () => {
    const d = new AsenaDeframer();
    const got: string[] = [];
    for (const b of bytes(FIXTURES.map(([, w]) => w).join(''))) got.push(...frames(d.push(Uint8Array.of(b))));
    expect(got).toEqual(FIXTURES.map(([b]) => b));
  });

  it('decodes back-to-back frames in one chunk', () => {
    const d = new AsenaDeframer();
    expect(frames(d.push(bytes('!INF|4961\r!INF_VTBI|8456\r!INF_START|38F3\r')))).toEqual(['INF', 'INF_VTBI', 'INF_START']);
  });

  it('skips leading noise, reports it once, and decodes the frame', () => {
    const d = new AsenaDeframer();
    const out = d.push(bytes('\x00\xffgarbage!INF|4961\r'));
    expect(frames(out)).toEqual(['INF']);
    expect(reasons(out)).toEqual(['noise']);
    expect(d.counters.byReason.noise).toBe(1);
  });

  it('ignores CR/LF between frames (CR LF endings) without counting them', () => {
    const d = new AsenaDeframer();
    expect(frames(d.push(bytes('!INF|4961\r\n!INF_STOP|CD57\r\n\r\n')))).toEqual(['INF', 'INF_STOP']);
    expect(d.counters.rejected).toBe(0);
  });

  it('rejects a bad CRC and recovers on the next frame', () => {
    const d = new AsenaDeframer();
    const out = d.push(bytes('!INF|4962\r!INF|4961\r'));
    expect(reasons(out)).toEqual(['crc-mismatch']);
    expect(frames(out)).toEqual(['INF']);
  });

  it('rejects a changed body byte (CRC no longer matches)', () => {
    expect(reasons(new AsenaDeframer().push(bytes('!INF_RATE^9.50^ml/h|3885\r')))).toEqual(['crc-mismatch']);
  });

  it.each([
    ['!INF4961\r', 'missing-separator'],
    ['!INF|49G1\r', 'bad-crc-format'],
    ['!INF|4961a\r', 'bad-crc-format'],
    ['!INF|496\r', 'bad-crc-format'],
    ['!INF|49e1\r', 'bad-crc-format'],
    ['!|FFFF\r', 'bad-body'],
    ['!IN\x01F|4961\r', 'bad-body'],
  ])('rejects %j as %s', (wire, reason) => {
    const d = new AsenaDeframer();
    const out = d.push(bytes(wire));
    expect(frames(out)).toEqual([]);
    expect(reasons(out)).toEqual([reason]);
    expect(d.counters.byReason[reason as keyof typeof d.counters.byReason]).toBe(1);
  });

  it('rejects a frame cut short by a new "!" and decodes the new one', () => {
    const out = new AsenaDeframer().push(bytes('!INF^8002!INF|4961\r'));
    expect(reasons(out)).toEqual(['truncated']);
    expect(frames(out)).toEqual(['INF']);
  });

  it('rejects an over-long frame once, skips to the next "!", and recovers', () => {
    const d = new AsenaDeframer({ maxFrameBytes: 32 });
    const out = d.push(bytes(`!${'A'.repeat(100)}|0000\r!INF|4961\r`));
    expect(reasons(out)).toEqual(['too-long']);
    expect(frames(out)).toEqual(['INF']);
    expect(d.counters).toMatchObject({ frames: 1, rejected: 1 });
  });

  it('reset() drops a partial frame', () => {
    const d = new AsenaDeframer();
    d.push(bytes('!INF|49'));
    d.reset();
    expect(frames(d.push(bytes('61\r!INF|4961\r')))).toEqual(['INF']);
  });

  it('never throws on random bytes, and keeps its counters consistent', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 20 }), (chunks) => {
        const d = new AsenaDeframer({ maxFrameBytes: 64 });
        let outputs = 0;
        for (const c of chunks) outputs += d.push(c).length;
        const { frames: f, rejected } = d.counters;
        expect(f + rejected).toBe(outputs);
      }),
    );
  });

  it('finds valid frames embedded in random noise that holds no "!" or CR', () => {
    const noise = fc.uint8Array({ maxLength: 40 }).map((a) => a.filter((b) => b !== 0x21 && b !== 0x0d));
    fc.assert(
      fc.property(noise, noise, fc.constantFrom(...FIXTURES), (before, after, [body, wire]) => {
        const d = new AsenaDeframer();
        const out = [...d.push(before), ...d.push(bytes(wire)), ...d.push(after), ...d.push(bytes('\r'))];
        expect(frames(out)).toEqual([body]);
      }),
    );
  });
});
