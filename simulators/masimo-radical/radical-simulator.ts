import type { Clock } from '../../src/core/clock.js';
import { hexDump, type Logger } from '../../src/core/logger.js';
import { DEFAULT_GARBAGE_BYTES, type DeviceEvent } from '../device/device-events.js';
import { createRandom } from '../patient/seeded-random.js';
import type { VitalsSource } from '../patient/virtual-patient.js';
import type { DeviceOutput } from '../serve/device-output.js';
import {
  DEFAULT_RADICAL_LIMITS,
  RADICAL_EXC_BITS,
  radicalAlarmBits,
  radicalExceptionBits,
  type RadicalAlarmLimits,
} from './radical-alarm-limits.js';
import { formatRadicalLine, type RadicalModel, type RadicalReading } from './radical-line.js';

/** What the simulated device is doing. */
export type DeviceMode = 'streaming' | 'sensor-off' | 'silent' | 'disconnected';

export interface RadicalSimulatorOptions {
  readonly model: RadicalModel;
  /** Written as `SN=` (zero-padded to 10). */
  readonly serialNumber: string;
  readonly patient: VitalsSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seed of the garbage-byte generator. */
  readonly seed: number;
  readonly limits?: Partial<RadicalAlarmLimits>;
  /** Device clock = host clock + this offset (ms). Default 0. */
  readonly deviceClockOffsetMs?: number;
  /** Write the timestamp in UTC instead of the host's local time. Default false. */
  readonly utc?: boolean;
}

/** The device writes one line per second (device-protocols.md, Masimo: 1 Hz output). */
export const RADICAL_LINE_INTERVAL_MS = 1000;

/**
 * A simulated Masimo Radical-7 / Radical-5 / Rad-8: every second it turns its patient's
 * vitals into one ASCII line (with its own ALARM/EXC bits) and writes it to its outputs.
 * Faults (sensor-off, silence, garbage, disconnect) come from `handle()`. Timed faults
 * end at the first tick after their duration (so within one second).
 */
export class RadicalSimulator {
  private readonly outputs: DeviceOutput[] = [];
  private readonly limits: RadicalAlarmLimits;
  private readonly random: () => number;
  private current: DeviceMode = 'streaming';
  /** Monotonic ms when the current mode ends, null = until resume. */
  private untilMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: RadicalSimulatorOptions) {
    this.limits = { ...DEFAULT_RADICAL_LIMITS, ...o.limits };
    this.random = createRandom(o.seed);
  }

  get model(): RadicalModel {
    return this.o.model;
  }

  /** Adds an output; the device writes every line to all of them. */
  attach(output: DeviceOutput): void {
    this.outputs.push(output);
    output.setConnected(this.current !== 'disconnected');
  }

  /** Starts writing one line per second. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        // A simulator bug must not take the host (possibly the daemon) down.
        this.o.logger.error({ err }, 'simulator tick failed');
      }
    }, RADICAL_LINE_INTERVAL_MS);
  }

  /** Stops the line timer (outputs are stopped by their owner). Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One second of device life: ends expired faults, then writes a line unless silent. */
  tick(): void {
    const mode = this.mode().mode;
    if (mode === 'silent' || mode === 'disconnected') return;
    this.write(Buffer.from(this.lineNow(), 'latin1'), 'line');
  }

  /** The line the device would write now (as in its current mode). */
  lineNow(): string {
    return formatRadicalLine(this.o.model, this.readingNow(), { utc: this.o.utc });
  }

  /** The current mode and, for a timed fault, the whole seconds left. */
  mode(): { mode: DeviceMode; secondsLeft: number | null } {
    if (this.untilMs !== null && this.o.clock.monotonic() >= this.untilMs) this.enter('streaming', null);
    const left = this.untilMs === null ? null : Math.ceil((this.untilMs - this.o.clock.monotonic()) / 1000);
    return { mode: this.current, secondsLeft: left };
  }

  /** Applies a device event. */
  handle(event: DeviceEvent): void {
    this.o.logger.info({ event }, 'device event');
    switch (event.type) {
      case 'sensor-off':
        return this.enter('sensor-off', event.seconds ?? null);
      case 'silence':
        return this.enter('silent', event.seconds ?? null);
      case 'disconnect':
        return this.enter('disconnected', event.seconds ?? null);
      case 'resume':
        return this.enter('streaming', null);
      case 'garbage': {
        const mode = this.mode().mode;
        if (mode === 'silent' || mode === 'disconnected') return;
        // A garbled line: random bytes, ended like a line, as line noise on a real cable gives.
        const bytes = Buffer.alloc((event.bytes ?? DEFAULT_GARBAGE_BYTES) + 2);
        for (let i = 0; i < bytes.length - 2; i++) bytes[i] = Math.floor(this.random() * 256);
        bytes.write('\r\n', bytes.length - 2, 'latin1');
        this.write(bytes, 'garbage');
        return;
      }
    }
  }

  private enter(mode: DeviceMode, seconds: number | null): void {
    const wasDisconnected = this.current === 'disconnected';
    this.current = mode;
    this.untilMs = seconds === null || mode === 'streaming' ? null : this.o.clock.monotonic() + seconds * 1000;
    const connected = mode !== 'disconnected';
    if (wasDisconnected === connected) for (const out of this.outputs) out.setConnected(connected);
  }

  private readingNow(): RadicalReading {
    const deviceTimeMs = this.o.clock.now() + (this.o.deviceClockOffsetMs ?? 0);
    const none = { spco: null, spmet: null, desat: null, piDelta: null, pvi: null };
    if (this.current === 'sensor-off') {
      return {
        deviceTimeMs, serialNumber: this.o.serialNumber, spo2: null, pulseRate: null, perfusionIndex: null,
        ...none, alarm: 0, exception: RADICAL_EXC_BITS.sensorOff,
      };
    }
    const v = this.o.patient.vitalsNow();
    const spo2 = Math.round(v.spo2);
    const pulseRate = Math.round(v.pulseRate);
    const perfusionIndex = Math.round(v.perfusionIndex * 100) / 100;
    return {
      deviceTimeMs, serialNumber: this.o.serialNumber, spo2, pulseRate, perfusionIndex,
      ...none,
      spco: v.spco ?? null, spmet: v.spmet ?? null, pvi: v.pvi ?? null,
      alarm: radicalAlarmBits({ spo2, pulseRate }, this.limits),
      exception: radicalExceptionBits({ perfusionIndex }, this.limits),
    };
  }

  private write(bytes: Buffer, what: string): void {
    this.o.logger.debug({ dir: '→', bytes: bytes.length, hex: hexDump(bytes) }, what);
    for (const out of this.outputs) out.write(bytes);
  }
}
