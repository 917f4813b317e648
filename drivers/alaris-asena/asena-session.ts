import { BehaviorSubject, Subject, type Subscription } from 'rxjs';
import type { DriverContext } from '../../src/device/device-driver.js';
import type { Logger } from '../../src/core/logger.js';
import { describeError, isVigilError } from '../../src/core/errors.js';
import { lazyHex } from '../../src/core/logger.js';
import { metricDefinition, type MetricId } from '../../src/model/metrics.js';
import type { TransportStatus } from '../../src/transport/byte-transport.js';
import { CommandQueue } from '../shared/command-queue.js';
import { AsenaDeframer, encodeFrame } from './frame-codec.js';
import type { CommandLane } from '../../src/device/command-lane.js';
import {
  encodeQuery, parseReadReply, replyAnswers, type AsenaQuery, type AsenaReadReply, type InfStatusReply,
  type InfVtbiReply,
} from './messages.js';
import { PumpStateTracker, type AsenaPumpState, type ConditionEdge, type PumpLocalChange } from './pump-state-tracker.js';
import { StatusReporter } from '../shared/status-reporter.js';
import type { AsenaDriver, AsenaOptions } from './asena-driver.js';

export const ASENA_DRIVER_ID = 'alaris-asena-gh';

/** What goes through the line's one-at-a-time queue: the driver's read queries, or a lane command. */
type QueuedCommand = { readonly kind: 'query'; readonly query: AsenaQuery } | { readonly kind: 'raw'; readonly body: string };
type QueuedReply = { readonly kind: 'read'; readonly message: AsenaReadReply } | { readonly kind: 'raw'; readonly body: string };
const MODEL = 'Alaris Asena GH';
/** DeviceStatus is republished at most this often when only counters moved. */
const STATUS_HEARTBEAT_MS = 5000;

/**
 * One running Asena GH read-side driver (see asena-driver.ts). Poll cycle (asena-gh.md,
 * "Polling"): INST_SERIALNO while the serial is unknown on this link, then INF, then INF_VTBI,
 * one command at a time; a cycle starts every pollIntervalMs unless the previous one still runs.
 * Every internal (transport, command queue, handlers) is an ECMAScript #private member: nothing
 * but start(), stop() and the two read-only streams is reachable, at compile time or at run time.
 */
export class AsenaSession implements AsenaDriver {
  readonly #ctx: DriverContext<AsenaOptions>;
  readonly #log: Logger;
  readonly #queue: CommandQueue<QueuedCommand, QueuedReply>;
  readonly #deframer = new AsenaDeframer();
  readonly #tracker = new PumpStateTracker();
  readonly #status: StatusReporter;
  readonly #stateSubject = new BehaviorSubject<AsenaPumpState>(this.#tracker.state);
  readonly #changeSubject = new Subject<PumpLocalChange>();
  readonly pumpState$ = this.#stateSubject.asObservable();
  readonly localChanges$ = this.#changeSubject.asObservable();

  #subscriptions: Subscription[] = [];
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #silenceTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  #cycleRunning = false;
  /** Serial read with INST_SERIALNO on the current link, null until read. */
  #linkSerial: string | null = null;
  #started = false;
  #stopped = false;

  constructor(ctx: DriverContext<AsenaOptions>) {
    this.#ctx = ctx;
    this.#log = ctx.logger.child({ component: 'driver', driver: ASENA_DRIVER_ID, bedId: ctx.bedId, device: ctx.deviceId });
    this.#status = new StatusReporter(
      { bedId: ctx.bedId, deviceId: ctx.deviceId, driver: ASENA_DRIVER_ID, model: MODEL },
      ctx.bus,
      () => ctx.clock.now(),
    );
    this.#queue = new CommandQueue<QueuedCommand, QueuedReply>(
      (command) => {
        const frame = command.kind === 'query' ? encodeQuery(command.query) : encodeFrame(command.body);
        this.#log.debug({ hex: lazyHex(frame) }, `-> ${command.kind === 'query' ? command.query : command.body}`);
        return ctx.transport.write(frame);
      },
      { responseTimeoutMs: ctx.options.responseTimeoutMs, logger: this.#log },
    );
    // The programming lane exists only when the daemon granted one (to src/control/);
    // this object keeps no reference to it (docs/safety.md).
    if (ctx.commandLaneGrant) ctx.commandLaneGrant(this.#createLane());
  }

