import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { systemClock, type Clock } from '../core/clock.js';
import { VigilError, describeError } from '../core/errors.js';
import { hexDump, type Logger } from '../core/logger.js';
import type { LinkState } from '../model/device-events.js';
import { DEFAULT_RECONNECT, type ByteTransport, type ReconnectPolicy, type TransportStatus } from './byte-transport.js';
import { reconnectDelayMs } from './reconnect-delay.js';

/** What every transport needs from its owner. */
export interface TransportDeps {
  /** Parent logger; the transport takes a child `{ component: 'transport', transport }`. */
  logger: Logger;
  /** Source of the `since` timestamps in TransportStatus. Default: systemClock. */
  clock?: Clock;
  /** Back-off between connection attempts. Default: DEFAULT_RECONNECT. */
  reconnect?: ReconnectPolicy;
  /** Serial only: the serialport binding. Default: the OS binding; MockBinding in tests. */
  binding?: BindingInterface;
}

/** Callbacks a connection reports to its link. They must not throw. */
export interface LinkHandlers {
  /** Bytes received from the device. */
  onData(bytes: Buffer): void;
  /** The open connection ended without being asked to (peer close, reset, unplug). */
  onLost(reason: string): void;
}

/** One open connection (one socket, one opened port). */
export interface OpenConnection {
  /** Resolves when the bytes are handed to the OS; rejects on failure. */
  write(bytes: Buffer): Promise<void>;
  /** Closes the connection; never rejects; onLost is not called for it. */
  close(): Promise<void>;
}

/**
 * Opens one connection. Resolves once it is open; rejects with the reason when the
 * attempt fails (refused, timeout, ENOENT...). After resolving, it reports through
 * `handlers` until it is closed or lost. `signal` aborts when stop() is called during
 * the attempt: the opener should then give up at once (reject or resolve, either is fine).
 */
export type ConnectionOpener = (handlers: LinkHandlers, signal: AbortSignal) => Promise<OpenConnection>;

/**
 * The reconnect loop shared by the serial and TCP transports: it implements ByteTransport
 * around a ConnectionOpener. After start() it keeps one connection open; when an attempt
 * fails or the open connection is lost it waits reconnectDelayMs() and tries again, until
 * stop(). Status: closed -> connecting -> open -> connecting (error, retryInMs) -> ... -> closed.
 *
 * Callbacks of an abandoned connection (after stop() or a newer attempt) are ignored,
 * so a late event can never reopen or corrupt the link.
 */
export class ReconnectingLink implements ByteTransport {
  readonly data$: Observable<Buffer>;
  readonly status$: Observable<TransportStatus>;
  protected readonly log: Logger;
  private readonly dataSubject = new Subject<Buffer>();
  private readonly statusSubject: BehaviorSubject<TransportStatus>;
  private readonly clock: Clock;
  private readonly policy: ReconnectPolicy;
  private running = false;
  /** Bumped by every attempt and by stop(): callbacks carrying an older value are stale. */
  private generation = 0;
  private connection: OpenConnection | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Attempts since the link was last open. */
  private attempts = 0;
  /** Consecutive failures (a loss counts) since the link was last open: drives the back-off. */
  private failures = 0;
  private lastError: string | null = null;
  /** The last stop(), returned again to callers of stop() until the next start(). */
  private stopping: Promise<void> | null = null;
  /** Settles when the latest attempt has been handled (an abandoned connection closed). */
  private attemptSettled: Promise<void> = Promise.resolve();
  private attemptAbort: AbortController | null = null;

  constructor(
    readonly description: string,
    private readonly openConnection: ConnectionOpener,
    deps: TransportDeps,
  ) {
    this.log = deps.logger.child({ component: 'transport', transport: description });
    this.clock = deps.clock ?? systemClock;
    this.policy = deps.reconnect ?? DEFAULT_RECONNECT;
    this.statusSubject = new BehaviorSubject<TransportStatus>(this.makeStatus('closed', null));
    this.data$ = this.dataSubject.asObservable();
    this.status$ = this.statusSubject.asObservable();
  }

