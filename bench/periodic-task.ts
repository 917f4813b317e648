/**
 * A drift-free periodic timer for the device emulators: run `fn` at start + offset + k x
 * period (monotonic time). When the process falls behind, the missed slots are skipped
 * (a device does not send a burst of old lines) and counted, so the bench can tell when
 * its own emulators, not the gateway, were the bottleneck.
 */
export interface PeriodicTask {
  /** Runs so far. */
  readonly runs: number;
  /** Slots skipped because the run came more than one period late. */
  readonly skipped: number;
  /** Runs that started more than `lateThresholdMs` after their slot. */
  readonly late: number;
  stop(): void;
}

/** Starts `fn` every `periodMs`, the first run `offsetMs` from now. */
export function startPeriodicTask(periodMs: number, offsetMs: number, fn: () => void, lateThresholdMs = 5): PeriodicTask {
  const t0 = performance.now() + offsetMs;
  let k = 0;
  let stopped = false;
  const state = { runs: 0, skipped: 0, late: 0 };
  let timer: NodeJS.Timeout;
  const run = (): void => {
    if (stopped) return;
    const now = performance.now();
    if (now - (t0 + k * periodMs) > lateThresholdMs) state.late += 1;
    state.runs += 1;
    fn();
    k += 1;
    const after = performance.now();
    const behind = Math.floor((after - (t0 + k * periodMs)) / periodMs);
    if (behind > 0) {
      state.skipped += behind;
      k += behind;
    }
    timer = setTimeout(run, Math.max(0, t0 + k * periodMs - after));
  };
  timer = setTimeout(run, Math.max(0, offsetMs));
  return {
    get runs() {
      return state.runs;
    },
    get skipped() {
      return state.skipped;
    },
    get late() {
      return state.late;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
