import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { ReplaySubject, type Observable } from 'rxjs';

/** A raw-TCP "terminal server" on 127.0.0.1 for transport tests: records what it receives. */
export interface FakeTerminalServer {
  readonly port: number;
  /** Every accepted socket, in order (replayed to late subscribers). */
  readonly connections$: Observable<Socket>;
  readonly sockets: Socket[];
  /** Every chunk received, on any connection (replayed to late subscribers). */
  readonly data$: Observable<Buffer>;
  /** Bytes received over all connections, concatenated. */
  received(): Buffer;
  /** Stops listening and destroys open sockets. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port` 0 = any free port). */
export async function startFakeTerminalServer(port = 0): Promise<FakeTerminalServer> {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const connections = new ReplaySubject<Socket>();
  const data = new ReplaySubject<Buffer>();
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (bytes: Buffer) => {
      chunks.push(bytes);
      data.next(bytes);
    });
    socket.on('error', () => undefined); // resets are expected in these tests
    connections.next(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections$: connections.asObservable(),
    data$: data.asObservable(),
    sockets,
    received: () => Buffer.concat(chunks),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 with nothing listening (connections are refused). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Listen backlog of the unresponsive listener: the kernel queues backlog + 1 connections. */
const UNRESPONSIVE_BACKLOG = 1;
/** A listener that never accepts, in a worker whose event loop is blocked. */
const UNRESPONSIVE_LISTENER = `
const { parentPort } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: ${UNRESPONSIVE_BACKLOG} }, () => {
  parentPort.postMessage(server.address().port);
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 0);
});`;

/**
 * A TCP port where a connection attempt hangs (like a terminal server that is powered
 * but wedged): a listener that never accepts, with its accept queue filled, so the
 * kernel drops further SYNs and connect() neither succeeds nor fails. Linux only: the
 * queue is known to be full from /proc/net/tcp, not guessed from timing.
 */
export async function startUnresponsiveServer(): Promise<{ port: number; close(): Promise<void> }> {
  const worker = new Worker(UNRESPONSIVE_LISTENER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (value: number) => resolve(value));
    worker.once('error', reject);
  });
  const fillers: Socket[] = [];
  const close = async (): Promise<void> => {
    for (const socket of fillers) socket.destroy();
    await worker.terminate();
  };
  try {
    for (let i = 0; i < 64; i++) {
      if (await acceptQueueFull(port)) return { port, close };
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      fillers.push(socket);
      let connected = false;
      socket.once('connect', () => (connected = true));
      // A filler made while the queue had room connects; wait for that (or a full queue).
      for (let polls = 0; !connected && polls < 500; polls++) {
        if (await acceptQueueFull(port)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  await close();
  throw new Error('could not fill the accept queue of the unresponsive listener');
}

/** True when the listening socket on 127.0.0.1:port has a full accept queue (Linux /proc/net/tcp). */
async function acceptQueueFull(port: number): Promise<boolean> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // fields: sl local rem st tx_queue:rx_queue ...; for a listener (st 0A) rx_queue is the
    // accept queue length, full when above the backlog (sk_acceptq_is_full).
    if (fields[1] !== local || fields[3] !== '0A') continue;
    const queued = parseInt((fields[4] ?? '0:0').split(':')[1] ?? '0', 16);
    return queued > UNRESPONSIVE_BACKLOG;
  }
  throw new Error(`no listener on 127.0.0.1:${port} in /proc/net/tcp`);
}
