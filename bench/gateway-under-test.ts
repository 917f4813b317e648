/**
 * The gateway the bench measures: Vigil itself, started by `startDaemon`
 * (src/daemon/daemon.ts) on a configuration validated by the daemon's schema: the
 * database and audit log in a temporary SQLite file, the real drivers over real TCP
 * transports, the pump-control module wired to each bed's pump (a ketamine programme),
 * the alarm engine and its log, the alarm control and the station server with its
 * WebSocket. No simulators (the bench process plays the devices).
 *
 * Two measurement hooks, both the daemon's `instrumentation` option and both outside the
 * hot path's code: each transport is wrapped in a TimestampedTransport (arrival time of
 * each chunk), and the station reports each flushed batch of WebSocket sends, when the
 * alarm edges of that batch are stamped as sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger, LogLevel } from '../src/core/logger.js';
import type { EngineAlarmEvent } from '../src/alarms/engine/engine-events.js';
import { startDaemon } from '../src/daemon/daemon.js';
import { BENCH_DEVICES, benchBedIndex, benchVigilConfig, type BenchBedPorts } from './bench-config.js';
import { BENCH_ALARM_CODE } from './bench-profile.js';
import { TimestampedTransport, cpuTimeUs, hrtimeNs } from './timestamped-transport.js';
import { startWindowProfiler, type WindowProfiler } from './window-profiler.js';
import { startProcessWindow, type ProcessWindow, type ProcessWindowReport } from './process-window.js';

/** What to build. */
export interface BenchGatewaySpec {
  readonly beds: readonly BenchBedPorts[];
  readonly profilePath: string;
  readonly pumpPollMs: number;
  readonly logLevel: LogLevel;
  /** Write a CPU profile of the measurement window to this .cpuprofile file. */
  readonly cpuProfilePath?: string;
}

/**
 * Measured alarm edges: bed, start (true) or end, when the frame's last chunk arrived and
 * when the station had sent the edge (hrtime ns), and the CPU time (µs, all threads) the
 * process used in between: far less CPU than wall time means the thread was not running.
 */
export interface GatewaySamples {
  readonly bedIndex: number[];
  readonly start: boolean[];
  readonly arrivalNs: number[];
  readonly sentNs: number[];
  /** When the station had queued the edge (the alarm stream's subscriber after the station's), hrtime ns. */
  readonly queuedNs: number[];
  readonly cpuUs: number[];
}

/** What the gateway process saw during one measurement window. */
export interface GatewayWindowReport {
  readonly samples: GatewaySamples;
  readonly process: ProcessWindowReport;
  /** Alarm edges of any kind sent to the station. */
  readonly alarmEvents: number;
  readonly observations: number;
  readonly waveformChunks: number;
  readonly transportChunks: number;
}

/** The running gateway. */
export interface BenchGateway {
  readonly stationUrl: string;
  readonly deviceCount: number;
  /** Devices whose transport is open now. */
  openTransports(): number;
  beginWindow(): Promise<void>;
  endWindow(): Promise<GatewayWindowReport>;
  stop(): Promise<void>;
}

/** Starts the daemon on the bench configuration with the measurement hooks. */
export async function startBenchGateway(spec: BenchGatewaySpec): Promise<BenchGateway> {
  const logger: Logger = pino({ level: spec.logLevel, base: { app: 'vigil' } }, pino.destination({ dest: process.env.VIGIL_BENCH_LOG ?? '/dev/null', sync: true }));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const config = benchVigilConfig(spec.beds, { profilePath: spec.profilePath, pumpPollMs: spec.pumpPollMs, logLevel: spec.logLevel, databasePath: join(dir, 'vigil.sqlite') });
  const transports: TimestampedTransport[] = [];
  const oximeterOf: TimestampedTransport[] = [];

  let measuring = false;
  let samples: GatewaySamples = { bedIndex: [], start: [], arrivalNs: [], sentNs: [], queuedNs: [], cpuUs: [] };
  let counts = { alarmEvents: 0, observations: 0, waveformChunks: 0 };
  // Edges handed to the station in this turn: stamped as sent when the station flushes.
  const unsent: { bedIndex: number; start: boolean; arrivalNs: number; queuedNs: number; arrivalCpuUs: number }[] = [];
  const onStationFlush = () => {
    if (unsent.length === 0) return;
    const sentNs = hrtimeNs();
    const sentCpuUs = cpuTimeUs();
    for (const e of unsent) {
      samples.bedIndex.push(e.bedIndex);
      samples.start.push(e.start);
      samples.arrivalNs.push(e.arrivalNs);
      samples.sentNs.push(sentNs);
      samples.queuedNs.push(e.queuedNs);
      samples.cpuUs.push(sentCpuUs - e.arrivalCpuUs);
    }
    unsent.length = 0;
  };

  const daemon = await startDaemon({
    config,
    logger,
    instrumentation: {
      wrapTransport: (inner, device) => {
        const oximeter = device.deviceId === BENCH_DEVICES.oximeter;
        const transport = new TimestampedTransport(inner, oximeter);
        transports.push(transport);
        if (oximeter) oximeterOf[benchBedIndex(device.bedId)] = transport;
        return transport;
      },
      onStationFlush,
    },
  });
  // Subscribed after the station: runs once the station has queued the edge for sending.
  const probe = daemon.alarms$.subscribe((e) => {
    if (!measuring) return;
    counts.alarmEvents += 1;
    const { alarm } = e;
    if (alarm.code !== BENCH_ALARM_CODE || alarm.deviceId !== BENCH_DEVICES.oximeter || (e as EngineAlarmEvent).cause !== 'condition') return;
    const bedIndex = benchBedIndex(alarm.bedId);
    const transport = oximeterOf[bedIndex];
    if (!transport) return;
    unsent.push({ bedIndex, start: e.phase === 'start', arrivalNs: transport.lastChunkNs, queuedNs: hrtimeNs(), arrivalCpuUs: transport.lastChunkCpuUs });
  });
  const counters = [
    daemon.bus.observations$.subscribe(() => {
      if (measuring) counts.observations += 1;
    }),
    daemon.bus.waveforms$.subscribe(() => {
      if (measuring) counts.waveformChunks += 1;
    }),
  ];

  let profiler: WindowProfiler | null = null;
  let window: { process: ProcessWindow; chunks0: number } | null = null;
  const totalChunks = () => transports.reduce((n, t) => n + t.chunks, 0);
  return {
    stationUrl: daemon.stationUrl,
    deviceCount: transports.length,
    openTransports: () => transports.filter((t) => t.open).length,
    beginWindow: async () => {
      if (spec.cpuProfilePath) profiler = await startWindowProfiler();
      samples = { bedIndex: [], start: [], arrivalNs: [], sentNs: [], queuedNs: [], cpuUs: [] };
      counts = { alarmEvents: 0, observations: 0, waveformChunks: 0 };
      unsent.length = 0;
      window = { process: startProcessWindow(), chunks0: totalChunks() };
      measuring = true;
    },
    endWindow: async () => {
      if (!window) throw new Error('endWindow() without beginWindow()');
      measuring = false;
      const report = window.process.end();
      if (profiler && spec.cpuProfilePath) await profiler.stop(spec.cpuProfilePath);
      profiler = null;
      const transportChunks = totalChunks() - window.chunks0;
      window = null;
      return { samples, process: report, ...counts, transportChunks };
    },
    stop: async () => {
      for (const s of [probe, ...counters]) s.unsubscribe();
      await daemon.stop();
      logger.flush();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
