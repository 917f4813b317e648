import { VigilError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

/**
 * One command at a time per line, first in first out, each waiting for its reply with a
 * matcher and a timeout (a "waitress", as in zigbee-herdsman). The stack is captured when a
 * command is queued, so a timeout or abort error points at the caller that asked for it.
 * Timers use setTimeout, so vi.useFakeTimers() drives them in tests.
 *
 * Generic over the command and reply types: the owner supplies `send` (encode + write) and
 * feeds every decoded reply to `offer()`.
 */

export interface CommandQueueOptions {
  /** How long to wait for the reply of a sent command, unless the request says otherwise. */
  readonly responseTimeoutMs: number;
  /** Longest queue (excluding the command in flight); further requests are refused. Default 32. */
  readonly maxQueued?: number;
  readonly logger?: Logger;
}

export interface RequestOptions {
  /** Overrides the queue's responseTimeoutMs for this command. */
  readonly timeoutMs?: number;
  /** For logs and error messages, e.g. `INF`. */
  readonly description?: string;
}

interface Pending<Command, Reply> {
  readonly command: Command;
  readonly match: (reply: Reply) => boolean;
  readonly timeoutMs: number;
  readonly description: string;
  /** Stack at request time: the caller's frames. */
  readonly origin: Error;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class CommandQueue<Command, Reply> {
  private readonly queued: Pending<Command, Reply>[] = [];
  private inFlight: Pending<Command, Reply> | null = null;
  private closed = false;
  private readonly maxQueued: number;

  constructor(
    private readonly send: (command: Command) => Promise<void>,
    private readonly options: CommandQueueOptions,
  ) {
    this.maxQueued = options.maxQueued ?? 32;
  }

  /** Commands waiting plus the one in flight. */
  get size(): number {
    return this.queued.length + (this.inFlight ? 1 : 0);
  }

  /** True while a command waits for its reply. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  /**
   * Queues `command`; resolves with the first reply `match` accepts after it was sent.
   * Rejects with VigilError COMMAND_TIMEOUT when no reply matched in time, COMMAND_ABORTED
   * when the link dropped or the queue closed, or the error of `send` (e.g. TRANSPORT_NOT_OPEN).
   */
  request<Matched extends Reply>(command: Command, match: (reply: Reply) => reply is Matched, options?: RequestOptions): Promise<Matched>;
  request(command: Command, match: (reply: Reply) => boolean, options?: RequestOptions): Promise<Reply>;
  request(command: Command, match: (reply: Reply) => boolean, options: RequestOptions = {}): Promise<Reply> {
    const origin = new Error('request origin');
    Error.captureStackTrace?.(origin, this.request);
    const description = options.description ?? String(command);
    return new Promise<Reply>((resolve, reject) => {
      const pending: Pending<Command, Reply> = {
        command, match, description, origin, resolve, reject,
        timeoutMs: options.timeoutMs ?? this.options.responseTimeoutMs,
        timer: null,
      };
      if (this.closed) {
        reject(this.error(pending, 'COMMAND_ABORTED', `${description} refused: command queue closed`));
        return;
      }
      if (this.queued.length >= this.maxQueued) {
        reject(this.error(pending, 'COMMAND_ABORTED', `${description} refused: ${this.queued.length} commands already queued`));
        return;
      }
      this.queued.push(pending);
      this.next();
    });
  }

  /** Offers a decoded reply to the command in flight. Returns true when it was that command's reply. */
  offer(reply: Reply): boolean {
    const current = this.inFlight;
    if (!current) return false;
    let matched = false;
    try {
      matched = current.match(reply);
    } catch (err) {
      this.options.logger?.warn({ err, command: current.description }, 'reply matcher threw; reply ignored');
    }
    if (!matched) return false;
    this.finish(current);
    current.resolve(reply);
    this.next();
    return true;
  }

  /** Rejects the command in flight and every queued one (the link dropped). The queue stays usable. */
  abortAll(reason: string): void {
    const all = [...(this.inFlight ? [this.inFlight] : []), ...this.queued.splice(0)];
    if (this.inFlight) this.finish(this.inFlight);
    for (const pending of all) {
      pending.reject(this.error(pending, 'COMMAND_ABORTED', `${pending.description} aborted: ${reason}`, { reason }));
    }
  }

  /** Aborts everything and refuses further requests. Idempotent. */
  close(reason = 'command queue closed'): void {
    this.closed = true;
    this.abortAll(reason);
  }

  private next(): void {
    if (this.inFlight || this.closed) return;
    const pending = this.queued.shift();
    if (!pending) return;
    this.inFlight = pending;
    pending.timer = setTimeout(() => {
      if (this.inFlight !== pending) return;
      this.finish(pending);
      pending.reject(
        this.error(pending, 'COMMAND_TIMEOUT', `no reply to ${pending.description} within ${pending.timeoutMs} ms`, {
          timeoutMs: pending.timeoutMs,
        }),
      );
      this.next();
    }, pending.timeoutMs);
    this.options.logger?.debug({ command: pending.description }, 'command sent');
    let sent: Promise<void>;
    try {
      sent = this.send(pending.command);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.catch((err: unknown) => {
      if (this.inFlight !== pending) return;
      this.finish(pending);
      pending.reject(err);
      this.next();
    });
  }

  /** Clears the command in flight (its timer and the slot); the caller settles it, then calls next(). */
  private finish(pending: Pending<Command, Reply>): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = null;
    if (this.inFlight === pending) this.inFlight = null;
  }

  private error(
    pending: Pending<Command, Reply>,
    code: 'COMMAND_TIMEOUT' | 'COMMAND_ABORTED',
    message: string,
    context: Record<string, unknown> = {},
  ): VigilError {
    const error = new VigilError(code, message, { command: pending.description, ...context });
    const callerFrames = (pending.origin.stack ?? '').split('\n').slice(1).join('\n');
    error.stack = `${error.name} [${code}]: ${message}\n${callerFrames}`;
    return error;
  }
}
