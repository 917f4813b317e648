/**
 * A V8 CPU profile of the gateway process over the measurement window only (not its
 * start-up), through the inspector of the process itself; written as a .cpuprofile file
 * that Chrome DevTools opens and cpu-profile-summary.ts reads.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface WindowProfiler {
  /** Stops profiling and writes the profile to `file`. */
  stop(file: string): Promise<void>;
}

/** Starts sampling every `intervalUs` microseconds. */
export async function startWindowProfiler(intervalUs = 500): Promise<WindowProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
