/**
 * One gateway measurement: start the simulated devices, start the gateway on them, wait
 * until every transport is open, connect the station client, let it all warm up, then
 * record for the window and turn the timestamps into latencies.
 *
 * Three latencies, all per SPO2_LOW edge (one per oximeter line):
 * - `gateway`: transport chunk arrival (TimestampedTransport, in the gateway process) ->
 *   the station has written the batch holding the edge to the socket (same process). The measure.
 * - `wireToSend`: the emulator's socket.write() of the line has returned (bench process)
 *   -> the same send. Adds the loopback hop and the time the chunk waited for the
 *   gateway's event loop (hrtime is CLOCK_MONOTONIC, the same clock in both processes).
 * - `endToEnd`: that write -> the station client has the message (bench process), so it
 *   also includes the bench process's own event-loop delay.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { warmupMsFor, type BenchPlan, type GatewayScenario } from './bench-plan.js';
import { BenchDevices, type EmulatorCounts } from './device-emulators.js';
import type { GatewayHandle, GatewayLauncher } from './gateway-host.js';
import type { GatewayWindowReport } from './gateway-under-test.js';
import { latenciesFromFrames, overlapsAny, summarizeNs, type LatencySummary } from './latency-stats.js';
import type { ProcessWindowReport } from './process-window.js';
import { StationListener } from './station-listener.js';

/** A sample whose wall time exceeds the process's CPU time by more than this was off the CPU. */
const OFF_CPU_THRESHOLD_US = 1000;

/** A latency series matched to the frames written by the emulators. */
export interface MatchedLatency extends LatencySummary {
  /** Edges that could not be matched to a frame written while recording (window edges). */
  readonly unmatched: number;
}

/** Everything measured for one scenario. */
export interface ScenarioMeasurement {
  readonly scenario: GatewayScenario;
  readonly devices: number;
  /** From starting the gateway to every transport open. */
  readonly connectMs: number;
  readonly gateway: Omit<GatewayWindowReport, 'samples' | 'process'> & {
    readonly process: Omit<ProcessWindowReport, 'gcPauses'> & { readonly gcPauses: Omit<ProcessWindowReport['gcPauses'], 'intervalsNs'> };
    readonly cpuPercentOfCore: number;
  };
  readonly emulators: EmulatorCounts;
  readonly client: { readonly messages: number; readonly bytes: number; readonly alarmEdges: number };
  readonly latency: {
    readonly gateway: LatencySummary;
    /**
     * The same samples less the disturbed ones: those a GC pause overlapped (`gcHits`) and
     * those whose wall time exceeds the process's CPU time by over 1 ms (`offCpu`: the OS
     * ran something else meanwhile). What is left is the gateway's own code path.
     */
    readonly gatewayUndisturbed: LatencySummary & { readonly gcHits: number; readonly offCpu: number };
    /**
     * The first part of `gateway`: chunk arrival -> the station has queued the edge (driver,
     * bus, engine, station state and JSON). The rest, up to the batch's write, is the other
     * work of the same turn of the event loop and the write itself.
     */
    readonly gatewayToQueue: LatencySummary;
    readonly wireToSend: MatchedLatency;
    readonly endToEnd: MatchedLatency;
  };
  /** Oximeter lines written while recording whose edge never reached the station client. */
  readonly lostEdges: number;
}

/** Runs one scenario with a fresh gateway from `launch`; with `cpuProfilePath`, the gateway profiles its window. */
export async function runScenario(
  scenario: GatewayScenario,
  plan: BenchPlan,
  launch: GatewayLauncher,
  profilePath: string,
  options: { readonly cpuProfilePath?: string } = {},
): Promise<ScenarioMeasurement> {
  const devices = await BenchDevices.start({ beds: scenario.beds, nonin: scenario.nonin, oximeterIntervalMs: plan.oximeterIntervalMs });
  let gateway: GatewayHandle | null = null;
  let client: StationListener | null = null;
  try {
    const t0 = performance.now();
    gateway = await launch({ beds: devices.ports, profilePath, pumpPollMs: plan.pumpPollMs, logLevel: plan.logLevel, ...options });
    await waitForOpen(gateway, plan.connectTimeoutMs);
    const connectMs = performance.now() - t0;
    client = await StationListener.connect(gateway.stationUrl, scenario.nonin);
    devices.startStreaming();
    await sleep(warmupMsFor(plan, scenario.beds));

    client.beginRecording();
    await gateway.beginWindow();
    devices.beginRecording();
    await sleep(scenario.windowMs);
    const emulators = devices.endRecording();
    await sleep(plan.drainMs);
    const { samples, process: processReport, ...report } = await gateway.endWindow();
    const { intervalsNs, ...gcPauses } = processReport.gcPauses;
    const received = client.endRecording();

    // An edge more than two line periods after its frame would be matched to the wrong one.
    const maxAgeNs = 1.9 * plan.oximeterIntervalMs * 1e6;
    const framesOf = (bed: number, start: boolean) => devices.oximeterWrites(bed, start);
    const wire = latenciesFromFrames({ bedIndex: samples.bedIndex, start: samples.start, atNs: samples.sentNs }, framesOf, maxAgeNs);
    const e2e = latenciesFromFrames({ bedIndex: received.bedIndex, start: received.start, atNs: received.receivedNs }, framesOf, maxAgeNs);
    const gatewayNs = samples.sentNs.map((sent, i) => sent - samples.arrivalNs[i]!);
    const gcHit = gatewayNs.map((_, i) => overlapsAny(intervalsNs, samples.arrivalNs[i]!, samples.sentNs[i]!));
    const offCpu = gatewayNs.map((ns, i) => ns / 1000 - samples.cpuUs[i]! > OFF_CPU_THRESHOLD_US);
    const undisturbedNs = gatewayNs.filter((_, i) => !gcHit[i] && !offCpu[i]);
    const p = processReport;
    return {
      scenario,
      devices: gateway.deviceCount,
      connectMs: Math.round(connectMs),
      gateway: { ...report, process: { ...p, gcPauses }, cpuPercentOfCore: ((p.cpuUserMs + p.cpuSystemMs) / p.elapsedMs) * 100 },
      emulators,
      client: { messages: received.messages, bytes: received.bytes, alarmEdges: received.receivedNs.length },
      latency: {
        gateway: summarizeNs(gatewayNs),
        gatewayUndisturbed: { ...summarizeNs(undisturbedNs), gcHits: gcHit.filter(Boolean).length, offCpu: offCpu.filter(Boolean).length },
        gatewayToQueue: summarizeNs(samples.queuedNs.map((queued, i) => queued - samples.arrivalNs[i]!)),
        wireToSend: { ...summarizeNs(wire.latenciesNs), unmatched: wire.unmatched },
        endToEnd: { ...summarizeNs(e2e.latenciesNs), unmatched: e2e.unmatched },
      },
      lostEdges: Math.max(0, emulators.oximeterLines - e2e.latenciesNs.length),
    };
  } finally {
    client?.close();
    await gateway?.stop();
    await devices.stop();
  }
}

async function waitForOpen(gateway: GatewayHandle, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const open = await gateway.openTransports();
    if (open === gateway.deviceCount) return;
    if (performance.now() > deadline) throw new Error(`only ${open} of ${gateway.deviceCount} device transports open after ${timeoutMs} ms`);
    await sleep(100);
  }
}
