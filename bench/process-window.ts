/**
 * What a process spent during a measurement window: CPU time (all its threads: the main
 * thread, V8's compiler and GC helpers, libuv's pool), event-loop utilisation, GC pauses
 * (with their times, to tell which latency samples a pause hit), involuntary context
 * switches (the OS gave the CPU to another process: noise from a shared machine) and the
 * memory at the end, after a full GC when the process runs with --expose-gc.
 */
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { hrtimeNs } from './timestamped-transport.js';

export interface ProcessWindowReport {
  readonly elapsedMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  /** Share of the window the event loop was busy (0..1). */
  readonly eventLoopUtilization: number;
  readonly involuntaryContextSwitches: number;
  readonly gcPauses: {
    readonly count: number;
    readonly totalMs: number;
    readonly maxMs: number;
    /** [start, end] of each pause, hrtime ns. */
    readonly intervalsNs: readonly (readonly [number, number])[];
  };
  readonly memory: {
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly heapTotalBytes: number;
    /** C++ objects bound to JS objects (socket handles, buffers). */
    readonly externalBytes: number;
    readonly arrayBuffersBytes: number;
    /** The numbers were read after a full GC (--expose-gc). */
    readonly afterFullGc: boolean;
  };
}

export interface ProcessWindow {
  end(): ProcessWindowReport;
}

/** Starts measuring now. */
export function startProcessWindow(): ProcessWindow {
  const t0 = hrtimeNs();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const switches0 = process.resourceUsage().involuntaryContextSwitches;
  // performance.now() and hrtime are both monotonic: a constant offset maps one to the other.
  const offsetNs = hrtimeNs() - performance.now() * 1e6;
  const pauses: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    end: () => {
      const elapsedMs = (hrtimeNs() - t0) / 1e6;
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const involuntaryContextSwitches = process.resourceUsage().involuntaryContextSwitches - switches0;
      pauses.push(...observer.takeRecords());
      observer.disconnect();
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const m = process.memoryUsage();
      const intervalsNs = pauses.map((p) => [offsetNs + p.startTime * 1e6, offsetNs + (p.startTime + p.duration) * 1e6] as const);
      return {
        elapsedMs,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        eventLoopUtilization: elu,
        involuntaryContextSwitches,
        gcPauses: {
          count: pauses.length,
          totalMs: pauses.reduce((s, p) => s + p.duration, 0),
          maxMs: pauses.reduce((s, p) => Math.max(s, p.duration), 0),
          intervalsNs,
        },
        memory: {
          rssBytes: m.rss,
          heapUsedBytes: m.heapUsed,
          heapTotalBytes: m.heapTotal,
          externalBytes: m.external,
          arrayBuffersBytes: m.arrayBuffers,
          afterFullGc: gc !== undefined,
        },
      };
    },
  };
}
