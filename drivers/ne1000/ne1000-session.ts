import { BehaviorSubject, type Subscription } from 'rxjs';
import type { DriverContext } from '../../src/device/device-driver.js';
import { describeError, isVigilError } from '../../src/core/errors.js';
import { lazyHex, type Logger } from '../../src/core/logger.js';
import { metricDefinition, type MetricId } from '../../src/model/metrics.js';
import type { TransportStatus } from '../../src/transport/byte-transport.js';
import { CommandQueue } from '../shared/command-queue.js';
import { StatusReporter } from '../shared/status-reporter.js';
import { encodeQuery, parseReply, queryData, replyAnswers, type Ne1000Query, type Ne1000Reply } from './messages.js';
import { applyReplyData, LINK_READING_OF, type LinkReading } from './reply-data.js';
import { Ne1000StateTracker, type Ne1000ConditionEdge, type Ne1000PumpState } from './pump-state-tracker.js';
import { INTER_BYTE_TIMEOUT_MS, SafeDeframer, type SafeDeframerOutput } from './safe-frame-codec.js';
import { feedPlan, probeIntervalMs, UNHEALTHY_AFTER_FAILURES } from './watchdog-feeding.js';
import type { Ne1000Driver, Ne1000Options } from './ne1000-driver.js';

export const NE1000_DRIVER_ID = 'ne1000';
const MODEL = 'New Era NE-1000';
/** DeviceStatus is republished at most this often when only counters moved. */
const STATUS_HEARTBEAT_MS = 5000;

type Outcome = 'answered' | 'failed' | 'aborted';

/**
 * One running NE-1000 read-side driver in safe mode (docs/protocols/ne1000.md). On each link
 * open it reads VER, SAF (the watchdog, query form only) and DIA, then polls RAT and DIS every
 * cycle; cycles follow watchdog-feeding.ts. It sends nothing but the six queries of messages.ts.
 * Internals are #private: only start(), stop() and pumpState$ are reachable.
 */
export class Ne1000Session implements Ne1000Driver {
  readonly #ctx: DriverContext<Ne1000Options>;
  readonly #log: Logger;
  readonly #queue: CommandQueue<Ne1000Query, Ne1000Reply>;
  readonly #deframer: SafeDeframer;
  readonly #tracker = new Ne1000StateTracker();
  readonly #status: StatusReporter;
  readonly #stateSubject = new BehaviorSubject<Ne1000PumpState>(this.#tracker.state);
  readonly pumpState$ = this.#stateSubject.asObservable();

  #subscriptions: Subscription[] = [];
  #cycleTimer: ReturnType<typeof setTimeout> | null = null;
  #silenceTimer: ReturnType<typeof setTimeout> | null = null;
  #expireTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  #cycleRunning = false;
  /** What was read on the current link (re-read after every reconnect). */
  #linkRead = new Set<LinkReading>();
  #failures = 0;
  #warnedWatchdog: number | null = null;
  #started = false;
  #stopped = false;

  constructor(ctx: DriverContext<Ne1000Options>) {
    this.#ctx = ctx;
    this.#log = ctx.logger.child({ component: 'driver', driver: NE1000_DRIVER_ID, bedId: ctx.bedId, device: ctx.deviceId });
    this.#status = new StatusReporter(
      { bedId: ctx.bedId, deviceId: ctx.deviceId, driver: NE1000_DRIVER_ID, model: MODEL },
      ctx.bus,
      () => ctx.clock.now(),
    );
    this.#deframer = new SafeDeframer({ now: () => ctx.clock.monotonic() });
    this.#queue = new CommandQueue<Ne1000Query, Ne1000Reply>(
      (query) => {
        const frame = encodeQuery(ctx.options.address, query);
        this.#log.debug({ hex: lazyHex(frame) }, `-> ${queryData(ctx.options.address, query)}`);
        return ctx.transport.write(frame);
      },
      { responseTimeoutMs: ctx.options.responseTimeoutMs, logger: this.#log },
    );
    // Read-only: no command lane is ever created, whatever the context holds (docs/safety.md).
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
    for (const t of [this.#cycleTimer, this.#silenceTimer, this.#expireTimer]) if (t) clearTimeout(t);
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#queue.close('driver stopped');
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
    await this.#ctx.transport.stop();
    this.#status.setLink('closed', null);
    this.#stateSubject.complete();
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
      this.#linkRead.clear();
      this.#failures = 0;
      this.#schedule(0);
      return;
    }
    if (this.#cycleTimer) clearTimeout(this.#cycleTimer);
    this.#cycleTimer = null;
    this.#queue.abortAll(`link ${s.state}${s.error ? `: ${s.error}` : ''}`);
    if (this.#tracker.state.fresh) {
      this.#tracker.markNotFresh();
      this.#emitState();
    }
  }

  get #healthy(): boolean {
    return this.#failures < UNHEALTHY_AFTER_FAILURES;
  }

