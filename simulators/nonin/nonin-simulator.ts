import type { Clock } from '../../src/core/clock.js';
import { hexDump, type Logger } from '../../src/core/logger.js';
import { DEFAULT_GARBAGE_BYTES, type DeviceEvent } from '../device/device-events.js';
import { createRandom } from '../patient/seeded-random.js';
import type { VitalsSource } from '../patient/virtual-patient.js';
import type { Vitals } from '../patient/vitals.js';
import type { DeviceOutput } from '../serve/device-output.js';
import { FormatCommandReceiver } from './format-command-receiver.js';
import type { NoninEvent } from './nonin-events.js';
import {
  SIM_FRAMES_PER_PACKET, SIM_FRAMES_PER_SECOND, SIM_HR_MISSING, SIM_SPO2_MISSING, SIM_STATUS,
  dataByteFor, encodeFrame, plethMax, type PacketValues, type SimNoninFormat,
} from './nonin-wire.js';
import { PlethModel } from './pleth-model.js';

/** What the simulated oximeter is doing. */
export type NoninMode = 'streaming' | 'sensor-off' | 'artifact' | 'silent' | 'disconnected';

export interface NoninSimulatorOptions {
  /** Output format at start (the host may change it with "set data format"). */
  readonly format: SimNoninFormat;
  readonly patient: VitalsSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seed of the garbage and artifact noise. */
  readonly seed: number;
  /** DATA of frame 4. Default 0x2a. */
  readonly firmwareRevision?: number;
}

/** Frames go out in bursts about this often (75 frames/s on average, about one packet per burst). */
export const NONIN_BURST_INTERVAL_MS = 333;
/** After a stall (event loop blocked), at most this many frames are sent at once; the rest are skipped. */
const MAX_BURST_FRAMES = 2 * SIM_FRAMES_PER_SECOND;
/** A bad-checksum event corrupts one frame in this many. */
const BAD_CHECKSUM_SPACING_FRAMES = 10;

/**
 * A simulated Nonin pulse oximeter (format #2 or #7) fed by its bed's virtual patient:
 * 75 frames/s sent in bursts, a two-Gaussian pleth at the patient's pulse rate, SpO2 and
 * heart rate in the DATA bytes. Faults: sensor-off, artifact, bad-checksum, garbage,
 * silence, disconnect, resume. Answers "set data format" (ACK, switch at the next packet).
 */
export class NoninSimulator {
  private readonly outputs: DeviceOutput[] = [];
  private readonly random: () => number;
  private readonly pleth = new PlethModel(SIM_FRAMES_PER_SECOND);
  private readonly receiver: FormatCommandReceiver;
  private current: NoninMode = 'streaming';
  private untilMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private format: SimNoninFormat;
  private nextFormat: SimNoninFormat | null = null;
  private startedAtMs: number | null = null;
  private frameCount = 0;
  private values: PacketValues = { heartRate: SIM_HR_MISSING, spo2: SIM_SPO2_MISSING, firmwareRevision: 0 };
  private badChecksumsLeft = 0;
  private sinceBadChecksum = 0;

  constructor(private readonly o: NoninSimulatorOptions) {
    this.random = createRandom(o.seed);
    this.format = o.format;
    this.receiver = new FormatCommandReceiver((format) => {
      this.o.logger.info({ format }, 'set data format: switching at the next packet');
      this.nextFormat = format;
    });
  }

  /** The format of the frames now being written. */
  get outputFormat(): SimNoninFormat {
    return this.format;
  }

  /** Adds an output; the device writes every burst to all of them and answers commands on each. */
  attach(output: DeviceOutput): void {
    this.outputs.push(output);
    output.setConnected(this.current !== 'disconnected');
    output.setReceiver(this.receiver);
  }

