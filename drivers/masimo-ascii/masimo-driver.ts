import type { Subscription } from 'rxjs';
import { describeError } from '../../src/core/errors.js';
import { lazyHex, type Logger } from '../../src/core/logger.js';
import type { DeviceDriver, DriverContext, DriverDefinition } from '../../src/device/device-driver.js';
import type { DataState, DeviceStatus, LinkState } from '../../src/model/device-events.js';
import type { TransportStatus } from '../../src/transport/byte-transport.js';
import { ConditionTracker } from './condition-tracker.js';
import { LineFramer, type OverLongLine } from './line-framer.js';
import { masimoAsciiOptionsSchema, type MasimoAsciiOptions } from './masimo-options.js';
import type { RadicalCondition } from './radical-conditions.js';
import { parseRadicalLine } from './radical-line-parser.js';
import { observationsFromRecord } from './radical-observations.js';
import { timestampToEpochMs } from './radical-timestamp.js';

/** A status is re-published at most this often when only counters or lastDataAt changed. */
export const STATUS_INTERVAL_MS = 5000;

/**
 * Driver for one Masimo Radical-7 / Radical-5 / Rad-8 in "ASCII 1" output mode
 * (docs/protocols/masimo-ascii.md). Read-only: it never writes to the transport.
 *
 * Time: stamps come from the injected clock; the silence timer and the status interval
 * use the global setTimeout/setInterval, so tests drive them with vi.useFakeTimers.
 */
export class MasimoAsciiDriver implements DeviceDriver {
  private readonly log: Logger;
  private readonly framer: LineFramer;
  private readonly conditions = new ConditionTracker();
  private readonly subscriptions: Subscription[] = [];
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private phase: 'idle' | 'running' | 'stopped' = 'idle';

  private link: LinkState = 'closed';
  private data: DataState = 'awaiting';
  private since: number;
  private lastError: string | null = null;
  private lastDataAt: number | null = null;
  private messages = 0;
  private rejected = 0;
  private serial: string | undefined;
  private lastPublished = '';

  constructor(private readonly ctx: DriverContext<MasimoAsciiOptions>) {
    this.log = ctx.logger.child({ component: 'driver', driver: 'masimo-ascii', bedId: ctx.bedId, deviceId: ctx.deviceId });
    this.framer = new LineFramer({ onOverLong: (line) => this.onOverLong(line) });
    this.since = ctx.clock.now();
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'running';
    const { transport } = this.ctx;
    this.since = this.ctx.clock.now();
    this.subscriptions.push(transport.status$.subscribe((s) => this.guard(() => this.onLinkStatus(s))));
    this.subscriptions.push(transport.data$.subscribe((chunk) => this.guard(() => this.onData(chunk))));
    // The silence timer runs from start: a device that never speaks also goes silent.
    this.armSilenceTimer();
    this.statusTimer = setInterval(() => this.guard(() => this.publishStatus(false)), STATUS_INTERVAL_MS);
    this.publishStatus(true);
    transport.start();
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    const wasRunning = this.phase === 'running';
    this.phase = 'stopped';
    if (this.silenceTimer !== null) clearTimeout(this.silenceTimer);
    if (this.statusTimer !== null) clearInterval(this.statusTimer);
    this.silenceTimer = this.statusTimer = null;
    if (wasRunning) this.publishEdges([], this.conditions.endAll(), this.ctx.clock.now());
    try {
      await this.ctx.transport.stop();
    } finally {
      for (const s of this.subscriptions) s.unsubscribe();
      this.subscriptions.length = 0;
    }
  }

