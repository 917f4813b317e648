import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromEvent } from 'rxjs';
import { SerialPort } from 'serialport';
import { silentLogger } from '../../src/core/logger.js';
import type { TransportStatus } from '../../src/transport/byte-transport.js';
import { SerialTransport } from '../../src/transport/serial-transport.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';
import { waitFor } from '../helpers/wait-for.js';

// Real serialport binding (bindings-cpp) over a socat pseudo-terminal pair.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function ptyPair(paths?: { a: string; b: string }): Promise<PtyPair> {
  const pair = await createPtyPair(paths);
  cleanups.push(() => pair.close());
  return pair;
}

/** The far end, opened like a device would be: a plain SerialPort on end b. */
async function openFarEnd(path: string): Promise<{ port: SerialPort; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path, baudRate: 9600 }, (err) => (err ? reject(err) : resolve(p)));
  });
  port.on('data', (b: Buffer) => chunks.push(b));
  port.on('error', () => undefined);
  cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return { port, received: () => Buffer.concat(chunks) };
}

function transportOn(path: string): SerialTransport {
  const transport = new SerialTransport(
    { path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
    { logger: silentLogger(), reconnect: { initialDelayMs: 10, maxDelayMs: 40, factor: 2, jitter: 0 } },
  );
  cleanups.push(() => transport.stop());
  return transport;
}

const isOpen = (s: TransportStatus): boolean => s.state === 'open';

describe('SerialTransport over a socat pseudo-terminal pair', () => {
  it('receives what the far end writes and the far end receives what it writes', async () => {
    const pair = await ptyPair();
    const transport = transportOn(pair.a);
    const chunks: Buffer[] = [];
    transport.data$.subscribe((b) => chunks.push(b));
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'transport open');
    const far = await openFarEnd(pair.b);

    const fromDevice = Buffer.from('11/21/26 10:00:00 SN=0000123 SPO2=098% BPM=072\r\n', 'latin1');
    far.port.write(fromDevice);
    await waitFor(transport.data$, () => Buffer.concat(chunks).length >= fromDevice.length, 5000, 'device line');
    expect(Buffer.concat(chunks)).toEqual(fromDevice);

    const toDevice = Buffer.from([0x02, 0x70, 0x02, 0x02, 0x02, 0x03, 0x00, 0xff]);
    const arrived = waitFor(fromEvent(far.port, 'data'), () => far.received().length >= toDevice.length, 5000, 'bytes at the far end');
    await transport.write(toDevice);
    await arrived;
    expect(far.received()).toEqual(toDevice);
  });

  it('unplugged (pty gone) -> connecting with an error, retries, and reopens when it comes back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-replug-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const paths = { a: join(dir, 'a'), b: join(dir, 'b') };
    const first = await ptyPair(paths);
    const transport = transportOn(paths.a);
    const statuses: TransportStatus[] = [];
    transport.status$.subscribe((s) => statuses.push(s));
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open on the first pty');

    await first.close();
    const lost = await waitFor(transport.status$, (s) => s.retryInMs !== null, 5000, 'link lost');
    expect(lost.state).toBe('connecting');
    expect(lost.error).toBeTruthy();
    const missing = await waitFor(transport.status$, (s) => /No such file/i.test(s.error ?? ''), 5000, 'ENOENT retry');
    expect(missing.retryInMs).toBeGreaterThan(0);

    const second = await ptyPair(paths);
    await waitFor(transport.status$, (s) => isOpen(s) && statuses.filter(isOpen).length === 2, 5000, 'reopened');
    const chunks: Buffer[] = [];
    transport.data$.subscribe((b) => chunks.push(b));
    const far = await openFarEnd(second.b);
    far.port.write('back');
    await waitFor(transport.data$, () => Buffer.concat(chunks).toString() === 'back', 5000, 'data after replug');
  });
});

describe('createPtyPair', () => {
  it('says how to install socat when it is missing', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(createPtyPair()).rejects.toThrow('socat not found: apt-get install socat');
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
