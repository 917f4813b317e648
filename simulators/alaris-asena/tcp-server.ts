import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../src/core/logger.js';
import { VigilError } from '../../src/core/errors.js';
import type { AsenaProtocolHandler } from './protocol-handler.js';

/**
 * Serves one simulated Asena GH pump on one TCP port, like a terminal-server port wired to the
 * pump's RS-232 line: one client at a time (a second connection is closed at once), and the
 * pump only answers what it is asked.
 */

export interface AsenaTcpServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  readonly logger?: Logger;
}

export interface AsenaTcpServer {
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** True while a client is connected. */
  readonly connected: boolean;
  /** Drops the current client (the pump's line is cut); new clients may connect. */
  dropClient(): void;
  /** Closes the client and the listening socket. Idempotent. */
  close(): Promise<void>;
}

export async function serveAsenaPump(handler: AsenaProtocolHandler, options: AsenaTcpServerOptions): Promise<AsenaTcpServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger;
  let client: Socket | null = null;
  let closed = false;

  const server: Server = createServer((socket) => {
    if (client) {
      log?.debug({ remote: socket.remoteAddress }, 'sim asena: port busy, connection refused');
      socket.destroy();
      return;
    }
    client = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        const reply = handler.handleBytes(chunk);
        if (reply.length > 0 && !socket.destroyed) socket.write(reply);
      } catch (err) {
        log?.error({ err }, 'sim asena: internal error handling bytes');
      }
    });
    socket.on('error', (err) => log?.debug({ err: err.message }, 'sim asena: client socket error'));
    socket.on('close', () => {
      if (client === socket) {
        client = null;
        handler.resetLink();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new VigilError('SIMULATOR_LISTEN_FAILED', `Asena simulator cannot listen on ${host}:${options.port}: ${err.message}`, {
        host, port: options.port,
      }, { cause: err }));
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log?.error({ err: err.message }, 'sim asena: server error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log?.info({ host, port, serial: handler.pump.serial }, 'sim asena: listening');

  return {
    host,
    port,
    get connected() {
      return client !== null;
    },
    dropClient() {
      client?.destroy();
    },
    async close() {
      if (closed) return;
      closed = true;
      client?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
