import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { crc16Xmodem } from '../../../drivers/shared/crc16.js';
import {
  encodeSafeFrame, SafeDeframer, type SafeDeframerOutput,
} from '../../../drivers/ne1000/safe-frame-codec.js';
import { isVigilError } from '../../../src/core/errors.js';

// Safe-mode packets: STX | LEN (= DATA + 4) | DATA | CRC-16/XMODEM of DATA, high byte first | ETX.
// The first is printed in the NE-1000 manual ("return to Basic mode": (0x2)(0x8) SAF0 (0x55)(0x43)(0x3));
// the others were computed with Python's binascii.crc_hqx(data, 0), an implementation independent of ours.
const FIXTURES: Array<[data: string, hex: string]> = [
  ['SAF0', '02 08 53 41 46 30 55 43 03'],
  ['0', '02 05 30 36 53 03'],
  ['0VER', '02 08 30 56 45 52 48 09 03'],
  ['0SAF', '02 08 30 53 41 46 3d 88 03'],
  ['0DIA', '02 08 30 44 49 41 02 35 03'], // CRC high byte is 0x02, the STX value
  ['0RAT', '02 08 30 52 41 54 38 cb 03'],
  ['0DIS', '02 08 30 44 49 53 30 46 03'],
  ['12RAT', '02 09 31 32 52 41 54 73 1c 03'],
  ['00S5.000MH', '02 0e 30 30 53 35 2e 30 30 30 4d 48 98 f7 03'],
  ['00SI1.250W0.000ML', '02 15 30 30 53 49 31 2e 32 35 30 57 30 2e 30 30 30 4d 4c 48 ba 03'],
  ['00A?T', '02 09 30 30 41 3f 54 05 40 03'],
  ['00SNE1000V3.928', '02 13 30 30 53 4e 45 31 30 30 30 56 33 2e 39 32 38 27 22 03'],
];
const wire = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ''), 'hex');
const frames = (outs: SafeDeframerOutput[]): string[] => outs.flatMap((o) => (o.kind === 'frame' ? [o.data] : []));
const reasons = (outs: SafeDeframerOutput[]): string[] => outs.flatMap((o) => (o.kind === 'rejected' ? [o.rejection.reason] : []));
const DIS_REPLY = wire(FIXTURES[9]![1]);

describe('CRC-16/XMODEM', () => {
  it('has the check value 0x31C3 for "123456789"', () => {
    expect(crc16Xmodem('123456789')).toBe(0x31c3);
  });
});

describe('encodeSafeFrame', () => {
  it.each(FIXTURES)('encodes %s exactly as the reference packet', (data, hex) => {
    expect(encodeSafeFrame(data)).toEqual(wire(hex));
  });

  it('refuses data that cannot be framed', () => {
    for (const data of ['', 'A\u0002B', 'x'.repeat(61), 'caf\u00e9']) {
      let caught: unknown;
      try {
        encodeSafeFrame(data);
      } catch (err) {
        caught = err;
      }
      expect(isVigilError(caught, 'FRAME_INVALID')).toBe(true);
    }
  });
});

describe('SafeDeframer', () => {
  it.each(FIXTURES)('decodes the packet of %s', (data, hex) => {
    const d = new SafeDeframer();
    expect(frames(d.push(wire(hex)))).toEqual([data]);
    expect(d.counters).toMatchObject({ frames: 1, rejected: 0 });
  });

  it('finds the packet whatever byte it is split at', () => {
    for (let i = 0; i <= DIS_REPLY.length; i++) {
      const d = new SafeDeframer();
      const outs = [...d.push(DIS_REPLY.subarray(0, i)), ...d.push(DIS_REPLY.subarray(i))];
      expect(frames(outs)).toEqual(['00SI1.250W0.000ML']);
      expect(reasons(outs)).toEqual([]);
    }
  });

  it('decodes back-to-back packets fed one byte per read', () => {
    const all = Buffer.concat(FIXTURES.map(([, hex]) => wire(hex)));
    const d = new SafeDeframer();
    const outs: SafeDeframerOutput[] = [];
    for (const byte of all) outs.push(...d.push(Uint8Array.of(byte)));
    expect(frames(outs)).toEqual(FIXTURES.map(([data]) => data));
    expect(d.counters.rejected).toBe(0);
  });

  it('skips leading noise, reports it, and decodes the packet behind it', () => {
    const d = new SafeDeframer();
    const outs = d.push(Buffer.concat([Buffer.from('junk\r\n'), DIS_REPLY]));
    expect(reasons(outs)).toEqual(['noise']);
    expect(frames(outs)).toEqual(['00SI1.250W0.000ML']);
  });

  it('drops a packet with a bad CRC whole and keeps the next one', () => {
    const bad = Buffer.from(DIS_REPLY);
    bad[bad.length - 2] = (bad[bad.length - 2] as number) ^ 0x01;
    const d = new SafeDeframer();
    const outs = d.push(Buffer.concat([bad, wire(FIXTURES[1]![1])]));
    expect(reasons(outs)).toEqual(['crc-mismatch']);
    expect(frames(outs)).toEqual(['0']);
  });

  it('a LEN that does not match the packet is rejected and the deframer resynchronises on the next STX', () => {
    const shortLen = Buffer.from(DIS_REPLY);
    shortLen[1] = (shortLen[1] as number) - 1; // the byte LEN points at is a CRC byte, not ETX
    const d = new SafeDeframer();
    const outs = d.push(Buffer.concat([shortLen, DIS_REPLY]));
    expect(reasons(outs)).toEqual(['missing-etx']);
    expect(frames(outs)).toEqual(['00SI1.250W0.000ML']);
  });

  it('a LEN outside the possible range is rejected at once, without waiting for bytes', () => {
    for (const len of [0, 3, 4, 65, 255]) {
      const d = new SafeDeframer();
      const outs = d.push(Buffer.concat([Buffer.from([0x02, len]), DIS_REPLY]));
      expect(reasons(outs)).toEqual(['bad-length']);
      expect(frames(outs)).toEqual(['00SI1.250W0.000ML']);
    }
  });

  it('a stray STX in noise does not swallow the packet behind it', () => {
    const d = new SafeDeframer();
    // STX with a plausible LEN of 0x20 (32 bytes), then the real packet starts 2 bytes later.
    const outs = d.push(Buffer.concat([Buffer.from([0x02, 0x20, 0x41]), DIS_REPLY, wire(FIXTURES[10]![1])]));
    expect(frames(outs)).toEqual(['00SI1.250W0.000ML', '00A?T']);
    expect(reasons(outs)).toEqual(['missing-etx']);
  });

  it('rejects DATA that is not printable ASCII even with a matching CRC', () => {
    const data = Buffer.from([0x30, 0x30, 0x53, 0x00]);
    const crc = crc16Xmodem(data);
    const packet = Buffer.from([0x02, 8, ...data, crc >> 8, crc & 0xff, 0x03]);
    expect(reasons(new SafeDeframer().push(packet))).toEqual(['bad-data']);
  });

  it('counts rejections by reason', () => {
    const d = new SafeDeframer();
    d.push(Buffer.from('xx'));
    d.push(Buffer.from([0x02, 0x01]));
    expect(d.counters.byReason).toMatchObject({ noise: 1, 'bad-length': 1 });
    expect(d.counters.rejected).toBe(2);
  });
});

