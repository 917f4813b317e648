import type { Observable } from 'rxjs';
import type { LinkState } from '../model/device-events.js';

/** The link state of a transport, with what went wrong last. */
export interface TransportStatus {
  readonly state: LinkState;
  /** Epoch ms of the change. */
  readonly since: number;
  /** Connection attempts since the link was last open (0 while open). */
  readonly attempt: number;
  /** Why the link is not open, when known (e.g. `ECONNREFUSED 127.0.0.1:4101`). */
  readonly error: string | null;
  /** Milliseconds until the next attempt, while waiting to reconnect. */
  readonly retryInMs: number | null;
}

/** Reconnect back-off: delay = min(maxDelayMs, initialDelayMs * factor^(attempt-1)), plus jitter. */
export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Fraction of random jitter added to each delay (0..1). */
  readonly jitter: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.1,
};

/**
 * A byte stream to one device: a local serial port, or a raw TCP port of a terminal
 * server that carries the same RS-232 bytes. Drivers only ever see this interface.
 *
 * After `start()`, the transport keeps itself open: on error or close it reconnects
 * with back-off until `stop()`. `data$` and `status$` are hot and never error.
 */
export interface ByteTransport {
  /** For logs and the station, e.g. `tcp://10.0.0.5:4001` or `serial:///dev/ttyUSB0`. */
  readonly description: string;
  readonly data$: Observable<Buffer>;
  /** Replays the current status to each new subscriber. */
  readonly status$: Observable<TransportStatus>;
  start(): void;
  /** Writes bytes; rejects with VigilError TRANSPORT_NOT_OPEN when the link is down. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the link and stops reconnecting. Idempotent. */
  stop(): Promise<void>;
}
