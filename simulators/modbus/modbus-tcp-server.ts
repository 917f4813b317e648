import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { VigilError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { DeviceOutput, DeviceReceiver } from '../serve/device-output.js';
import { exceptionPdu, MODBUS_EXCEPTION } from './modbus-exceptions.js';
import type { ModbusSlave } from './modbus-slave.js';

/** MBAP header: transaction id (2), protocol id (2, 0 = Modbus), length (2), unit id (1). */
const MBAP_BYTES = 7;
/** Length field: unit id + PDU, PDU at most 253 bytes (Modbus Messaging on TCP/IP v1.0b, 3.1.3). */
const MAX_LENGTH_FIELD = 254;
const MAX_QUEUED_BYTES = 64 * 1024;

export interface ModbusTcpServerOptions {
  readonly slave: ModbusSlave;
  readonly host: string;
  /** 0 picks a free port (start() returns it). */
  readonly port: number;
  readonly logger: Logger;
}

/**
 * Modbus TCP server for one simulated slave: any number of clients, each with its own
 * receive buffer; several requests may arrive in one segment or one across several.
 * Unit id: the slave's own, 0 or 255 (the "direct connection" ids) are answered; any other
 * gets exception 0B, gateway target failed to respond (unlike modbus-serial's ServerTCP,
 * which stays silent). A header whose protocol id is not 0 or whose length is outside
 * 2-254 cannot be resynchronised on a stream: it is counted and the connection closed.
 * It implements DeviceOutput so the SimulatorHost lists, disconnects and stops it like its
 * other outputs; `write()` sends raw bytes (noise) to every client; it needs no receiver.
 */
export class ModbusTcpServer implements DeviceOutput {
  private server: Server | null = null;
  private readonly clients = new Set<Socket>();
  private connected = true;
  private boundPort: number;

  constructor(private readonly o: ModbusTcpServerOptions) {
    this.boundPort = o.port;
  }

  get description(): string {
    return `modbus-tcp://${this.o.host}:${this.boundPort}`;
  }

  async start(): Promise<{ port: number }> {
    if (this.server) return { port: this.boundPort };
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new VigilError('SIMULATOR_LISTEN_FAILED', `cannot listen on ${this.description}: ${err.message}`, {
          host: this.o.host, port: this.boundPort,
        }, { cause: err })),
      );
      server.listen(this.boundPort, this.o.host, () => resolve());
    });
    server.on('error', (err) => this.o.logger.error({ err }, 'modbus tcp server error'));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.o.logger.info({ listen: this.description }, 'modbus tcp server listening');
    return { port: this.boundPort };
  }

  /** Raw bytes to every client (line noise for the `garbage` event). */
  write(bytes: Buffer): void {
    if (!this.connected) return;
    for (const socket of this.clients) if (socket.writableLength <= MAX_QUEUED_BYTES) socket.write(bytes);
  }

  /** `false` drops every client and resets new connections; `true` accepts them again. */
  setConnected(connected: boolean): void {
    this.connected = connected;
    if (connected) return;
    for (const socket of this.clients) socket.destroy();
    this.clients.clear();
  }

  /** Not used: the server answers from its slave's register bank. */
  setReceiver(_receiver: DeviceReceiver | null): void {}

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
    socket.on('error', (err) => this.o.logger.debug({ peer, err: err.message }, 'client socket error'));
    if (!this.connected) {
      socket.resetAndDestroy();
      return;
    }
    this.clients.add(socket);
    this.o.logger.info({ peer }, 'modbus client connected');
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (bytes: Buffer) => {
      pending = Buffer.concat([pending, bytes]);
      try {
        pending = this.drain(socket, pending);
      } catch (err) {
        // A simulator bug must not take the host (possibly the daemon) down.
        this.o.logger.error({ peer, err }, 'modbus tcp request failed');
        socket.destroy();
      }
    });
    socket.on('close', () => {
      this.clients.delete(socket);
      this.o.logger.info({ peer }, 'modbus client disconnected');
    });
  }

  /** Answers every complete request in `pending`; returns what is left over. */
  private drain(socket: Socket, pending: Buffer): Buffer {
    let rest = pending;
    while (rest.length >= MBAP_BYTES) {
      const protocolId = rest.readUInt16BE(2);
      const length = rest.readUInt16BE(4);
      if (protocolId !== 0 || length < 2 || length > MAX_LENGTH_FIELD) {
        this.o.slave.countRejected(rest, `bad MBAP header (protocol ${protocolId}, length ${length})`);
        socket.destroy();
        return Buffer.alloc(0);
      }
      if (rest.length < 6 + length) break;
      this.handle(socket, rest.subarray(0, 6 + length));
      rest = rest.subarray(6 + length);
    }
    return Buffer.from(rest);
  }

  private handle(socket: Socket, adu: Buffer): void {
    const unitId = adu[6] as number;
    const pdu = Buffer.from(adu.subarray(MBAP_BYTES));
    let reply: { pdu: Buffer; corrupt: boolean } | null;
    if (unitId === this.o.slave.unitId || unitId === 0 || unitId === 0xff) {
      reply = this.o.slave.answer(pdu);
    } else {
      this.o.slave.countOtherUnit(unitId);
      const silent = this.o.slave.replyFault === 'silent';
      reply = silent ? null : { pdu: exceptionPdu(pdu[0] ?? 0, MODBUS_EXCEPTION.gatewayTargetFailed), corrupt: false };
    }
    if (!reply || !this.connected || socket.destroyed || socket.writableLength > MAX_QUEUED_BYTES) return;
    const header = Buffer.alloc(MBAP_BYTES);
    adu.copy(header, 0, 0, 2);
    header.writeUInt16BE(reply.corrupt ? 0xdead : 0, 2);
    header.writeUInt16BE(reply.pdu.length + 1, 4);
    header[6] = unitId;
    const out = Buffer.from(reply.pdu);
    if (reply.corrupt && out.length > 1) out[1] = (out[1] as number) ^ 0xff;
    socket.write(Buffer.concat([header, out]));
  }
}
