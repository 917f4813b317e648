/**
 * The simulated beds' devices, in the bench process, each on its own TCP port of
 * 127.0.0.1 (like terminal-server ports), writing real protocol bytes with the
 * simulators' own code:
 * - Masimo Radical-7 "ASCII 1": one line per bed every `oximeterIntervalMs` (the device
 *   sends one a second), served by the simulators' TcpDeviceServer and formatted by
 *   formatRadicalLine; SpO2 alternates 85 / 95 %, so each line is one SPO2_LOW edge.
 *   The hrtime right after socket.write() returned is kept for each line.
 * - Alaris Asena GH: the simulator's pump model and protocol handler (serveAsenaPump),
 *   answering the driver's INF / INF_VTBI poll cycle.
 * - Nonin format #7 (waveform variant): 25-frame packets (one third of a second of
 *   75 frames/s) from the simulator's wire encoder and pleth model.
 * Beds are spread evenly over the period: devices are not synchronised.
 */
import { silentLogger } from '../src/core/logger.js';
import { systemClock } from '../src/core/clock.js';
import { TcpDeviceServer } from '../simulators/serve/tcp-device-server.js';
import { formatRadicalLine } from '../simulators/masimo-radical/radical-line.js';
import { AsenaPumpModel } from '../simulators/alaris-asena/pump-model.js';
import { AsenaProtocolHandler } from '../simulators/alaris-asena/protocol-handler.js';
import { serveAsenaPump, type AsenaTcpServer } from '../simulators/alaris-asena/tcp-server.js';
import { SIM_FRAMES_PER_PACKET, SIM_FRAMES_PER_SECOND, SIM_STATUS, dataByteFor, encodeFrame } from '../simulators/nonin/nonin-wire.js';
import { PlethModel } from '../simulators/nonin/pleth-model.js';
import type { BenchBedPorts } from './bench-config.js';
import { BENCH_SPO2_LOW, BENCH_SPO2_NORMAL } from './bench-profile.js';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.js';
import { hrtimeNs } from './timestamped-transport.js';

export interface EmulatorOptions {
  readonly beds: number;
  readonly nonin: boolean;
  /** Time between two oximeter lines of one bed (the device: 1000 ms). */
  readonly oximeterIntervalMs: number;
}

/** A Nonin packet goes out this often: 25 frames at 75 frames/s. */
export const NONIN_PACKET_INTERVAL_MS = (1000 * SIM_FRAMES_PER_PACKET) / SIM_FRAMES_PER_SECOND;

/** What the emulators did while recording. */
export interface EmulatorCounts {
  readonly oximeterLines: number;
  readonly noninPackets: number;
  /** Writes that started > 5 ms after their slot, and slots skipped: the bench process falling behind. */
  readonly lateWrites: number;
  readonly skippedWrites: number;
}

/** Three packets (1 s) of format #7 frames, sent in turn: SpO2 97 %, HR 72 /min, a pleth at 72 /min. */
function noninPackets(): Buffer[] {
  const pleth = new PlethModel(SIM_FRAMES_PER_SECOND);
  const values = { heartRate: 72, spo2: 97, firmwareRevision: 0x2a };
  return [0, 1, 2].map(() => {
    const frames: Buffer[] = [];
    for (let f = 1; f <= SIM_FRAMES_PER_PACKET; f++) {
      const { level } = pleth.next(values.heartRate, 3);
      const status = SIM_STATUS.always | SIM_STATUS.perfusionGreen | (f === 1 ? SIM_STATUS.sync : 0);
      frames.push(encodeFrame(7, status, Math.round(level * 0xffff), dataByteFor(f, values)));
    }
    return Buffer.concat(frames);
  });
}

/** One bench bed's line: radical-7 layout, device time now. */
function oximeterLine(spo2: number): Buffer {
  const reading = {
    deviceTimeMs: Date.now(), serialNumber: 'BENCH00001', spo2, pulseRate: 80, perfusionIndex: 3.5, spco: 1.2, spmet: 0.8,
    desat: 0, piDelta: 0, pvi: 14, alarm: 0, exception: 0,
  };
  return Buffer.from(formatRadicalLine('radical-7', reading), 'latin1');
}