  /** Starts sending frames. */
  start(): void {
    if (this.timer) return;
    this.startedAtMs = this.o.clock.monotonic();
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        // A simulator bug must not take the host (possibly the daemon) down.
        this.o.logger.error({ err }, 'simulator tick failed');
      }
    }, NONIN_BURST_INTERVAL_MS);
  }

  /** Stops the burst timer (outputs are stopped by their owner). Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sends the frames due since the last burst (75/s of device time); none while silent or disconnected. */
  tick(): void {
    const now = this.o.clock.monotonic();
    this.startedAtMs ??= now;
    let due = Math.floor(((now - this.startedAtMs) * SIM_FRAMES_PER_SECOND) / 1000) - this.frameCount;
    if (due > MAX_BURST_FRAMES) {
      this.frameCount += due - MAX_BURST_FRAMES;
      due = MAX_BURST_FRAMES;
    }
    if (due <= 0) return;
    const mode = this.mode().mode;
    // One read of the patient per burst: cheap, and 1/3 s is finer than any vital changes.
    const vitals = this.o.patient.vitalsNow();
    const frames: Buffer[] = [];
    for (let i = 0; i < due; i++) frames.push(this.nextFrame(mode, vitals));
    if (mode === 'silent' || mode === 'disconnected') return;
    this.write(Buffer.concat(frames), 'frames');
  }

  /** The current mode and, for a timed fault, the whole seconds left. */
  mode(): { mode: NoninMode; secondsLeft: number | null } {
    if (this.untilMs !== null && this.o.clock.monotonic() >= this.untilMs) this.enter('streaming', null);
    const left = this.untilMs === null ? null : Math.ceil((this.untilMs - this.o.clock.monotonic()) / 1000);
    return { mode: this.current, secondsLeft: left };
  }

  /** Applies a device event or a Nonin event. */
  handle(event: DeviceEvent | NoninEvent): void {
    this.o.logger.info({ event }, 'device event');
    switch (event.type) {
      case 'sensor-off':
        return this.enter('sensor-off', event.seconds ?? null);
      case 'artifact':
        return this.enter('artifact', event.seconds ?? null);
      case 'silence':
        return this.enter('silent', event.seconds ?? null);
      case 'disconnect':
        return this.enter('disconnected', event.seconds ?? null);
      case 'resume':
        this.badChecksumsLeft = 0;
        return this.enter('streaming', null);
      case 'bad-checksum':
        this.badChecksumsLeft += event.frames ?? 1;
        this.sinceBadChecksum = BAD_CHECKSUM_SPACING_FRAMES;
        return;
      case 'garbage': {
        const mode = this.mode().mode;
        if (mode === 'silent' || mode === 'disconnected') return;
        // Line noise between two frames: the driver must resynchronise.
        const bytes = Buffer.alloc(event.bytes ?? DEFAULT_GARBAGE_BYTES);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.random() * 256);
        this.write(bytes, 'garbage');
        return;
      }
    }
  }

  private enter(mode: NoninMode, seconds: number | null): void {
    const wasDisconnected = this.current === 'disconnected';
    this.current = mode;
    this.untilMs = seconds === null || mode === 'streaming' ? null : this.o.clock.monotonic() + seconds * 1000;
    const connected = mode !== 'disconnected';
    if (wasDisconnected === connected) for (const out of this.outputs) out.setConnected(connected);
  }

  /** Builds the next frame of the device's endless stream. */
  private nextFrame(mode: NoninMode, vitals: Vitals): Buffer {
    const frameNumber = (this.frameCount % SIM_FRAMES_PER_PACKET) + 1;
    this.frameCount += 1;
    const sensorOff = mode === 'sensor-off';
    if (frameNumber === 1) {
      if (this.nextFormat !== null) {
        this.format = this.nextFormat;
        this.nextFormat = null;
      }
      // One snapshot per packet, so the HR MSB and LSB belong to the same value.
      this.values = {
        heartRate: sensorOff ? SIM_HR_MISSING : Math.min(321, Math.max(0, Math.round(vitals.pulseRate))),
        spo2: sensorOff ? SIM_SPO2_MISSING : Math.min(100, Math.max(0, Math.round(vitals.spo2))),
        firmwareRevision: this.o.firmwareRevision ?? 0x2a,
      };
    }
    const { level, inPulse } = this.pleth.next(vitals.pulseRate, vitals.perfusionIndex);
    let status = SIM_STATUS.always | (frameNumber === 1 ? SIM_STATUS.sync : 0);
    let sample = level;
    if (sensorOff) {
      status |= SIM_STATUS.sensorDisconnect;
      sample = 0; // flat trace
    } else {
      if (inPulse) status |= perfusionBits(vitals.perfusionIndex);
      if (mode === 'artifact') {
        status |= SIM_STATUS.artifact;
        sample = Math.min(1, Math.max(0, level + (this.random() - 0.5) * 0.4));
      }
    }
    const pleth = Math.round(sample * plethMax(this.format));
    return encodeFrame(this.format, status, pleth, dataByteFor(frameNumber, this.values), this.takeBadChecksum());
  }

  private takeBadChecksum(): boolean {
    if (this.badChecksumsLeft === 0) return false;
    this.sinceBadChecksum += 1;
    if (this.sinceBadChecksum < BAD_CHECKSUM_SPACING_FRAMES) return false;
    this.sinceBadChecksum = 0;
    this.badChecksumsLeft -= 1;
    return true;
  }

  private write(bytes: Buffer, what: string): void {
    this.o.logger.debug({ dir: '→', bytes: bytes.length, hex: hexDump(bytes, 32) }, what);
    for (const out of this.outputs) out.write(bytes);
  }
}

/** STATUS perfusion bits during a pulse: green from PI 1 %, yellow from 0.5 %, red below. */
export function perfusionBits(perfusionIndexPct: number): number {
  if (perfusionIndexPct >= 1) return SIM_STATUS.perfusionGreen;
  if (perfusionIndexPct >= 0.5) return SIM_STATUS.perfusionYellow;
  return SIM_STATUS.perfusionRed;
}
