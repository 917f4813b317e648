import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, hexDump, lazyHex } from '../../src/core/logger.js';

function capture(level: 'info' | 'debug') {
  const lines: string[] = [];
  const out = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
  return { logger: createLogger({ level }, out), lines };
}

describe('wire-log hex dumps', () => {
  it('hexDump caps long buffers and says how much it left out', () => {
    expect(hexDump(Buffer.from([0x21, 0x0d, 0x0a]))).toBe('21 0d 0a');
    expect(hexDump(Buffer.alloc(10), 4)).toBe('00 00 00 00 ... (+6 bytes)');
  });

  it('lazyHex is written as the same dump at debug level, and not computed at info level', () => {
    const bytes = Buffer.from('!INF|1234\r', 'latin1');
    const debug = capture('debug');
    debug.logger.debug({ hex: lazyHex(bytes) }, '<- bytes');
    expect(JSON.parse(debug.lines[0]!).hex).toBe(hexDump(bytes));

    let computed = 0;
    const counting = { toJSON: () => (computed++, 'x') };
    const info = capture('info');
    info.logger.debug({ hex: counting }, '<- bytes');
    expect(info.lines).toEqual([]);
    expect(computed).toBe(0);
  });
});