describe('SafeDeframer inter-byte timeout (0.5 s)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a packet whose bytes are at most 499 ms apart', () => {
    vi.useFakeTimers();
    const d = new SafeDeframer({ now: () => Date.now() });
    const outs: SafeDeframerOutput[] = [];
    for (const byte of DIS_REPLY) {
      outs.push(...d.push(Uint8Array.of(byte)));
      vi.advanceTimersByTime(499);
    }
    expect(frames(outs)).toEqual(['00SI1.250W0.000ML']);
    expect(reasons(outs)).toEqual([]);
  });

  it('drops a partial packet after a 500 ms pause and counts it', () => {
    vi.useFakeTimers();
    const d = new SafeDeframer({ now: () => Date.now() });
    const outs = [...d.push(DIS_REPLY.subarray(0, 7))];
    vi.advanceTimersByTime(500);
    outs.push(...d.push(DIS_REPLY.subarray(7)));
    expect(frames(outs)).toEqual([]);
    expect(reasons(outs)[0]).toBe('inter-byte-timeout');
    expect(d.counters.byReason['inter-byte-timeout']).toBe(1);
    // The next whole packet is decoded normally.
    expect(frames(d.push(DIS_REPLY))).toEqual(['00SI1.250W0.000ML']);
  });

  it('expire() drops the stalled partial packet when no byte follows', () => {
    vi.useFakeTimers();
    const d = new SafeDeframer({ now: () => Date.now() });
    d.push(DIS_REPLY.subarray(0, 5));
    vi.advanceTimersByTime(499);
    expect(d.expire()).toEqual([]);
    expect(d.pending).toBe(true);
    vi.advanceTimersByTime(1);
    expect(reasons(d.expire())).toEqual(['inter-byte-timeout']);
    expect(d.pending).toBe(false);
  });
});

describe('SafeDeframer properties', () => {
  it('never throws, and every packet it returns has printable DATA', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 20 }), (chunks) => {
        const d = new SafeDeframer();
        for (const chunk of chunks) {
          for (const out of d.push(chunk)) {
            if (out.kind === 'frame') expect(out.data).toMatch(/^[\x20-\x7e]{1,60}$/);
          }
        }
      }),
    );
  });

  it('after any garbage and a pause, a valid packet is always decoded', () => {
    const garbage = fc.uint8Array({ maxLength: 120 });
    fc.assert(
      fc.property(garbage, fc.constantFrom(...FIXTURES), (noise, [data, hex]) => {
        let t = 0;
        const d = new SafeDeframer({ now: () => t });
        d.push(noise);
        t += 500; // the pump's own rule: a pause discards a partial packet
        expect(frames(d.push(wire(hex)))).toEqual([data]);
      }),
    );
  });

  it('a valid packet right after garbage without STX is always decoded', () => {
    const noise = fc.uint8Array({ maxLength: 60 }).map((a) => a.filter((b) => b !== 0x02));
    fc.assert(
      fc.property(noise, fc.constantFrom(...FIXTURES), (before, [data, hex]) => {
        expect(frames(new SafeDeframer().push(Buffer.concat([before, wire(hex)])))).toEqual([data]);
      }),
    );
  });
});
