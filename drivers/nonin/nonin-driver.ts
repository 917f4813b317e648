import type { Subscription } from 'rxjs';
import { describeError } from '../../src/core/errors.js';
import { lazyHex, type Logger } from '../../src/core/logger.js';
import type { DeviceDriver, DriverContext, DriverDefinition } from '../../src/device/device-driver.js';
import type { DataState, DeviceStatus, LinkState } from '../../src/model/device-events.js';
import { METRICS } from '../../src/model/metrics.js';
import type { TransportStatus } from '../../src/transport/byte-transport.js';
import { ACK, NAK, encodeSetFormatCommand } from './nonin-commands.js';
import { FRAMES_PER_SECOND, STATUS, plethRange } from './nonin-frame.js';
import { noninOptionsSchema, type NoninOptions } from './nonin-options.js';
import { NumericPublisher } from './numeric-publisher.js';
import { NoninFrameSync, type SyncEvent } from './frame-sync.js';
import { NoninPacketAssembler, type NoninPacket } from './packet-assembler.js';
import { decodePacketNumerics } from './packet-decoder.js';
import { StatusConditionTracker, type NoninCondition } from './status-conditions.js';

/** A status is re-published at most this often when only counters or lastDataAt changed. */
export const STATUS_INTERVAL_MS = 5000;
/** How long the driver waits for ACK / NAK after "set data format". */
export const SET_FORMAT_REPLY_TIMEOUT_MS = 2000;

/**
 * Driver for one Nonin pulse oximeter in serial data format #2 or #7
 * (docs/protocols/nonin.md). Publishes SpO2 and pulse rate, the pleth waveform (one chunk
 * per packet), the STATUS conditions and the device status. It writes nothing, except the
 * "set data format" command on each connection when `setFormatOnConnect` is true.
 *
 * Time: stamps come from the injected clock; the silence, status and reply timers use the
 * global setTimeout/setInterval, so tests drive them with vi.useFakeTimers.
 */
export class NoninDriver implements DeviceDriver {
  private readonly log: Logger;
  private readonly sync: NoninFrameSync;
  private readonly assembler: NoninPacketAssembler;
  private readonly conditions = new StatusConditionTracker();
  private readonly numerics: NumericPublisher;
  private readonly subscriptions: Subscription[] = [];
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private replyTimer: ReturnType<typeof setTimeout> | null = null;
  private phase: 'idle' | 'running' | 'stopped' = 'idle';

  private link: LinkState = 'closed';
  private data: DataState = 'awaiting';
  private since: number;
  private lastError: string | null = null;
  private lastDataAt: number | null = null;
  private messages = 0;
  private rejected = 0;
  private firmwareRevision: number | undefined;
  private lastPublished = '';

