import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { VigilError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { DeviceOutput, DeviceReceiver } from './device-output.js';

/** Bytes queued for one slow client beyond which further bytes are dropped for it. */
const MAX_QUEUED_BYTES = 64 * 1024;

/**
 * One TCP port per simulated device, like a terminal-server port carrying one RS-232
 * line (device-protocols.md, "Serial over the network"): every connected client gets
 * the device's byte stream from the moment it connects. What clients send is ignored
 * (the Masimo output is one-way) unless the device set a receiver (a pump answers each
 * client on its own socket). While the device is disconnected, clients are dropped and
 * new connections are accepted and reset at once. With `maxClients` (1 for a pump: one
 * RS-232 line), a connection beyond it is closed at once.
 */
export class TcpDeviceServer implements DeviceOutput {
  private server: Server | null = null;
  private readonly clients = new Set<Socket>();
  private connected = true;
  private boundPort: number;
  private receiver: DeviceReceiver | null = null;
  private readonly maxClients: number;

  constructor(
    private readonly host: string,
    port: number,
    private readonly logger: Logger,
    options: { maxClients?: number } = {},
  ) {
    this.boundPort = port;
    this.maxClients = options.maxClients ?? Number.POSITIVE_INFINITY;
  }

  get description(): string {
    return `tcp://${this.host}:${this.boundPort}`;
  }

  async start(): Promise<{ port: number }> {
    if (this.server) return { port: this.boundPort };
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new VigilError('SIMULATOR_LISTEN_FAILED', `cannot listen on ${this.description}: ${err.message}`, {
          host: this.host, port: this.boundPort,
        }, { cause: err })),
      );
      server.listen(this.boundPort, this.host, () => resolve());
    });
    server.on('error', (err) => this.logger.error({ err }, 'tcp server error'));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.logger.info({ listen: this.description }, 'simulator listening');
    return { port: this.boundPort };
  }

  write(bytes: Buffer): void {
    if (!this.connected) return;
    for (const socket of this.clients) {
      if (socket.writableLength > MAX_QUEUED_BYTES) continue;
      socket.write(bytes);
    }
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    if (connected) return;
    for (const socket of this.clients) socket.destroy();
    this.clients.clear();
  }

  setReceiver(receiver: DeviceReceiver | null): void {
    this.receiver = receiver;
  }

  detail(): string {
    if (!this.connected) return 'refusing connections';
    return `${this.clients.size} client${this.clients.size === 1 ? '' : 's'}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.clients) socket.destroy();
    this.clients.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('error', (err) => this.logger.debug({ peer, err: err.message }, 'client socket error'));
    if (!this.connected) {
      this.logger.debug({ peer }, 'device disconnected: connection refused');
      socket.resetAndDestroy();
      return;
    }
    if (this.clients.size >= this.maxClients) {
      this.logger.info({ peer, maxClients: this.maxClients }, 'port busy: connection closed');
      socket.destroy();
      return;
    }
    this.clients.add(socket);
    this.logger.info({ peer }, 'client connected');
    socket.on('data', (bytes: Buffer) => this.receive(socket, peer, bytes));
    socket.on('close', () => {
      this.clients.delete(socket);
      this.logger.info({ peer }, 'client disconnected');
      this.safely(peer, () => this.receiver?.linkReset());
    });
  }

  private receive(socket: Socket, peer: string, bytes: Buffer): void {
    const receiver = this.receiver;
    if (!receiver) {
      this.logger.debug({ peer, bytes: bytes.length }, 'ignored bytes from client');
      return;
    }
    const reply = (out: Buffer): void => {
      if (this.connected && !socket.destroyed && socket.writableLength <= MAX_QUEUED_BYTES) socket.write(out);
    };
    this.safely(peer, () => receiver.receive(bytes, reply));
  }

  /** A device bug must not take the host (possibly the daemon) down. */
  private safely(peer: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ peer, err }, 'device failed handling client bytes');
    }
  }
}
