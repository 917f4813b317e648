import { Socket } from 'node:net';
import { describeError } from '../core/errors.js';
import type { ByteTransport } from './byte-transport.js';
import {
  ReconnectingLink,
  type LinkHandlers,
  type OpenConnection,
  type TransportDeps,
} from './reconnecting-link.js';

export type { TransportDeps } from './reconnecting-link.js';

/** Where the raw TCP port of a terminal server is ("Serial over the network"). */
export interface TcpTransportOptions {
  host: string;
  port: number;
  /** Give up one connection attempt after this long. Default 5000. */
  connectTimeoutMs?: number;
}

/** Default limit for one TCP connection attempt. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Idle time before the OS starts TCP keepalive probes, so a dead terminal server is noticed. */
export const TCP_KEEPALIVE_DELAY_MS = 10_000;

/**
 * Raw TCP to one port of a terminal server, which carries exactly the bytes of the
 * bedside RS-232 line (device-protocols.md, "Serial over the network"). A connection the
 * far end closes or resets, or that does not connect within connectTimeoutMs, is a link
 * failure: the transport reconnects with back-off until stop().
 */
export class TcpTransport extends ReconnectingLink implements ByteTransport {
  constructor(options: TcpTransportOptions, deps: TransportDeps) {
    const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    super(
      `tcp://${hostPart}:${options.port}`,
      (handlers, signal) => openTcpConnection(options.host, options.port, connectTimeoutMs, handlers, signal),
      deps,
    );
  }
}

/** Connects one socket; resolves when connected, rejects on error, early close or timeout. */
function openTcpConnection(
  host: string,
  port: number,
  connectTimeoutMs: number,
  handlers: LinkHandlers,
  signal: AbortSignal,
): Promise<OpenConnection> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let connected = false;
    let settled = false;
    let closedByUs = false;
    let lastError: Error | null = null;

    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`connect timeout after ${connectTimeoutMs} ms to ${host}:${port}`)),
      connectTimeoutMs,
    );

    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const connection: OpenConnection = {
      write: (bytes) =>
        new Promise<void>((done, failWrite) => {
          if (socket.destroyed) {
            failWrite(new Error('socket closed'));
            return;
          }
          socket.write(bytes, (err) => (err ? failWrite(err) : done()));
        }),
      close: async () => {
        closedByUs = true;
        socket.destroy();
        await closed;
      },
    };

    socket.on('connect', () => {
      if (settled) return;
      settled = true;
      connected = true;
      clearTimeout(timer);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, TCP_KEEPALIVE_DELAY_MS);
      resolve(connection);
    });
    socket.on('data', (bytes: Buffer) => handlers.onData(bytes));
    // An 'error' is always followed by 'close'; remember it to explain the close.
    socket.on('error', (err) => {
      lastError = err;
      if (!connected) fail(err);
    });
    socket.on('close', () => {
      if (!connected) {
        fail(lastError ?? new Error(`connection to ${host}:${port} closed before it opened`));
        return;
      }
      if (closedByUs) return;
      handlers.onLost(lastError ? describeError(lastError) : 'connection closed by the far end');
    });

    // stop() during the attempt: give up now rather than after connectTimeoutMs.
    signal.addEventListener('abort', () => fail(new Error('connection attempt cancelled')), { once: true });
    try {
      socket.connect({ host, port });
    } catch (err) {
      // e.g. a port out of range: reported like any failed attempt.
      fail(err instanceof Error ? err : new Error(describeError(err)));
    }
  });
}
