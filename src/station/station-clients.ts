/**
 * The station's WebSocket clients: greets each with `hello` + `snapshot`, answers
 * client messages, broadcasts live events, and protects everyone from a slow or dead
 * client (dropped when its send buffer grows too large or it stops answering pings).
 * Waveform chunks go only to clients that subscribed, and are skipped (never queued)
 * for a client whose send buffer is already above a lower limit: waveform traffic alone
 * never gets a client dropped, and never queues up in front of its alarms.
 *
 * Sends are batched per turn of the event loop: the first message to a client corks its
 * socket and the batch is written (one writev) once the current callback's work is done
 * (process.nextTick), so the five to ten messages one device frame produces cost one
 * system call instead of one each, and nothing waits for a timer. A batch is written early
 * once it holds BATCH_MAX_BYTES, so a burst never makes a healthy client look slow.
 */
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { StationState } from './station-state.js';
import {
  STATION_PROTOCOL_VERSION,
  errorMessage,
  parseClientMessage,
  type ClientMessage,
  type ServerMessage,
  type WaveformMessage,
} from './station-protocol.js';

/** A client's batch is written as soon as it holds this much (well below any drop limit). */
const BATCH_MAX_BYTES = 16 * 1024;

export interface StationClientsOptions {
  readonly state: StationState;
  readonly logger: Logger;
  readonly clock: Clock;
  /** A client whose unsent data exceeds this is dropped. */
  readonly maxBufferedBytes: number;
  /** Longest accepted client text frame; longer ones get a MESSAGE_TOO_LARGE error. */
  readonly maxClientMessageBytes: number;
  /** Interval of WebSocket pings; a client that missed the previous one is dropped. */
  readonly heartbeatMs: number;
  /** A waveform chunk is skipped for a client whose unsent data would exceed this (below maxBufferedBytes). */
  readonly maxWaveformBufferedBytes: number;
  /** Called after each batch of sends has been handed to the sockets (the benchmark's probe). */
  readonly onFlush?: () => void;
}

interface ClientEntry {
  readonly remote: string;
  /** The connection's socket, corked while a batch of sends is being built. */
  readonly socket: Duplex | null;
  alive: boolean;
  /** Subscribed to `waveform` messages. */
  waveforms: boolean;
  /** Waveform chunks skipped since the client fell behind (0 = keeping up). */
  skippedChunks: number;
}

export class StationClients {
  private readonly clients = new Map<WebSocket, ClientEntry>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Sockets corked by this turn's sends, uncorked by `flush`. */
  private readonly corked = new Set<Duplex>();
  private flushPlanned = false;

