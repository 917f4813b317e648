import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Socket } from 'node:net';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { Writable } from 'node:stream';
import type { ReconnectPolicy, TransportStatus } from '../../src/transport/byte-transport.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort, startFakeTerminalServer, startUnresponsiveServer, type FakeTerminalServer } from './tcp-test-server.js';

const fast: ReconnectPolicy = { initialDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function transportTo(port: number, reconnect = fast, connectTimeoutMs?: number): TcpTransport {
  const transport = new TcpTransport(
    { host: '127.0.0.1', port, connectTimeoutMs },
    { logger: silentLogger(), reconnect, clock: new ManualClock() },
  );
  cleanups.push(() => transport.stop());
  return transport;
}

async function server(port = 0): Promise<FakeTerminalServer> {
  const s = await startFakeTerminalServer(port);
  cleanups.push(() => s.close());
  return s;
}

function record(transport: TcpTransport): TransportStatus[] {
  const statuses: TransportStatus[] = [];
  transport.status$.subscribe((s) => statuses.push(s));
  return statuses;
}

const isOpen = (s: TransportStatus): boolean => s.state === 'open';
const nthConnection = (srv: FakeTerminalServer, n: number): Promise<Socket> =>
  waitFor(srv.connections$, () => srv.sockets.length >= n, 5000, `server connection #${n}`).then(() => srv.sockets[n - 1] as Socket);

async function expectNotOpen(promise: Promise<void>): Promise<void> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(isVigilError(err, 'TRANSPORT_NOT_OPEN')).toBe(true);
}