  #schedule(delayMs: number): void {
    if (this.#cycleTimer) clearTimeout(this.#cycleTimer);
    this.#cycleTimer = setTimeout(() => {
      this.#cycleTimer = null;
      void this.#runCycle();
    }, delayMs);
  }

  #nextDelayMs(): number {
    const { pollIntervalMs, communicationLostAfterMs } = this.#ctx.options;
    const watchdog = this.#tracker.state.watchdogSeconds;
    return this.#healthy ? feedPlan(pollIntervalMs, watchdog).intervalMs : probeIntervalMs(pollIntervalMs, watchdog, communicationLostAfterMs);
  }

  /** Healthy: VER/SAF/DIA until read on this link, then RAT and DIS; a failure ends the cycle. Unhealthy: one STATUS probe. */
  async #runCycle(): Promise<void> {
    if (this.#cycleRunning || this.#stopped || this.#status.linkState !== 'open') return;
    this.#cycleRunning = true;
    try {
      const once = (['VER', 'SAF', 'DIA'] as const).filter((q) => !this.#linkRead.has(LINK_READING_OF[q] as LinkReading));
      const queries: Ne1000Query[] = this.#healthy ? [...once, 'RAT', 'DIS'] : ['STATUS'];
      for (const query of queries) if ((await this.#ask(query)) !== 'answered') break;
    } finally {
      this.#cycleRunning = false;
      if (!this.#stopped && this.#status.linkState === 'open') this.#schedule(this.#nextDelayMs());
    }
  }

  async #ask(query: Ne1000Query): Promise<Outcome> {
    if (this.#status.linkState !== 'open' || this.#stopped) return 'aborted';
    let reply: Ne1000Reply;
    try {
      reply = await this.#queue.request(query, (r) => replyAnswers(query, this.#ctx.options.address, r), { description: query });
    } catch (err) {
      if (isVigilError(err, 'COMMAND_ABORTED')) {
        this.#log.debug({ err: describeError(err), query }, `${query} aborted`);
        return 'aborted';
      }
      this.#log.warn({ err: describeError(err), query }, `${query} failed`);
      this.#failed();
      return 'failed';
    }
    try {
      return this.#handleReply(query, reply);
    } catch (err) {
      this.#log.error({ err, query }, `internal error while handling the ${query} reply`);
      return 'failed';
    }
  }

  #handleReply(query: Ne1000Query, reply: Ne1000Reply): Outcome {
    const at = this.#ctx.clock.now();
    this.#publishEdges(this.#tracker.applyStatus(reply.status, at), at);
    if (reply.error === 'COM') {
      // The pump received a garbled packet from us: the link is not healthy (not data either).
      this.#log.warn({ query }, 'pump reports an invalid packet (?COM)');
      this.#emitState();
      this.#failed();
      return 'failed';
    }
    const reading = LINK_READING_OF[query];
    if (reply.error !== undefined) {
      this.#log.warn({ query, error: reply.error }, `pump answered ${query} with an error`);
      if (reading) this.#linkRead.add(reading); // not asked again on this link
    } else if (reply.status.kind === 'prompt') {
      // An alarm status carries no data: the query is asked again next cycle.
      const data = applyReplyData(query, reply.body, this.#tracker, at);
      if (reading) this.#linkRead.add(reading);
      if (data.watchdogSeconds !== null) this.#onWatchdog(data.watchdogSeconds);
      for (const o of data.observations) this.#observe(o.metric, o.value, at);
    }
    this.#status.countMessage(at);
    this.#status.setData('receiving');
    this.#armSilenceTimer();
    this.#emitState();
    this.#succeeded();
    return 'answered';
  }

  #onWatchdog(seconds: number): void {
    if (this.#warnedWatchdog === seconds) return;
    this.#warnedWatchdog = seconds;
    const { pollIntervalMs } = this.#ctx.options;
    if (seconds === 0) {
      this.#log.warn('pump reports its safe-mode watchdog off (SAF 0); polling at pollIntervalMs');
      return;
    }
    const plan = feedPlan(pollIntervalMs, seconds);
    if (plan.configuredTooSlow) {
      this.#log.warn(
        { pollIntervalMs, watchdogSeconds: seconds, usedIntervalMs: plan.intervalMs },
        'pollIntervalMs is not below a third of the pump watchdog; polling faster while the link is healthy',
      );
    } else {
      this.#log.info({ watchdogSeconds: seconds, pollIntervalMs }, 'pump safe-mode watchdog read');
    }
  }

  #failed(): void {
    this.#failures++;
    if (this.#failures === UNHEALTHY_AFTER_FAILURES) {
      const probeMs = this.#nextDelayMs();
      this.#log.warn({ probeMs }, 'link unhealthy: polling stops, one status probe per interval (not feeding the watchdog)');
    }
  }

  #succeeded(): void {
    if (!this.#healthy) this.#log.info('link healthy again: polling resumes');
    this.#failures = 0;
  }

  #onData(chunk: Buffer): void {
    for (const out of this.#deframer.push(chunk)) this.#onDeframed(out);
    if (this.#expireTimer) clearTimeout(this.#expireTimer);
    this.#expireTimer = null;
    if (this.#deframer.pending) {
      this.#expireTimer = setTimeout(() => {
        this.#expireTimer = null;
        this.#guard('inter-byte timeout', () => {
          for (const out of this.#deframer.expire()) this.#onDeframed(out);
        });
      }, INTER_BYTE_TIMEOUT_MS);
    }
  }

  #onDeframed(out: SafeDeframerOutput): void {
    if (out.kind === 'rejected') {
      const { reason, detail, bytes } = out.rejection;
      this.#reject(reason, bytes, detail);
      return;
    }
    const parsed = parseReply(out.data);
    const bytes = Buffer.from(out.data, 'latin1');
    if (!parsed.ok) return this.#reject(parsed.reason, bytes);
    const reply = parsed.value;
    if (reply.address !== this.#ctx.options.address) return this.#reject(`reply from address ${reply.address}`, bytes);
    if (this.#queue.offer(reply)) return;
    if (reply.status.kind === 'alarm') {
      // Safe-mode auto-alarm: the pump sends its alarm unasked (it does not acknowledge it).
      const at = this.#ctx.clock.now();
      this.#log.info({ alarm: reply.status.alarm }, 'pump sent an alarm packet');
      this.#publishEdges(this.#tracker.applyStatus(reply.status, at), at);
      this.#status.countMessage(at);
      this.#status.setData('receiving');
      this.#armSilenceTimer();
      this.#emitState();
      return;
    }
    this.#reject('unsolicited reply', bytes);
  }

  #reject(reason: string, bytes: Uint8Array, detail?: string): void {
    this.#status.countRejected();
    this.#log.debug({ reason, ...(detail ? { detail } : {}), hex: lazyHex(bytes) }, 'packet rejected');
  }

  #observe(metric: MetricId, value: number, at: number): void {
    const def = metricDefinition(metric);
    this.#ctx.bus.publishObservation({
      bedId: this.#ctx.bedId, deviceId: this.#ctx.deviceId, metric, code: def.code, value, unit: def.unit,
      deviceTime: null, receivedAt: at, flags: [],
    });
  }

  #publishEdges(edges: Ne1000ConditionEdge[], at: number): void {
    for (const e of edges) {
      this.#ctx.bus.publishCondition({
        bedId: this.#ctx.bedId, deviceId: this.#ctx.deviceId, code: e.code, label: e.label, kind: 'technical', active: e.active, at,
      });
    }
  }

  #emitState(): void {
    if (!this.#stateSubject.closed) this.#stateSubject.next(this.#tracker.state);
  }

  /** (Re)starts the silence timer: no valid reply for communicationLostAfterMs -> 'silent'. */
  #armSilenceTimer(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#stopped) return;
    this.#silenceTimer = setTimeout(() => this.#guard('silence', () => this.#onSilence()), this.#ctx.options.communicationLostAfterMs);
  }

  #onSilence(): void {
    this.#silenceTimer = null;
    if (this.#status.dataState === 'silent') return;
    this.#log.warn({ afterMs: this.#ctx.options.communicationLostAfterMs }, 'pump silent: communication lost');
    this.#status.setData('silent');
    this.#tracker.markNotFresh();
    this.#emitState();
  }
}
