import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import type { ConfirmedOrder } from './confirmed-order.js';
import type { PumpReading } from './order-types.js';
import type { ExecutionOutcome, ExecutionStep } from './pump-executor.js';

/** What a read-back needs, whatever the pump family. */
export interface ReadbackSettings {
  readonly readings$: Observable<PumpReading>;
  /** When the last command was done (epoch ms): only a reading taken after it counts. */
  readonly after: number;
  readonly deadlineMs: number;
  readonly rateToleranceMlPerHour: number;
}

/**
 * The proof of a pump write (safety rule 2): waits for the first fresh reading taken after
 * the commands and compares rate and run state with the order. Silence until the deadline
 * and any difference are failures; nothing here retries.
 */
export async function verifyByReadback(order: ConfirmedOrder, steps: readonly ExecutionStep[], s: ReadbackSettings): Promise<ExecutionOutcome> {
  let reading: PumpReading;
  try {
    reading = await firstValueFrom(
      s.readings$.pipe(
        filter((r) => r.fresh && r.readAt !== null && r.readAt > s.after),
        timeout({ first: s.deadlineMs }),
      ),
    );
  } catch {
    return {
      verified: false,
      code: 'READBACK_TIMEOUT',
      message: `no fresh status from the pump within ${s.deadlineMs / 1000} s after the command`,
      readback: await latestReading(s.readings$),
      steps,
    };
  }
  const problem = compareWithOrder(order, reading, s.rateToleranceMlPerHour);
  if (problem) return { verified: false, code: 'READBACK_MISMATCH', message: problem, readback: reading, steps };
  return { verified: true, readback: reading, steps };
}

/** Why the reading does not show what was ordered, or null when it does. */
export function compareWithOrder(order: ConfirmedOrder, r: PumpReading, toleranceMlPerHour: number): string | null {
  if (order.kind === 'stop') return r.runState === 'stopped' ? null : `ordered stopped, the pump reports ${r.runState}`;
  const target = order.targetRateMlPerHour ?? NaN;
  if (r.runState !== 'running') return `ordered ${target.toFixed(2)} mL/h running, the pump reports ${r.runState}`;
  if (r.rateMlPerHour === null || Math.abs(r.rateMlPerHour - target) > toleranceMlPerHour + 1e-9) {
    return `ordered ${target.toFixed(2)} mL/h, the pump reports ${r.rateMlPerHour === null ? 'no rate' : `${r.rateMlPerHour.toFixed(2)} mL/h`}`;
  }
  return null;
}

/** The current reading (the readings replay it), or null. */
export function latestReading(readings$: Observable<PumpReading>): Promise<PumpReading | null> {
  return firstValueFrom(readings$.pipe(timeout({ first: 0 }))).catch(() => null);
}