export class BenchDevices {
  private readonly tasks: PeriodicTask[] = [];
  private recording = false;
  private counts = { oximeterLines: 0, noninPackets: 0 };
  /** Per bed, hrtime (ns) of each oximeter line written while recording: SpO2 low lines, normal lines. */
  private lowWrites: number[][] = [];
  private normalWrites: number[][] = [];
  private lateBase = { late: 0, skipped: 0 };

  private constructor(
    private readonly options: EmulatorOptions,
    readonly ports: readonly BenchBedPorts[],
    private readonly masimo: TcpDeviceServer[],
    private readonly pumps: AsenaTcpServer[],
    private readonly nonin: TcpDeviceServer[],
  ) {
    this.lowWrites = ports.map(() => []);
    this.normalWrites = ports.map(() => []);
  }

  /** Opens every device's port (nothing is written until startStreaming()). */
  static async start(options: EmulatorOptions): Promise<BenchDevices> {
    const log = silentLogger();
    const masimo: TcpDeviceServer[] = [];
    const pumps: AsenaTcpServer[] = [];
    const nonin: TcpDeviceServer[] = [];
    const ports: BenchBedPorts[] = [];
    for (let i = 0; i < options.beds; i++) {
      const oximeter = new TcpDeviceServer('127.0.0.1', 0, log);
      masimo.push(oximeter);
      const masimoPort = (await oximeter.start()).port;
      const model = new AsenaPumpModel({ clock: systemClock, serial: `8002-${String(i + 1).padStart(5, '0')}`, rateMlPerHour: 5, syringeVolumeMl: 50 });
      model.start();
      const pump = await serveAsenaPump(new AsenaProtocolHandler(model), { port: 0 });
      pumps.push(pump);
      let noninPort: number | null = null;
      if (options.nonin) {
        const pleth = new TcpDeviceServer('127.0.0.1', 0, log);
        nonin.push(pleth);
        noninPort = (await pleth.start()).port;
      }
      ports.push({ masimoPort, asenaPort: pump.port, noninPort });
    }
    return new BenchDevices(options, ports, masimo, pumps, nonin);
  }

  /** Starts the periodic writes (once the gateway is connected). */
  startStreaming(): void {
    const { beds, oximeterIntervalMs } = this.options;
    const packets = noninPackets();
    this.masimo.forEach((server, i) => {
      let n = 0;
      const task = startPeriodicTask(oximeterIntervalMs, (i * oximeterIntervalMs) / beds, () => {
        const low = n++ % 2 === 0;
        server.write(oximeterLine(low ? BENCH_SPO2_LOW : BENCH_SPO2_NORMAL));
        if (!this.recording) return;
        (low ? this.lowWrites : this.normalWrites)[i]!.push(hrtimeNs());
        this.counts.oximeterLines += 1;
      });
      this.tasks.push(task);
    });
    this.nonin.forEach((server, i) => {
      let n = 0;
      const task = startPeriodicTask(NONIN_PACKET_INTERVAL_MS, (i * NONIN_PACKET_INTERVAL_MS) / beds, () => {
        server.write(packets[n++ % packets.length]!);
        if (this.recording) this.counts.noninPackets += 1;
      });
      this.tasks.push(task);
    });
  }

  /** Starts recording (clears what was recorded before). */
  beginRecording(): void {
    this.lowWrites = this.ports.map(() => []);
    this.normalWrites = this.ports.map(() => []);
    this.counts = { oximeterLines: 0, noninPackets: 0 };
    this.lateBase = this.taskTotals();
    this.recording = true;
  }

  endRecording(): EmulatorCounts {
    this.recording = false;
    const now = this.taskTotals();
    return { ...this.counts, lateWrites: now.late - this.lateBase.late, skippedWrites: now.skipped - this.lateBase.skipped };
  }

  /**
   * hrtime (ns) of the oximeter lines of bed `index` written while recording, in order:
   * the SpO2-low lines (each starts SPO2_LOW) or the normal ones (each ends it).
   */
  oximeterWrites(index: number, low: boolean): readonly number[] {
    return (low ? this.lowWrites : this.normalWrites)[index] ?? [];
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) t.stop();
    await Promise.all([...this.masimo.map((s) => s.stop()), ...this.pumps.map((p) => p.close()), ...this.nonin.map((s) => s.stop())]);
  }

  private taskTotals(): { late: number; skipped: number } {
    return this.tasks.reduce((acc, t) => ({ late: acc.late + t.late, skipped: acc.skipped + t.skipped }), { late: 0, skipped: 0 });
  }
}