describe('TcpTransport against a real TCP server', () => {
  it('starts closed, opens, and delivers the bytes in order', async () => {
    const srv = await server();
    const transport = transportTo(srv.port);
    expect(transport.description).toBe(`tcp://127.0.0.1:${srv.port}`);
    const statuses = record(transport);
    const chunks: Buffer[] = [];
    transport.data$.subscribe((b) => chunks.push(b));
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    const socket = await nthConnection(srv, 1);
    const expected = Buffer.from(Array.from({ length: 2000 }, (_, i) => i % 251));
    for (let i = 0; i < expected.length; i += 100) socket.write(expected.subarray(i, i + 100));
    await waitFor(transport.data$, () => Buffer.concat(chunks).length >= expected.length, 5000, 'all bytes');
    expect(Buffer.concat(chunks)).toEqual(expected);
    expect(statuses.map((s) => s.state)).toEqual(['closed', 'connecting', 'open']);
    expect(statuses[2]).toMatchObject({ attempt: 0, error: null, retryInMs: null });
  });

  it('write reaches the server', async () => {
    const srv = await server();
    const transport = transportTo(srv.port);
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    await nthConnection(srv, 1);
    await transport.write(Uint8Array.from([0x21, 0x49, 0x4e, 0x46, 0x0d]));
    await transport.write(Buffer.from('second'));
    await waitFor(srv.data$, () => srv.received().length >= 11, 5000, 'bytes at the server');
    expect(srv.received().toString('latin1')).toBe('!INF\rsecond');
  });

  it('server drops the connection: connecting with the error, then open again without restart', async () => {
    const srv = await server();
    const transport = transportTo(srv.port);
    const statuses = record(transport);
    const chunks: Buffer[] = [];
    transport.data$.subscribe((b) => chunks.push(b));
    transport.start();
    (await nthConnection(srv, 1)).destroy();
    const lost = await waitFor(transport.status$, (s) => s.retryInMs !== null, 5000, 'retry after drop');
    expect(lost).toMatchObject({ state: 'connecting', error: 'connection closed by the far end', retryInMs: 5 });
    const second = await nthConnection(srv, 2);
    await waitFor(transport.status$, isOpen, 5000, 'reopen');
    second.write('after');
    await waitFor(transport.data$, () => Buffer.concat(chunks).toString() === 'after', 5000, 'data after reconnect');
    expect(statuses.map((s) => s.state)).toEqual(['closed', 'connecting', 'open', 'connecting', 'connecting', 'open']);
  });

  it('a reset connection reports ECONNRESET and reconnects', async () => {
    const srv = await server();
    const transport = transportTo(srv.port);
    transport.start();
    (await nthConnection(srv, 1)).resetAndDestroy();
    const lost = await waitFor(transport.status$, (s) => s.retryInMs !== null, 5000, 'retry after reset');
    expect(lost.error).toMatch(/ECONNRESET/);
    await nthConnection(srv, 2);
    await waitFor(transport.status$, isOpen, 5000, 'reopen');
  });

  it('connection refused: retries with a growing, capped delay, then opens when the server appears', async () => {
    const port = await freePort();
    const transport = transportTo(port);
    const statuses = record(transport);
    transport.start();
    await waitFor(transport.status$, () => statuses.filter((s) => s.retryInMs !== null).length >= 5, 5000, '5 retries');
    const waits = statuses.filter((s) => s.retryInMs !== null);
    expect(waits.slice(0, 5).map((s) => s.retryInMs)).toEqual([5, 10, 20, 20, 20]);
    expect(waits.slice(0, 5).map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(waits[0]?.error).toMatch(/ECONNREFUSED/);
    await expectNotOpen(transport.write(Buffer.from('x')));
    await server(port);
    const open = await waitFor(transport.status$, isOpen, 5000, 'open once the server listens');
    expect(open).toMatchObject({ attempt: 0, error: null });
  });

  it('a connect that hangs times out and counts as a failed attempt', async () => {
    const hung = await startUnresponsiveServer();
    cleanups.push(() => hung.close());
    const transport = transportTo(hung.port, { ...fast, initialDelayMs: 60_000, maxDelayMs: 60_000 }, 200);
    transport.start();
    const failed = await waitFor(transport.status$, (s) => s.retryInMs !== null, 5000, 'connect timeout');
    expect(failed).toMatchObject({ state: 'connecting', attempt: 1, retryInMs: 60_000 });
    expect(failed.error).toMatch(/connect timeout after 200 ms/);
  });

  it('stop() during a hanging connect gives up the attempt without waiting for the connect timeout', async () => {
    const hung = await startUnresponsiveServer();
    cleanups.push(() => hung.close());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const transport = transportTo(hung.port, fast, 60_000);
    const statuses = record(transport);
    transport.start();
    expect(statuses.at(-1)).toMatchObject({ state: 'connecting', attempt: 1 });
    // Fake time never reaches the 60 s connect timeout: only the abort can end the attempt.
    await transport.stop();
    expect(statuses.map((s) => s.state)).toEqual(['closed', 'connecting', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() closes the open connection, reports closed, and later writes are refused', async () => {
    const srv = await server();
    const transport = transportTo(srv.port);
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    const socket = await nthConnection(srv, 1);
    const serverSawClose = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await transport.stop();
    await serverSawClose;
    await expect(waitFor(transport.status$, () => true, 100, 'status')).resolves.toMatchObject({ state: 'closed' });
    await expectNotOpen(transport.write(Buffer.from('late')));
    await transport.stop(); // idempotent
  });

  it('stop() while waiting to retry cancels the retry: no attempt and no status afterwards', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const port = await freePort();
    const transport = transportTo(port, { ...fast, initialDelayMs: 1000 });
    const statuses = record(transport);
    transport.start();
    await waitFor(transport.status$, (s) => s.retryInMs !== null, 5000, 'first retry scheduled');
    await transport.stop();
    const afterStop = statuses.length;
    expect(statuses[afterStop - 1]).toMatchObject({ state: 'closed', error: null, retryInMs: null });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(3_600_000);
    expect(statuses).toHaveLength(afterStop);
  });

  it('write before start is refused with TRANSPORT_NOT_OPEN', async () => {
    const srv = await server();
    await expectNotOpen(transportTo(srv.port).write(Buffer.from('x')));
  });

  it('status timestamps come from the injected clock', async () => {
    const srv = await server();
    const clock = new ManualClock(1_000);
    const transport = new TcpTransport({ host: '127.0.0.1', port: srv.port }, { logger: silentLogger(), clock });
    cleanups.push(() => transport.stop());
    clock.advance(500);
    transport.start();
    const open = await waitFor(transport.status$, isOpen, 5000, 'open');
    expect(open.since).toBe(1_500);
  });

  it('can be started again after stop()', async () => {
    const srv = await server();
    const transport = transportTo(srv.port);
    const statuses = record(transport);
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'first open');
    await transport.stop();
    transport.start();
    await nthConnection(srv, 2);
    await waitFor(transport.status$, isOpen, 5000, 'second open');
    expect(statuses.map((s) => s.state)).toEqual(['closed', 'connecting', 'open', 'closed', 'connecting', 'open']);
  });

  it('logs the wire at debug level with direction arrows and hex', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const srv = await server();
    const transport = new TcpTransport(
      { host: '127.0.0.1', port: srv.port },
      { logger: createLogger({ level: 'debug' }, sink), reconnect: fast },
    );
    cleanups.push(() => transport.stop());
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    (await nthConnection(srv, 1)).write(Buffer.from([0x41, 0x0d]));
    await waitFor(transport.data$, () => true, 5000, 'data');
    await transport.write(Buffer.from([0x02, 0xff]));
    const wire = lines.filter((l) => l.msg === '<-' || l.msg === '->');
    expect(wire).toEqual([
      expect.objectContaining({ msg: '<-', hex: '41 0d', bytes: 2, component: 'transport', transport: transport.description }),
      expect.objectContaining({ msg: '->', hex: '02 ff', bytes: 2 }),
    ]);
  });
});
