/**
 * The text report of a benchmark run: engine throughput, gateway latency, gateway cost
 * per bed and the targets with pass / miss, as aligned plain-text tables.
 */
import type { BenchResults, ScenarioResult } from './bench-results.js';
import type { ScenarioMeasurement } from './run-scenario.js';

/** Right-aligned columns (the first left-aligned), two spaces apart. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** RSS varies by several MB from one process to the next: per-bed memory is shown from this many beds. */
const MIN_BEDS_FOR_MEMORY_PER_BED = 100;

const num = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: Math.min(digits, 1) });
const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const variant = (m: ScenarioMeasurement): string => (m.scenario.beds === 0 ? 'baseline' : m.scenario.nonin ? '+waveform' : 'base');

function latencyRows(scenarios: readonly ScenarioResult[]): string[][] {
  return scenarios.map((s) => {
    const g = s.latency.gateway;
    const calm = s.latency.gatewayUndisturbed;
    return [
      variant(s), String(s.scenario.beds), String(g.n), num(g.p50Ms), num(g.p90Ms), num(g.p99Ms), num(g.maxMs), `${num(calm.p99Ms)} (${calm.gcHits}/${calm.offCpu})`,
      `${num(s.latency.gatewayToQueue.p50Ms)} / ${num(s.latency.gatewayToQueue.p99Ms)}`,
      `${num(s.latency.wireToSend.p50Ms)} / ${num(s.latency.wireToSend.p99Ms)}`,
      `${num(s.latency.endToEnd.p50Ms)} / ${num(s.latency.endToEnd.p99Ms)}`,
      String(s.lostEdges),
    ];
  });
}

function costRow(m: ScenarioMeasurement, perBed: ScenarioResult['perBed'] | null): string[] {
  const g = m.gateway;
  const p = g.process;
  const seconds = p.elapsedMs / 1000;
  return [
    variant(m), String(m.scenario.beds), num(g.cpuPercentOfCore, 1), num(p.eventLoopUtilization, 2),
    `${num((p.gcPauses.totalMs / p.elapsedMs) * 100, 1)} / ${num(p.gcPauses.maxMs, 1)}`, String(p.involuntaryContextSwitches),
    num(p.memory.rssBytes / 2 ** 20, 1), num(p.memory.heapUsedBytes / 2 ** 20, 1),
    perBed ? num(perBed.cpuPercentOfCore, 3) : '-',
    perBed && m.scenario.beds >= MIN_BEDS_FOR_MEMORY_PER_BED ? num(perBed.rssKB, 1) : '-',
    perBed && m.scenario.beds >= MIN_BEDS_FOR_MEMORY_PER_BED ? num(perBed.heapKB, 1) : '-',
    int(g.observations / seconds), int(g.waveformChunks / seconds), int(m.client.messages / seconds),
    String(m.emulators.lateWrites + m.emulators.skippedWrites),
  ];
}

/** The whole report. */
export function formatResults(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Vigil benchmark, ${r.startedAt}: node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), load average (1/5/15 min) at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${m.loadAverageAtEnd.map((l) => l.toFixed(2)).join(' ')}`);
  if (r.gatewayNodeFlags) out.push(`Gateway process: node ${['--expose-gc', ...r.gatewayNodeFlags].join(' ')}`);
  out.push('');
  out.push('Alarm engine throughput: observations/s through createAlarmEngine, one process (ketamine-iv, 3 devices a bed)');
  out.push(
    textTable(
      ['beds', 'median obs/s', 'runs (obs/s)', 'alarm edges', 'dropped'],
      r.engine.map((e) => [String(e.beds), int(e.medianObservationsPerSecond), e.runs.map((x) => int(x.observationsPerSecond)).join(' '), String(e.runs[0]?.alarmEvents ?? 0), String(e.runs[0]?.dropped ?? 0)]),
    ),
  );
  out.push('');
  out.push('Gateway latency (ms), one SPO2_LOW edge per oximeter line. gateway = last chunk of the line at the transport ->');
  out.push('station batch holding the edge written to the socket (gateway process); wire->send = emulator write -> send; e2e = emulator write -> station client has it.');
  out.push('undisturbed p99 = p99 less the edges a GC pause hit or that waited > 1 ms off the CPU (how many: GC/off-CPU);');
  out.push('to queue = the first part of gateway: chunk arrival -> the station has queued the edge (the rest: the turn\'s other work, the write).');
  out.push(textTable(['variant', 'beds', 'edges', 'p50', 'p90', 'p99', 'max', 'undisturbed p99', 'to queue p50/p99', 'wire->send p50/p99', 'e2e p50/p99', 'lost'], latencyRows(r.scenarios)));
  out.push('');
  out.push('Gateway cost (gateway process alone; per bed = (size - baseline) / beds; CPU in % of one core, all threads; ELU = event-loop');
  out.push('utilisation; GC = % of the window in GC pauses / longest pause ms; preempt = involuntary context switches; late = emulator writes late;');
  out.push(`memory per bed from ${MIN_BEDS_FOR_MEMORY_PER_BED} beds: RSS varies by several MB between processes, see results.json for all)`);
  out.push(
    textTable(
      ['variant', 'beds', 'CPU %', 'ELU', 'GC % / max', 'preempt', 'RSS MB', 'heap MB', 'CPU/bed %', 'RSS/bed KB', 'heap/bed KB', 'obs/s', 'wave/s', 'ws msg/s', 'late'],
      [costRow(r.baseline, null), ...r.scenarios.map((s) => costRow(s, s.perBed))],
    ),
  );
  for (const f of r.fits) {
    out.push(
      `  linear fit (${f.variant}, baseline + sizes): CPU ${num(f.cpuPercentOfCore.slopePerBed, 4)} %/bed (R2 ${num(f.cpuPercentOfCore.r2, 3)}), ` +
        `RSS ${num(f.rssKB.slopePerBed, 1)} KB/bed (R2 ${num(f.rssKB.r2, 3)})`,
    );
  }
  out.push('');
  out.push('Targets');
  out.push(textTable(['target', 'goal', 'measured', 'result'], r.targets.map((t) => [t.id, t.target, t.measured, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'MISS'])));
  return out.join('\n');
}