  constructor(private readonly ctx: DriverContext<NoninOptions>) {
    this.log = ctx.logger.child({ component: 'driver', driver: 'nonin', bedId: ctx.bedId, deviceId: ctx.deviceId });
    this.sync = new NoninFrameSync(ctx.options.format);
    this.assembler = new NoninPacketAssembler((anomaly) => this.log.debug(anomaly, 'packet structure broken, frame numbers unknown until the next sync frame'));
    this.numerics = new NumericPublisher(ctx);
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
    for (const t of [this.silenceTimer, this.replyTimer]) if (t !== null) clearTimeout(t);
    if (this.statusTimer !== null) clearInterval(this.statusTimer);
    this.silenceTimer = this.statusTimer = this.replyTimer = null;
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
      this.log.error({ err: describeError(err) }, 'nonin driver: unexpected error, input dropped');
    }
  }

  private onLinkStatus(status: TransportStatus): void {
    if (status.error !== null) this.lastError = status.error;
    if (status.state === this.link) return;
    this.link = status.state;
    this.since = this.ctx.clock.now();
    if (status.state !== 'open') {
      // A partial frame from before a drop must not be glued to bytes after the reconnect.
      this.sync.reset();
      this.publishPackets(this.assembler.flush(), this.ctx.clock.now());
    }
    this.publishStatus(true);
    if (status.state === 'open' && this.ctx.options.setFormatOnConnect) this.sendSetFormat();
  }

  /** The "set data format" command (docs/protocols/nonin.md, "Set data format"): output configuration, never a pump. */
  private sendSetFormat(): void {
    const command = encodeSetFormatCommand(this.ctx.options.format);
    this.log.debug({ dir: '->', hex: lazyHex(command) }, 'set data format');
    if (this.replyTimer !== null) clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(() => {
      this.replyTimer = null;
      this.log.warn({ format: this.ctx.options.format }, 'no ACK to "set data format": the oximeter may be on another format');
    }, SET_FORMAT_REPLY_TIMEOUT_MS);
    this.ctx.transport.write(command).catch((err: unknown) => {
      this.log.warn({ err: describeError(err) }, '"set data format" not sent');
    });
  }

  private onData(chunk: Buffer): void {
    if (this.phase !== 'running') return;
    const receivedAt = this.ctx.clock.now();
    this.log.debug({ dir: '<-', hex: lazyHex(chunk) }, 'bytes');
    let valid = false;
    for (const event of this.sync.push(chunk)) {
      if (event.kind === 'frame') {
        valid = true;
        this.onFrameStatus(event.frame.status, receivedAt);
      } else this.onRejected(event);
      this.publishPackets(this.assembler.push(event), receivedAt);
    }
    if (valid) {
      this.lastDataAt = receivedAt;
      this.armSilenceTimer();
    }
  }

  private onFrameStatus(status: number, receivedAt: number): void {
    this.messages += 1;
    if (this.data !== 'receiving') {
      this.data = 'receiving';
      this.since = receivedAt;
      this.lastDataAt = receivedAt;
      this.publishStatus(true);
    }
    const edges = this.conditions.update(status);
    this.publishEdges(edges.started, edges.ended, receivedAt);
  }

  private onRejected(event: Exclude<SyncEvent, { kind: 'frame' }>): void {
    if (event.kind === 'bad-frame') {
      this.rejected += 1;
      this.log.debug({ hex: lazyHex(event.bytes) }, 'frame rejected (start byte, STATUS bit 7 or checksum), alignment kept');
      return;
    }
    let slots = event.frameSlots;
    if (this.replyTimer !== null) {
      const reply = event.head.find((b) => b === ACK || b === NAK);
      if (reply !== undefined) {
        clearTimeout(this.replyTimer);
        this.replyTimer = null;
        if (reply === ACK) this.log.info({ format: this.ctx.options.format }, '"set data format" acknowledged');
        else this.log.warn({ format: this.ctx.options.format }, '"set data format" refused (NAK)');
        // The reply byte alone is not garbage.
        if (event.byteCount === 1) slots = 0;
      }
    }
    this.rejected += slots;
    if (slots > 0) {
      this.log.debug({ hex: lazyHex(event.head), byteCount: event.byteCount, frameSlots: slots }, 'bytes discarded while resynchronising');
    }
  }

  private publishPackets(packets: readonly NoninPacket[], receivedAt: number): void {
    for (const packet of packets) this.publishPacket(packet, receivedAt);
  }

  private publishPacket(packet: NoninPacket, receivedAt: number): void {
    const { bedId, deviceId, bus, options } = this.ctx;
    bus.publishWaveform({
      bedId, deviceId, metric: 'pleth', code: METRICS.pleth.code, sampleRateHz: FRAMES_PER_SECOND,
      samples: packet.frames.map((f) => (f === null || (f.status & STATUS.SENSOR_DISCONNECT) !== 0 ? null : f.pleth)),
      range: plethRange(options.format), receivedAt, firstSampleIndex: packet.firstSampleIndex,
    });
    if (!packet.aligned) return;
    const { numerics, rejected } = decodePacketNumerics(packet);
    for (const r of rejected) {
      this.rejected += 1;
      this.log.debug({ field: r.field, raw: r.raw }, `value rejected: ${r.reason}`);
    }
    if (numerics.firmwareRevision !== undefined && numerics.firmwareRevision !== this.firmwareRevision) {
      this.firmwareRevision = numerics.firmwareRevision;
      this.publishStatus(true);
    }
    this.numerics.publish(numerics, receivedAt, this.conditions.questionable);
  }

  private armSilenceTimer(): void {
    if (this.silenceTimer !== null) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.guard(() => this.onSilence()), this.ctx.options.communicationLostAfterMs);
  }

  /** No valid frame for communicationLostAfterMs: silent; the device's conditions end. */
  private onSilence(): void {
    this.silenceTimer = null;
    if (this.phase !== 'running' || this.data === 'silent') return;
    const at = this.ctx.clock.now();
    this.publishPackets(this.assembler.flush(), at);
    this.numerics.reset();
    this.data = 'silent';
    this.since = at;
    const ended = this.conditions.endAll();
    // Status first, so the gateway's communication-lost alarm starts before the conditions end.
    this.publishStatus(true);
    this.publishEdges([], ended, at);
    this.log.info({ afterMs: this.ctx.options.communicationLostAfterMs }, 'device silent: no valid frame');
  }

  private publishEdges(started: readonly NoninCondition[], ended: readonly NoninCondition[], at: number): void {
    const { bedId, deviceId, bus } = this.ctx;
    for (const c of ended) bus.publishCondition({ bedId, deviceId, code: c.code, label: c.label, kind: c.kind, active: false, at });
    for (const c of started) bus.publishCondition({ bedId, deviceId, code: c.code, label: c.label, kind: c.kind, active: true, at });
  }

  /** Publishes the status; unless `force`, only when something in it changed since the last one. */
  private publishStatus(force: boolean): void {
    const status: DeviceStatus = {
      bedId: this.ctx.bedId,
      deviceId: this.ctx.deviceId,
      driver: noninDriver.id,
      link: this.link,
      data: this.data,
      lastDataAt: this.lastDataAt,
      since: this.since,
      lastError: this.lastError,
      counters: { messages: this.messages, rejected: this.rejected },
      ...(this.firmwareRevision !== undefined
        ? { identity: { model: `Nonin (format #${this.ctx.options.format}, firmware revision ${this.firmwareRevision})` } }
        : {}),
    };
    const key = JSON.stringify(status);
    if (!force && key === this.lastPublished) return;
    this.lastPublished = key;
    this.ctx.bus.publishStatus(status);
  }
}

/** The `nonin` device family: Nonin pulse oximeters, serial data format #2 or #7. */
export const noninDriver: DriverDefinition<typeof noninOptionsSchema> = {
  id: 'nonin',
  description: 'Nonin pulse oximeter, serial data format #2 or #7: SpO2, pulse rate, pleth waveform (writes only "set data format", when told to)',
  optionsSchema: noninOptionsSchema,
  serialDefaults: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  create: (context) => new NoninDriver(context),
};
