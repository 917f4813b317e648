/**
 * The gateway the bench measures, wired like startDaemon (src/daemon/daemon.ts): the real
 * drivers over real TCP transports, the gateway bus, the alarm engine started by the
 * daemon's own alarm wiring (profiles resolved from the configuration), the alarm log and
 * the real station server with its WebSocket. Two additions, both outside the hot path's
 * code: each transport is wrapped in a TimestampedTransport (arrival time of each chunk),
 * and a probe notes the time right after the station has sent each alarm edge.
 *
 * Left out of startDaemon, none of which sits between a frame and its alarm: the database,
 * audit log and users (no infusion programme, so no pump-control module), the simulators.
 */
import { EMPTY, Subject, asyncScheduler, share, type Observable } from 'rxjs';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import type { Logger, LogLevel } from '../src/core/logger.js';
import { GatewayBus } from '../src/bus/gateway-bus.js';
import type { AlarmEvent } from '../src/alarms/alarm.js';
import type { EngineAlarmEvent, EngineEvent } from '../src/alarms/engine/engine-events.js';
import { createTransport } from '../src/transport/create-transport.js';
import { startStationServer } from '../src/station/station-server.js';
import { resolveBedProfiles, startAlarmEngine } from '../src/daemon/alarm-wiring.js';
import type { DeviceDriver } from '../src/device/device-driver.js';
import { findDriver } from '../drivers/registry.js';
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

/** Builds and starts the gateway (drivers last, as startDaemon does). */
export async function startBenchGateway(spec: BenchGatewaySpec): Promise<BenchGateway> {
  const logger: Logger = pino({ level: spec.logLevel, base: { app: 'vigil' } }, pino.destination({ dest: '/dev/null', sync: true }));
  const clock = systemClock;
  const config = benchVigilConfig(spec.beds, { profilePath: spec.profilePath, pumpPollMs: spec.pumpPollMs, logLevel: spec.logLevel });
  const bus = new GatewayBus();
  const transports: TimestampedTransport[] = [];
  const oximeterOf: TimestampedTransport[] = [];
  const drivers: DeviceDriver[] = [];
  // As createDevices (src/daemon/devices.ts), with each transport wrapped.
  for (const bed of config.beds) {
    for (const device of bed.devices) {
      const definition = findDriver(device.driver);
      if (!definition) throw new Error(`unknown driver ${device.driver}`);
      const deviceLog = logger.child({ component: 'device', bed: bed.id, device: device.id, driver: device.driver });
      const inner = createTransport(device.transport, definition.serialDefaults, { logger: deviceLog.child({ component: 'transport' }), clock });
      const transport = new TimestampedTransport(inner, device.id === BENCH_DEVICES.oximeter);
      transports.push(transport);
      if (device.id === BENCH_DEVICES.oximeter) oximeterOf[benchBedIndex(bed.id)] = transport;
      drivers.push(definition.create({ bedId: bed.id, deviceId: device.id, transport, bus, logger: deviceLog, clock, options: device.options }));
    }
  }

  const profiles = resolveBedProfiles(config, spec.profilePath);
  const inputs = { observations$: bus.observations$, status$: bus.status$, conditions$: bus.conditions$, external$: EMPTY };
  const engine = startAlarmEngine(config, profiles, inputs, asyncScheduler, logger);
  const alarms$: Observable<AlarmEvent> = engine.alarmEvents$.pipe(share());
  const alarmLog = engine.events$.subscribe((e) => logEngineEvent(logger, e));

  let measuring = false;
  let samples: GatewaySamples = { bedIndex: [], start: [], arrivalNs: [], sentNs: [], cpuUs: [] };
  let counts = { alarmEvents: 0, observations: 0, waveformChunks: 0 };
  // The station reads this subject; the probe runs after it returns, i.e. after ws.send().
  const toStation = new Subject<AlarmEvent>();
  const probe = alarms$.subscribe((e) => {
    toStation.next(e);
    if (!measuring) return;
    const sentNs = hrtimeNs();
    const sentCpuUs = cpuTimeUs();
    counts.alarmEvents += 1;
    const { alarm } = e;
    if (alarm.code !== BENCH_ALARM_CODE || alarm.deviceId !== BENCH_DEVICES.oximeter || (e as EngineAlarmEvent).cause !== 'condition') return;
    const bedIndex = benchBedIndex(alarm.bedId);
    const transport = oximeterOf[bedIndex];
    if (!transport) return;
    samples.bedIndex.push(bedIndex);
    samples.start.push(e.phase === 'start');
    samples.arrivalNs.push(transport.lastChunkNs);
    samples.sentNs.push(sentNs);
    samples.cpuUs.push(sentCpuUs - transport.lastChunkCpuUs);
  });
  const counters = [
    bus.observations$.subscribe(() => {
      if (measuring) counts.observations += 1;
    }),
    bus.waveforms$.subscribe(() => {
      if (measuring) counts.waveformChunks += 1;
    }),
  ];

  const station = await startStationServer({
    host: config.station.host,
    port: config.station.port,
    beds: config.beds.map((b) => ({ id: b.id, label: b.label, session: b.session, devices: b.devices.map((d) => ({ id: d.id, driver: d.driver, transport: d.transport })) })),
    observations$: bus.observations$,
    status$: bus.status$,
    waveforms$: bus.waveforms$,
    alarms$: toStation,
    logger: logger.child({ component: 'station' }),
  });
  for (const d of drivers) d.start();

  let profiler: WindowProfiler | null = null;
  let window: { process: ProcessWindow; chunks0: number } | null = null;
  const totalChunks = () => transports.reduce((n, t) => n + t.chunks, 0);
  return {
    stationUrl: station.url,
    deviceCount: transports.length,
    openTransports: () => transports.filter((t) => t.open).length,
    beginWindow: async () => {
      if (spec.cpuProfilePath) profiler = await startWindowProfiler();
      samples = { bedIndex: [], start: [], arrivalNs: [], sentNs: [], cpuUs: [] };
      counts = { alarmEvents: 0, observations: 0, waveformChunks: 0 };
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
      await Promise.all(drivers.map((d) => d.stop()));
      await station.close();
      for (const s of [probe, alarmLog, ...counters]) s.unsubscribe();
      engine.stop();
      bus.close();
      logger.flush();
    },
  };
}

/** The daemon's alarm log (daemon.ts logEngineEvent): start at warn, end at info, the rest at debug/info. */
function logEngineEvent(logger: Logger, event: EngineEvent): void {
  if (event.type !== 'alarm') {
    logger.info({ component: 'alarms', event }, `alarm ${event.type}`);
    return;
  }
  const { phase, alarm } = event;
  const fields = { component: 'alarms', phase, bed: alarm.bedId, device: alarm.deviceId, code: alarm.code, priority: alarm.priority };
  if (phase === 'start') logger.warn(fields, `alarm: ${alarm.message}`);
  else if (phase === 'end') logger.info(fields, `alarm ended: ${alarm.message}`);
  else logger.debug(fields, `alarm update: ${alarm.message}`);
}
