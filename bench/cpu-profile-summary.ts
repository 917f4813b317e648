/**
 * Where the gateway's time goes: reads a V8 .cpuprofile and sums self time per function
 * and per area of the code (engine, drivers, station, ws, rxjs, pino, node core, GC...).
 * Self time of a sample is the time until the next sample (timeDeltas).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface TimeShare {
  readonly name: string;
  readonly ms: number;
  /** Share of the busy (non-idle) time, %. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly areas: readonly TimeShare[];
  readonly functions: readonly TimeShare[];
}

/** Areas of the code, first match wins (by URL, then by V8's pseudo-function names). */
const AREAS: readonly (readonly [string, (f: CallFrame) => boolean])[] = [
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['alarm engine (src/alarms)', (f) => f.url.includes('/src/alarms/')],
  ['station (src/station)', (f) => f.url.includes('/src/station/')],
  ['drivers', (f) => f.url.includes('/drivers/')],
  ['transports (src/transport)', (f) => f.url.includes('/src/transport/')],
  ['bench probes (bench/)', (f) => f.url.includes('/bench/')],
  ['ws (WebSocket library)', (f) => f.url.includes('/node_modules/ws/')],
  ['rxjs', (f) => f.url.includes('/node_modules/rxjs/')],
  ['pino / sonic-boom (logging)', (f) => /\/node_modules\/(pino|sonic-boom|thread-stream|fast-redact|quick-format-unescaped)/.test(f.url)],
  ['other node_modules', (f) => f.url.includes('/node_modules/')],
  ['node core (net, streams, timers)', (f) => f.url.startsWith('node:')],
  ['other gateway code', (f) => f.url.startsWith('file:')],
  ['V8 / native (JSON, regexp, syscalls)', (f) => f.url === '' && !f.functionName.startsWith('(')],
  ['(program)', () => true],
];

function areaOf(f: CallFrame): string {
  return AREAS.find(([, test]) => test(f))?.[0] ?? '(program)';
}

function shortUrl(url: string): string {
  const i = url.search(/\/(src|drivers|bench|simulators|node_modules)\//);
  return i >= 0 ? url.slice(i + 1) : url;
}

/** Summarises a .cpuprofile: time per area and the `top` functions by self time. */
export function summarizeCpuProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const perFunction = new Map<string, number>();
  const perArea = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(profile.samples[i]!);
    if (!frame) continue;
    sampledUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = `${frame.functionName || '(anonymous)'} ${frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    perFunction.set(key, (perFunction.get(key) ?? 0) + us);
    const area = areaOf(frame);
    perArea.set(area, (perArea.get(area) ?? 0) + us);
  }
  const busyUs = sampledUs - idleUs;
  const shares = (m: Map<string, number>): TimeShare[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0 }));
  return { sampledMs: Math.round(sampledUs / 1000), idleMs: Math.round(idleUs / 1000), areas: shares(perArea), functions: shares(perFunction).slice(0, top) };
}

/** Reads and summarises a .cpuprofile file. */
export function summarizeCpuProfileFile(file: string, top = 15): ProfileSummary {
  return summarizeCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
}

/** The summary as text lines. */
export function formatProfileSummary(s: ProfileSummary): string {
  const busy = s.sampledMs - s.idleMs;
  const lines = [`CPU profile of the gateway over the window: ${s.sampledMs} ms sampled, ${busy} ms busy (${s.sampledMs > 0 ? Math.round((busy / s.sampledMs) * 100) : 0} %)`];
  lines.push('  by area (self time, % of busy):');
  for (const a of s.areas) lines.push(`    ${a.percent.toFixed(1).padStart(5)} %  ${a.name}`);
  lines.push('  top functions (self time, % of busy):');
  for (const f of s.functions) lines.push(`    ${f.percent.toFixed(1).padStart(5)} %  ${f.name}`);
  return lines.join('\n');
}
