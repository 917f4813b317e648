/**
 * The browser's link to the daemon: one WebSocket, reconnected with exponential
 * back-off, and judged lost not only on close but also when nothing (not even a
 * `pong`) arrives for `silenceTimeoutMs`, so a half-open link never leaves a nurse
 * looking at frozen numbers. DOM-free: the socket is made by an injected factory.
 */
import { STATION_PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from './protocol-types.js';

/** A handler type checked bivariantly (method style), so the DOM's handler properties fit it. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'] | null;

/** The part of the browser WebSocket this module uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<unknown>;
  onerror: Handler<unknown>;
}

/** WebSocket.OPEN */
const OPEN = 1;

/** `connecting`: never live yet; `live`: hello received, messages flowing; `lost`: was live or failed, retrying. */
export type LinkView =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'live' }
  | { kind: 'lost'; attempt: number; retryInMs: number; reason: string };

export interface ConnectionOptions {
  url: string;
  createSocket(url: string): SocketLike;
  onMessage(message: ServerMessage, localNow: number): void;
  onLinkChange(link: LinkView): void;
  /** Local epoch ms. Default Date.now. */
  now?: () => number;
  /** How often to send `ping`. Default 2000 ms. */
  pingIntervalMs?: number;
  /** No message for this long = link lost. Default 6000 ms. */
  silenceTimeoutMs?: number;
  /** First reconnect delay, doubled per failure up to maxDelayMs. Defaults 500 / 5000 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

const KNOWN_TYPES = new Set(['hello', 'snapshot', 'observation', 'device-status', 'alarm', 'alarm-event', 'pump', 'order', 'pump-change', 'waveform', 'subscribed', 'pong', 'error']);

/** Parses a server frame; anything unexpected (or a future message type) is null. */
export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const raw: unknown = JSON.parse(data);
    if (typeof raw !== 'object' || raw === null) return null;
    const { v, type } = raw as { v?: unknown; type?: unknown };
    if (v !== STATION_PROTOCOL_VERSION || typeof type !== 'string' || !KNOWN_TYPES.has(type)) return null;
    return raw as ServerMessage;
  } catch {
    return null;
  }
}

export class StationConnection {
  private socket: SocketLike | null = null;
  private failures = 0;
  private everLive = false;
  private live = false;
  private lastMessageAt = 0;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: ConnectionOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Opens the first connection. */
  start(): void {
    this.stopped = false;
    this.options.onLinkChange({ kind: 'connecting', attempt: 1 });
    this.open();
  }

  /** Closes the link for good. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.detach()?.close();
  }

  /** Sends a message on the open link; false when there is none (nothing is queued). */
  send(message: ClientMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Reconnect delay after `failures` consecutive failures. */
  delayMs(failures: number): number {
    const initial = this.options.initialDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 5_000;
    return Math.min(max, initial * 2 ** Math.max(0, failures - 1));
  }

  private open(): void {
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    this.lastMessageAt = this.now();
    socket.onmessage = (event) => this.onFrame(event.data);
    socket.onclose = () => this.fail('connection closed');
    socket.onerror = () => this.fail('connection error');
    this.pingTimer = setInterval(() => this.tick(), this.options.pingIntervalMs ?? 2_000);
  }

  private onFrame(data: unknown): void {
    const now = this.now();
    this.lastMessageAt = now;
    const message = parseServerMessage(data);
    if (!message) return;
    if (message.type === 'hello' && !this.live) {
      this.live = true;
      this.everLive = true;
      this.failures = 0;
      this.options.onLinkChange({ kind: 'live' });
    }
    this.options.onMessage(message, now);
  }

  private tick(): void {
    const socket = this.socket;
    if (!socket) return;
    const silentMs = this.now() - this.lastMessageAt;
    if (silentMs > (this.options.silenceTimeoutMs ?? 6_000)) {
      this.fail(`no message from the station for ${Math.round(silentMs / 1000)} s`);
      return;
    }
    if (socket.readyState === OPEN) {
      socket.send(JSON.stringify({ v: STATION_PROTOCOL_VERSION, type: 'ping' }));
    }
  }

  /** Drops the current socket and schedules the next attempt. */
  private fail(reason: string): void {
    if (this.stopped || !this.socket) return;
    this.clearTimers();
    this.detach()?.close();
    this.live = false;
    this.failures += 1;
    const retryInMs = this.delayMs(this.failures);
    const attempt = this.failures + 1;
    this.options.onLinkChange(
      this.everLive ? { kind: 'lost', attempt, retryInMs, reason } : { kind: 'connecting', attempt },
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, retryInMs);
  }

  private detach(): SocketLike | null {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    }
    return socket;
  }

  private clearTimers(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.pingTimer = this.retryTimer = null;
  }
}