  constructor(private readonly options: StationClientsOptions) {
    this.heartbeat = setInterval(() => this.checkHeartbeats(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes a freshly upgraded connection (and its socket, for batching): greets it and serves its messages. */
  attach(ws: WebSocket, remote: string, socket: Duplex | null = null): void {
    const entry: ClientEntry = { remote, socket, alive: true, waveforms: false, skippedChunks: 0 };
    this.clients.set(ws, entry);
    const log = this.options.logger;
    log.info({ remote, clients: this.clients.size }, 'station client connected');
    ws.on('pong', () => {
      entry.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
    ws.on('error', (err) => log.debug({ remote, err: err.message }, 'station client socket error'));
    ws.on('close', () => {
      this.clients.delete(ws);
      log.info({ remote, clients: this.clients.size }, 'station client disconnected');
    });
    const now = this.options.clock.now();
    this.send(ws, { v: STATION_PROTOCOL_VERSION, type: 'hello', protocol: STATION_PROTOCOL_VERSION, serverTime: now });
    this.send(ws, this.options.state.snapshot(now));
  }

  /** Sends one message to every client (serialised once). */
  broadcast(message: ServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of [...this.clients.keys()]) this.sendText(ws, text);
  }

  /**
   * Sends a waveform chunk to every subscribed client that keeps up. A client whose
   * send buffer is above `maxWaveformBufferedBytes` misses the chunk (its trace shows a
   * gap); it is not dropped for it.
   */
  broadcastWaveform(message: WaveformMessage): void {
    let text: string | null = null;
    for (const [ws, entry] of [...this.clients]) {
      if (!entry.waveforms || ws.readyState !== WebSocket.OPEN) continue;
      text ??= JSON.stringify(message);
      if (ws.bufferedAmount + text.length > this.options.maxWaveformBufferedBytes) {
        if (entry.skippedChunks === 0) {
          this.options.logger.warn(
            { remote: entry.remote, bufferedBytes: ws.bufferedAmount, maxWaveformBufferedBytes: this.options.maxWaveformBufferedBytes },
            'station client falling behind: skipping waveform chunks (alarms and values still sent)',
          );
        }
        entry.skippedChunks += 1;
        continue;
      }
      if (entry.skippedChunks > 0) {
        this.options.logger.info({ remote: entry.remote, skippedChunks: entry.skippedChunks }, 'station client caught up: waveforms resumed');
        entry.skippedChunks = 0;
      }
      this.sendText(ws, text);
    }
  }

  /** Closes every connection and stops the heartbeat. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    this.flush();
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    this.sendText(ws, JSON.stringify(message));
  }

  private sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    // The backlog decides, not this message: a large snapshot (hundreds of beds) is sent
    // whole to a client that keeps up; a client whose unsent data has grown past the
    // limit is dropped.
    if (ws.bufferedAmount > this.options.maxBufferedBytes) {
      const remote = this.clients.get(ws)?.remote;
      this.options.logger.warn(
        { remote, bufferedBytes: ws.bufferedAmount, maxBufferedBytes: this.options.maxBufferedBytes },
        'station client too slow: dropped',
      );
      this.drop(ws);
      return;
    }
    const socket = this.clients.get(ws)?.socket ?? null;
    this.cork(socket);
    ws.send(text, (err) => {
      if (err) {
        this.options.logger.debug({ err: err.message }, 'station send failed: dropping client');
        this.drop(ws);
      }
    });
    if (socket !== null && socket.writableLength >= BATCH_MAX_BYTES && this.corked.delete(socket)) socket.uncork();
  }

  /** Corks the client's socket for the rest of this turn (once), and plans the flush. */
  private cork(socket: Duplex | null): void {
    if (socket === null || this.corked.has(socket) || socket.destroyed) return;
    socket.cork();
    this.corked.add(socket);
    if (!this.flushPlanned) {
      this.flushPlanned = true;
      process.nextTick(this.flush);
    }
  }

  /** Writes every batch built this turn. */
  private readonly flush = (): void => {
    this.flushPlanned = false;
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
    this.options.onFlush?.();
  };

  private drop(ws: WebSocket): void {
    this.clients.delete(ws);
    ws.terminate();
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      this.send(ws, errorMessage('INVALID_MESSAGE', 'binary frames are not supported: send JSON text'));
      return;
    }
    if (bytes.length > this.options.maxClientMessageBytes) {
      const text = `message of ${bytes.length} bytes exceeds ${this.options.maxClientMessageBytes}`;
      this.send(ws, errorMessage('MESSAGE_TOO_LARGE', text));
      return;
    }
    const parsed = parseClientMessage(bytes.toString('utf8'));
    if (!parsed.ok) {
      this.options.logger.debug({ error: parsed.error.message }, 'station client message rejected');
      this.send(ws, parsed.error);
      return;
    }
    this.handle(ws, parsed.message);
  }

  private handle(ws: WebSocket, message: ClientMessage): void {
    const now = this.options.clock.now();
    const requestId = message.requestId === undefined ? {} : { requestId: message.requestId };
    switch (message.type) {
      case 'ping':
        this.send(ws, { v: STATION_PROTOCOL_VERSION, type: 'pong', serverTime: now, ...requestId });
        return;
      case 'get-snapshot':
        this.send(ws, this.options.state.snapshot(now, message.requestId));
        return;
      case 'subscribe': {
        const entry = this.clients.get(ws);
        if (entry) {
          entry.waveforms = message.waveforms;
          entry.skippedChunks = 0;
        }
        this.send(ws, { v: STATION_PROTOCOL_VERSION, type: 'subscribed', waveforms: message.waveforms, ...requestId });
        return;
      }
    }
  }

  private checkHeartbeats(): void {
    for (const [ws, entry] of this.clients) {
      if (!entry.alive) {
        this.options.logger.warn({ remote: entry.remote }, 'station client stopped answering pings: dropped');
        this.drop(ws);
        continue;
      }
      entry.alive = false;
      ws.ping();
    }
  }
}