  /** Starts keeping the link open. No-op while already started. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = null;
    this.attempts = 0;
    this.failures = 0;
    this.lastError = null;
    this.log.info('starting');
    this.attempt();
  }

  async write(bytes: Uint8Array): Promise<void> {
    const connection = this.connection;
    if (!this.running || connection === null) {
      const state = this.statusSubject.value.state;
      throw new VigilError('TRANSPORT_NOT_OPEN', `${this.description} is not open (${state})`, {
        transport: this.description,
        state,
        error: this.lastError,
      });
    }
    const buffer = Buffer.from(bytes);
    if (this.log.isLevelEnabled('debug')) this.log.debug({ bytes: buffer.length, hex: hexDump(buffer) }, '->');
    try {
      await connection.write(buffer);
    } catch (err) {
      throw new VigilError(
        'TRANSPORT_WRITE_FAILED',
        `write to ${this.description} failed: ${describeError(err)}`,
        { transport: this.description, bytes: buffer.length },
        { cause: err },
      );
    }
  }

  /** Closes the connection and stops reconnecting; resolves once closed. Idempotent. */
  stop(): Promise<void> {
    if (!this.running) return this.stopping ?? Promise.resolve();
    this.running = false;
    this.generation++;
    this.attemptAbort?.abort();
    this.attemptAbort = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const connection = this.connection;
    this.connection = null;
    this.stopping = this.finishStop(connection, this.attemptSettled);
    return this.stopping;
  }

  private async finishStop(connection: OpenConnection | null, attemptSettled: Promise<void>): Promise<void> {
    if (connection) await connection.close();
    await attemptSettled;
    if (this.running) return; // start() was called again meanwhile
    this.lastError = null;
    this.attempts = 0;
    this.setStatus('closed', null);
    this.log.info('stopped');
  }

  private attempt(): void {
    const generation = ++this.generation;
    this.attempts++;
    this.setStatus('connecting', null);
    const handlers: LinkHandlers = {
      onData: (bytes) => {
        if (generation !== this.generation) return;
        if (this.log.isLevelEnabled('debug')) this.log.debug({ bytes: bytes.length, hex: hexDump(bytes) }, '<-');
        this.dataSubject.next(bytes);
      },
      onLost: (reason) => {
        if (generation !== this.generation || this.connection === null) return;
        this.connection = null;
        this.log.warn({ reason }, 'link lost');
        this.scheduleRetry(reason);
      },
    };
    const abort = new AbortController();
    this.attemptAbort = abort;
    let opening: Promise<OpenConnection>;
    try {
      opening = this.openConnection(handlers, abort.signal);
    } catch (err) {
      opening = Promise.reject(err);
    }
    this.attemptSettled = opening.then(
      async (connection) => {
        if (generation !== this.generation || !this.running) {
          await connection.close();
          return;
        }
        this.connection = connection;
        this.attempts = 0;
        this.failures = 0;
        this.lastError = null;
        this.setStatus('open', null);
        this.log.info('open');
      },
      (err: unknown) => {
        if (generation !== this.generation || !this.running) return;
        const reason = describeError(err);
        // The first failure of a run is news; the same failure again is not.
        const level = reason === this.lastError ? 'debug' : 'warn';
        this.log[level]({ reason, attempt: this.attempts }, 'connection attempt failed');
        this.scheduleRetry(reason);
      },
    );
  }

  private scheduleRetry(reason: string): void {
    if (!this.running) return;
    this.failures++;
    this.lastError = reason;
    const delayMs = reconnectDelayMs(this.failures, this.policy);
    this.setStatus('connecting', delayMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.attempt();
    }, delayMs);
  }

  private setStatus(state: LinkState, retryInMs: number | null): void {
    this.statusSubject.next(this.makeStatus(state, retryInMs));
  }

  private makeStatus(state: LinkState, retryInMs: number | null): TransportStatus {
    return {
      state,
      since: this.clock.now(),
      attempt: state === 'open' ? 0 : this.attempts,
      error: state === 'open' ? null : this.lastError,
      retryInMs,
    };
  }
}