  /** Device bytes must never crash the gateway: anything unexpected is logged and dropped. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'masimo driver: unexpected error, input dropped');
    }
  }

  private onLinkStatus(status: TransportStatus): void {
    if (status.error !== null) this.lastError = status.error;
    if (status.state === this.link) return;
    this.link = status.state;
    this.since = this.ctx.clock.now();
    // A partial line from before a drop must not be glued to bytes after the reconnect.
    if (status.state !== 'open') this.framer.reset();
    this.publishStatus(true);
  }

  private onData(chunk: Buffer): void {
    if (this.phase !== 'running') return;
    const receivedAt = this.ctx.clock.now();
    this.log.debug({ hex: lazyHex(chunk) }, '<- bytes');
    for (const line of this.framer.push(chunk)) this.onLine(line, receivedAt);
  }

  private onOverLong(line: OverLongLine): void {
    this.rejected += 1;
    this.log.debug({ hex: lazyHex(line.head), lengthBytes: line.lengthBytes }, 'over-long line discarded, resync at next line end');
  }

  private onLine(line: string, receivedAt: number): void {
    const result = parseRadicalLine(line);
    if (!result.ok) {
      this.rejected += 1;
      this.log.debug({ code: result.code, reason: result.reason, hex: lazyHex(Buffer.from(line, 'latin1')) }, 'line rejected');
      return;
    }
    const { record } = result;
    if (record.skippedPrefixChars > 0) {
      const prefix = Buffer.from(line.slice(0, record.skippedPrefixChars), 'latin1');
      this.log.debug({ hex: lazyHex(prefix) }, 'noise before timestamp skipped');
    }
    this.messages += 1;
    this.lastDataAt = receivedAt;
    this.armSilenceTimer();

    const alarmBefore = JSON.stringify(this.conditions.alarmSystem);
    const edges = this.conditions.update(record.alarmBits, record.exceptionBits);
    let changed = JSON.stringify(this.conditions.alarmSystem) !== alarmBefore;
    if (typeof record.serial === 'string' && record.serial !== this.serial) {
      this.serial = record.serial;
      changed = true;
    }
    if (this.data !== 'receiving') {
      this.data = 'receiving';
      this.since = receivedAt;
      changed = true;
    }
    if (changed) this.publishStatus(true);
    this.publishEdges(edges.started, edges.ended, receivedAt);

    const { bedId, deviceId, bus, options } = this.ctx;
    const deviceTime = timestampToEpochMs(record.timestamp, options.deviceTimeZone);
    const observations = observationsFromRecord(record, {
      bedId,
      deviceId,
      receivedAt,
      deviceTime: Number.isFinite(deviceTime) ? deviceTime : null,
      questionable: this.conditions.questionable,
    });
    for (const o of observations) bus.publishObservation(o);
  }

  private armSilenceTimer(): void {
    if (this.silenceTimer !== null) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.guard(() => this.onSilence()), this.ctx.options.communicationLostAfterMs);
  }

  /** No valid line for communicationLostAfterMs: silent; the device's conditions end. */
  private onSilence(): void {
    this.silenceTimer = null;
    if (this.phase !== 'running' || this.data === 'silent') return;
    const at = this.ctx.clock.now();
    this.data = 'silent';
    this.since = at;
    const ended = this.conditions.endAll();
    // Status first, so the gateway's communication-lost alarm starts before the conditions end.
    this.publishStatus(true);
    this.publishEdges([], ended, at);
    this.log.info({ afterMs: this.ctx.options.communicationLostAfterMs }, 'device silent: no valid line');
  }

  private publishEdges(started: readonly RadicalCondition[], ended: readonly RadicalCondition[], at: number): void {
    const { bedId, deviceId, bus } = this.ctx;
    for (const c of ended) bus.publishCondition({ bedId, deviceId, code: c.code, label: c.label, kind: c.kind, active: false, at });
    for (const c of started) bus.publishCondition({ bedId, deviceId, code: c.code, label: c.label, kind: c.kind, active: true, at });
  }

  /** Publishes the status; unless `force`, only when something in it changed since the last one. */
  private publishStatus(force: boolean): void {
    const alarmSystem = this.conditions.alarmSystem;
    const status: DeviceStatus = {
      bedId: this.ctx.bedId,
      deviceId: this.ctx.deviceId,
      driver: masimoAsciiDriver.id,
      link: this.link,
      data: this.data,
      lastDataAt: this.lastDataAt,
      since: this.since,
      lastError: this.lastError,
      counters: { messages: this.messages, rejected: this.rejected },
      ...(this.serial !== undefined ? { identity: { serial: this.serial } } : {}),
      ...(alarmSystem !== null ? { deviceAlarm: alarmSystem } : {}),
    };
    const key = JSON.stringify(status);
    if (!force && key === this.lastPublished) return;
    this.lastPublished = key;
    this.ctx.bus.publishStatus(status);
  }
}

/** The `masimo-ascii` device family: Masimo Radical-7, Radical-5 and Rad-8, "ASCII 1" serial output. */
export const masimoAsciiDriver: DriverDefinition<typeof masimoAsciiOptionsSchema> = {
  id: 'masimo-ascii',
  description: 'Masimo Radical-7 / Radical-5 / Rad-8 pulse oximeter, serial "ASCII 1" output (read-only)',
  optionsSchema: masimoAsciiOptionsSchema,
  serialDefaults: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  create: (context) => new MasimoAsciiDriver(context),
};
