import { KetaminePk, type KetamineConcentrations } from './ketamine-pk.js';

/** Something that puts ketamine into the patient, e.g. a simulated pump. */
export interface InfusionSource {
  /** For descriptions, e.g. the pump's device id. */
  readonly id: string;
  /** Total ketamine delivered so far, mg: never decreases (e.g. volume infused x concentration). */
  deliveredMg(): number;
}

/**
 * Feeds what the patient's infusion sources actually delivered into the PK model.
 * On each `sync(tMs)` the mg delivered since the previous sync is given as a constant
 * infusion over that physiological interval (exact while the rate did not change
 * in between; the host syncs before every pump command and event and once a second,
 * so a change the pump makes by itself, e.g. stopping at the VTBI, is placed within
 * about a second). A decrease of a source's total is ignored, never taken back.
 */
export class DrugExposure {
  private readonly sources: Array<{ source: InfusionSource; lastMg: number }> = [];
  private lastMs: number;

  constructor(
    readonly pk: KetaminePk,
    startMs: number,
  ) {
    this.lastMs = startMs;
  }

  /** Adds a source; what it delivered before now is not counted. */
  addSource(source: InfusionSource, tMs: number): void {
    this.sync(tMs);
    this.sources.push({ source, lastMg: safeTotal(source, 0) });
  }

  /** Ids of the attached sources. */
  sourceIds(): string[] {
    return this.sources.map((s) => s.source.id);
  }

  /** Brings the PK model to physiological time `tMs` with what was delivered since the last sync. */
  sync(tMs: number): void {
    let deliveredMg = 0;
    for (const entry of this.sources) {
      const total = safeTotal(entry.source, entry.lastMg);
      if (total > entry.lastMg) deliveredMg += total - entry.lastMg;
      entry.lastMg = Math.max(entry.lastMg, total);
    }
    const dtMs = tMs - this.lastMs;
    if (dtMs > 0) {
      this.pk.advance(dtMs, deliveredMg / (dtMs / 60_000));
      this.lastMs = tMs;
    } else {
      this.pk.bolus(deliveredMg);
    }
  }

  /** Concentrations as of the last sync. */
  concentrations(): KetamineConcentrations {
    return this.pk.concentrations();
  }
}

/** A source's total, or `fallback` when it is not a finite number. */
function safeTotal(source: InfusionSource, fallback: number): number {
  const total = source.deliveredMg();
  return Number.isFinite(total) ? total : fallback;
}
