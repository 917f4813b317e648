import { Subject, type Observable, type Subscription } from 'rxjs';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PumpView } from './control-api.js';
import type { ControlledPump, PumpLocalChangeInput } from './controlled-pump.js';
import { rateToDoseMgPerKgPerHour } from './dose-math.js';
import type { PumpReading } from './order-types.js';

/** What Vigil knows of a pump before its first reading: nothing, and not fresh. */
export const NO_READING: PumpReading = Object.freeze({
  rateMlPerHour: null,
  runState: 'unknown',
  serial: null,
  volumeInfusedMl: null,
  vtbiRemainingMl: null,
  fresh: false,
  readAt: null,
});

interface Entry {
  readonly pump: ControlledPump;
  reading: PumpReading;
}

/** The key of a pump: `<bedId>/<deviceId>`. */
export function pumpKey(bedId: string, deviceId: string): string {
  return `${bedId}/${deviceId}`;
}

/**
 * The pumps under control and their latest read-back, as the station shows them
 * (`PumpView`, with the dose computed from the read-back rate). Emits a view on every
 * reading and whenever `refresh` is called (e.g. an order opened or closed).
 */
export class PumpBoard {
  private readonly entries = new Map<string, Entry>();
  private readonly views = new Subject<PumpView>();
  private readonly subscriptions: Subscription[] = [];
  readonly views$: Observable<PumpView> = this.views.asObservable();

  constructor(
    pumps: readonly ControlledPump[],
    private readonly openOrderOf: (bedId: string, deviceId: string) => string | null,
    private readonly log: Logger,
  ) {
    for (const pump of pumps) this.entries.set(pumpKey(pump.bedId, pump.deviceId), { pump, reading: NO_READING });
  }

  /** Subscribes to every pump's readings and local changes. */
  start(onLocalChange: (pump: ControlledPump, change: PumpLocalChangeInput) => void): void {
    for (const entry of this.entries.values()) {
      const { pump } = entry;
      this.subscriptions.push(
        pump.readings$.subscribe({
          next: (reading) => {
            entry.reading = reading;
            this.views.next(this.toView(entry));
          },
          error: (err: unknown) => {
            // A broken reading stream means Vigil no longer knows the pump: not fresh.
            this.log.error({ bed: pump.bedId, device: pump.deviceId, err: describeError(err) }, 'pump readings failed');
            entry.reading = { ...entry.reading, fresh: false };
            this.views.next(this.toView(entry));
          },
        }),
        pump.localChanges$.subscribe({
          next: (change) => {
            try {
              onLocalChange(pump, change);
            } catch (err) {
              this.log.error({ bed: pump.bedId, device: pump.deviceId, err: describeError(err) }, 'local pump change not recorded');
            }
          },
          error: (err: unknown) => this.log.error({ bed: pump.bedId, device: pump.deviceId, err: describeError(err) }, 'pump change stream failed'),
        }),
      );
    }
  }

  stop(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.views.complete();
  }

  find(bedId: string, deviceId: string): ControlledPump | undefined {
    if (typeof bedId !== 'string' || typeof deviceId !== 'string') return undefined;
    return this.entries.get(pumpKey(bedId, deviceId))?.pump;
  }

  /** The latest reading of a pump (NO_READING before the first). */
  reading(bedId: string, deviceId: string): PumpReading {
    return this.entries.get(pumpKey(bedId, deviceId))?.reading ?? NO_READING;
  }

  list(): PumpView[] {
    return [...this.entries.values()].map((e) => this.toView(e));
  }

  /** Emits the pump's view again (its open order changed). */
  refresh(bedId: string, deviceId: string): void {
    const entry = this.entries.get(pumpKey(bedId, deviceId));
    if (entry) this.views.next(this.toView(entry));
  }

  private toView(entry: Entry): PumpView {
    const { pump, reading } = entry;
    const p = pump.programme;
    return {
      bedId: pump.bedId,
      deviceId: pump.deviceId,
      label: pump.label,
      programme: p,
      reading,
      doseMgPerKgPerHour:
        reading.rateMlPerHour === null ? null : rateToDoseMgPerKgPerHour(reading.rateMlPerHour, p.concentrationMgPerMl, p.patientWeightKg),
      openOrderId: this.openOrderOf(pump.bedId, pump.deviceId),
    };
  }
}