  /** A lane for frame bodies other than the read queries, through the same one-at-a-time queue. */
  #createLane(): CommandLane {
    const queue = this.#queue;
    const log = this.#log;
    return {
      request: async (body, options) => {
        const name = body.split('^')[0];
        log.info({ command: options.description }, 'command from the control workflow');
        const reply = await queue.request(
          { kind: 'raw', body },
          // The reply to a command echoes its name, or is a refusal (asena-gh.md, "Replies").
          (r) => r.kind === 'raw' && (r.body.split('^')[0] === name || r.body.startsWith('ERROR')),
          { description: options.description, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) },
        );
        return (reply as { kind: 'raw'; body: string }).body;
      },
    };
  }

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#status.publish();
    this.#subscriptions.push(
      this.#ctx.transport.status$.subscribe((s) => this.#guard('link status', () => this.#onLinkStatus(s))),
      this.#ctx.transport.data$.subscribe((chunk) => this.#guard('data', () => this.#onData(chunk))),
    );
    this.#armSilenceTimer();
    this.#heartbeatTimer = setInterval(() => this.#guard('heartbeat', () => this.#status.heartbeat()), STATUS_HEARTBEAT_MS);
    this.#ctx.transport.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopPolling();
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#queue.close('driver stopped');
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
    await this.#ctx.transport.stop();
    this.#status.setLink('closed', null);
    this.#stateSubject.complete();
    this.#changeSubject.complete();
  }

  /** Runs an event handler; a bug in it is logged, never thrown into the transport's stream. */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error({ err }, `internal error while handling ${what}`);
    }
  }

  #onLinkStatus(s: TransportStatus): void {
    this.#status.setLink(s.state, s.error);
    if (s.state === 'open') {
      this.#deframer.reset();
      this.#linkSerial = null;
      this.#startPolling();
    } else {
      this.#stopPolling();
      this.#queue.abortAll(`link ${s.state}${s.error ? `: ${s.error}` : ''}`);
      if (this.#tracker.state.fresh) {
        this.#tracker.markStale();
        this.#emitState(this.#tracker.state);
      }
    }
  }

  #startPolling(): void {
    this.#stopPolling();
    this.#pollTimer = setInterval(() => void this.#runCycle(), this.#ctx.options.pollIntervalMs);
    void this.#runCycle();
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  async #runCycle(): Promise<void> {
    if (this.#cycleRunning || this.#stopped) return;
    this.#cycleRunning = true;
    try {
      if (this.#linkSerial === null) await this.#ask('INST_SERIALNO');
      await this.#ask('INF');
      await this.#ask('INF_VTBI');
    } finally {
      this.#cycleRunning = false;
    }
  }

  /** Sends one query through the queue; failures are logged here (the silence rule raises the alarm). */
  async #ask(query: AsenaQuery): Promise<void> {
    if (this.#status.linkState !== 'open' || this.#stopped) return;
    try {
      const reply = await this.#queue.request(
        { kind: 'query', query },
        (r) => r.kind === 'read' && replyAnswers(query, r.message),
        { description: query },
      );
      if (reply.kind === 'read') this.#guard(`${query} reply`, () => this.#handleReply(query, reply.message));
    } catch (err) {
      const level = isVigilError(err, 'COMMAND_ABORTED') ? 'debug' : 'warn';
      this.#log[level]({ err: describeError(err), query }, `${query} failed`);
    }
  }

  #onData(chunk: Buffer): void {
    for (const out of this.#deframer.push(chunk)) {
      if (out.kind === 'rejected') {
        this.#status.countRejected();
        const { reason, detail, bytes } = out.rejection;
        this.#log.debug({ reason, detail, hex: lazyHex(bytes) }, 'frame rejected');
        continue;
      }
      const parsed = parseReadReply(out.body);
      if (parsed.ok && this.#queue.offer({ kind: 'read', message: parsed.message })) continue;
      // Not the answer to a read query: perhaps the reply to a lane command.
      if (this.#queue.offer({ kind: 'raw', body: out.body })) continue;
      this.#status.countRejected();
      const reason = parsed.ok ? 'unsolicited reply' : parsed.reason;
      this.#log.debug({ reason, hex: lazyHex(Buffer.from(out.body, 'latin1')) }, 'reply rejected');
    }
  }

  #handleReply(query: AsenaQuery, reply: AsenaReadReply): void {
    const at = this.#ctx.clock.now();
    switch (reply.kind) {
      case 'error':
        this.#log.warn({ query, reason: reply.reason }, `pump answered ${query} with an error`);
        return;
      case 'serial-number':
        this.#linkSerial = reply.serial;
        this.#status.setSerial(reply.serial);
        break;
      case 'inf-status':
        this.#handleStatus(reply, at);
        break;
      case 'inf-vtbi':
        this.#handleVtbi(reply, at);
        break;
    }
    this.#status.countMessage(at);
    this.#status.setData('receiving');
    this.#armSilenceTimer();
  }

  #handleStatus(reply: InfStatusReply, at: number): void {
    const { edges, changes } = this.#tracker.applyStatus(reply, at, this.#linkSerial);
    if (this.#linkSerial !== null && this.#linkSerial !== reply.serial) this.#linkSerial = null; // re-read next cycle
    this.#observe('pump-rate', reply.rateMlPerHour, at);
    this.#observe('volume-infused', reply.volumeInfusedMl, at);
    this.#observe('pump-pressure', reply.pressureMmHg, at);
    this.#observe('infusion-time-remaining', reply.timeRemaining.kind === 'seconds' ? reply.timeRemaining.seconds : null, at);
    this.#publishEdges(edges, at);
    this.#emitState(this.#tracker.state);
    for (const change of changes) {
      this.#log.info({ change }, 'pump changed since the last status');
      this.#changeSubject.next(change);
    }
  }

  #handleVtbi(reply: InfVtbiReply, at: number): void {
    this.#tracker.applyVtbi(reply, at);
    this.#observe('vtbi-remaining', reply.vtbiMl, at);
    this.#emitState(this.#tracker.state);
  }

  #observe(metric: MetricId, value: number | null, at: number): void {
    const def = metricDefinition(metric);
    this.#ctx.bus.publishObservation({
      bedId: this.#ctx.bedId, deviceId: this.#ctx.deviceId, metric, code: def.code, value, unit: def.unit,
      deviceTime: null, receivedAt: at, flags: value === null ? ['unavailable'] : [],
    });
  }

  #publishEdges(edges: ConditionEdge[], at: number): void {
    for (const e of edges) {
      this.#ctx.bus.publishCondition({
        bedId: this.#ctx.bedId, deviceId: this.#ctx.deviceId, code: e.code, label: e.label, kind: 'technical',
        active: e.active, at,
      });
    }
  }

  #emitState(state: AsenaPumpState): void {
    if (!this.#stateSubject.closed) this.#stateSubject.next(state);
  }

  /** (Re)starts the silence timer: no valid reply for communicationLostAfterMs -> 'silent'. */
  #armSilenceTimer(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#stopped) return;
    this.#silenceTimer = setTimeout(
      () => this.#guard('silence', () => this.#onSilence()),
      this.#ctx.options.communicationLostAfterMs,
    );
  }

  #onSilence(): void {
    this.#silenceTimer = null;
    if (this.#status.dataState === 'silent') return;
    this.#log.warn({ afterMs: this.#ctx.options.communicationLostAfterMs }, 'pump silent: communication lost');
    this.#status.setData('silent');
    this.#publishEdges(this.#tracker.markSilent(), this.#ctx.clock.now());
    this.#emitState(this.#tracker.state);
  }
}
