import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withModbusCrc } from '../../../drivers/modbus/modbus-crc.js';
import { expectedRtuReplyLength, ReplyFramer, type FramerOutput, type ReplyExpectation } from '../../../drivers/modbus/reply-framer.js';

// Reply of unit 1 to "read 2 holding registers": 01 03 04 | 00 48 | 00 62 | CRC
const READ_REPLY = withModbusCrc(Buffer.from('01030400480062', 'hex'));
const EXPECT_READ: ReplyExpectation = { unitId: 1, functionCode: 3, rtuLength: 9, transactionId: 1 };

const replies = (out: FramerOutput[]) => out.filter((o) => o.kind === 'reply').map((o) => (o.kind === 'reply' ? o.frame : null));
const rejected = (out: FramerOutput[]) => out.filter((o) => o.kind === 'rejected');

function rtu(): ReplyFramer {
  const f = new ReplyFramer('rtu');
  f.expect(EXPECT_READ);
  return f;
}

describe('RTU reply framing', () => {
  it('knows the reply length of each function the master sends', () => {
    expect(expectedRtuReplyLength(Buffer.from('01030000000ac5cd', 'hex'))).toBe(25);
    expect(expectedRtuReplyLength(Buffer.from('0106000100030000', 'hex'))).toBe(8);
    expect(expectedRtuReplyLength(Buffer.from('0110000100020400010002', 'hex'))).toBe(8);
    expect(expectedRtuReplyLength(Buffer.from('0101000000080000', 'hex'))).toBeNull();
  });

  it('accepts the awaited reply split at every byte', () => {
    for (let cut = 1; cut < READ_REPLY.length; cut++) {
      const f = rtu();
      const out = [...f.push(READ_REPLY.subarray(0, cut)), ...f.push(READ_REPLY.subarray(cut))];
      expect(replies(out)).toEqual([READ_REPLY]);
      expect(rejected(out)).toEqual([]);
    }
    const f = rtu();
    expect(replies([...READ_REPLY].flatMap((b) => f.push(Buffer.from([b]))))).toEqual([READ_REPLY]);
  });

  it('skips leading noise (counted) and rejects bytes after the reply', () => {
    const f = rtu();
    const out = f.push(Buffer.concat([Buffer.from([0xff, 0x01, 0x00]), READ_REPLY, Buffer.from([0xaa])]));
    expect(replies(out)).toEqual([READ_REPLY]);
    expect(rejected(out).map((r) => r.kind === 'rejected' && [r.reason, r.bytes.toString('hex')])).toEqual([
      ['noise before the reply', 'ff0100'],
      ['bytes after the reply', 'aa'],
    ]);
  });

  it('rejects a reply whose CRC does not match, and never hands it on', () => {
    const bad = Buffer.from(READ_REPLY);
    bad[4] = (bad[4] as number) ^ 0x10; // a data bit flipped on the line
    const out = rtu().push(bad);
    expect(replies(out)).toEqual([]);
    expect(rejected(out)).toEqual([{ kind: 'rejected', reason: 'CRC mismatch', bytes: bad }]);
  });

  it('accepts an exception reply (5 bytes)', () => {
    const exception = withModbusCrc(Buffer.from([0x01, 0x83, 0x02]));
    expect(replies(rtu().push(exception))).toEqual([exception]);
  });

  it('rejects bytes while nothing is awaited, a reply from another unit, and an over-long stream', () => {
    const idle = new ReplyFramer('rtu');
    expect(rejected(idle.push(READ_REPLY))).toHaveLength(1);
    const f = new ReplyFramer('rtu');
    f.expect({ ...EXPECT_READ, unitId: 2 });
    expect(f.push(READ_REPLY)).toEqual([]);
    expect(rejected(f.expect(EXPECT_READ))).toEqual([{ kind: 'rejected', reason: 'bytes left over from before the request', bytes: READ_REPLY }]);
    const long = rtu().push(Buffer.alloc(600, 0x01));
    expect(rejected(long)).toEqual([expect.objectContaining({ reason: 'more bytes than any reply' })]);
  });

  it('never throws and never returns a frame other than the reply, whatever surrounds it (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 10 }), fc.integer({ min: 1, max: 8 }), (noise, tail, step) => {
        const f = rtu();
        const stream = Buffer.concat([noise, READ_REPLY, tail]);
        const out: FramerOutput[] = [];
        for (let i = 0; i < stream.length; i += step) out.push(...f.push(stream.subarray(i, i + step)));
        for (const r of replies(out)) expect(r).toEqual(READ_REPLY);
      }),
    );
  });
});

describe('Modbus TCP reply framing', () => {
  const mbap = (tid: number, adu: Buffer) => {
    const head = Buffer.alloc(6);
    head.writeUInt16BE(tid, 0);
    head.writeUInt16BE(adu.length, 4);
    return Buffer.concat([head, adu]);
  };
  const adu = Buffer.from('01030400480062', 'hex');

  it('unwraps the reply of the awaited transaction and presents it with a CRC, split at every byte', () => {
    const wire = mbap(7, adu);
    for (let cut = 1; cut < wire.length; cut++) {
      const f = new ReplyFramer('tcp');
      f.expect({ ...EXPECT_READ, transactionId: 7 });
      const out = [...f.push(wire.subarray(0, cut)), ...f.push(wire.subarray(cut))];
      expect(out).toEqual([{ kind: 'reply', frame: READ_REPLY, transactionId: 7 }]);
    }
  });

  it('rejects another transaction, then takes the right one; drops everything after a bad header', () => {
    const f = new ReplyFramer('tcp');
    f.expect({ ...EXPECT_READ, transactionId: 7 });
    const out = f.push(Buffer.concat([mbap(6, adu), mbap(7, adu)]));
    expect(out.map((o) => o.kind)).toEqual(['rejected', 'reply']);
    const g = new ReplyFramer('tcp');
    g.expect({ ...EXPECT_READ, transactionId: 7 });
    const bad = Buffer.concat([Buffer.from('00070001000701', 'hex'), adu]);
    expect(g.push(bad)).toEqual([expect.objectContaining({ kind: 'rejected', reason: expect.stringContaining('invalid MBAP header') })]);
  });
});
