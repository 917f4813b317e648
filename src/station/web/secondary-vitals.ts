/**
 * The second row of numerics of a bed tile, for the vital signs a multi-parameter
 * monitor adds to the oximeter: NIBP `sys/dia (mean)` with the age of the cuff
 * measurement, HR, RR, EtCO2 and temperature. A box appears once the bed has a value of
 * its metric and stays (greyed, then `--`) when the values stop. Text via textContent only.
 */
import type { BedSnapshot } from './protocol-types.js';
import { el, setData, setText } from './dom.js';
import { nibpView, sourcedMetricView } from './vitals-format.js';

interface VitalSpec {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  /** The metrics the box shows. */
  readonly metrics: readonly string[];
}

const VITALS: readonly VitalSpec[] = [
  { id: 'nibp', label: 'NIBP', unit: 'mmHg', metrics: ['nibp-sys', 'nibp-dia', 'nibp-mean'] },
  { id: 'heart-rate', label: 'HR', unit: '/min', metrics: ['heart-rate'] },
  { id: 'resp-rate', label: 'RR', unit: '/min', metrics: ['resp-rate'] },
  { id: 'etco2', label: 'EtCO₂', unit: 'mmHg', metrics: ['etco2'] },
  { id: 'temp-body', label: 'Temp', unit: '°C', metrics: ['temp-body'] },
];

/** Metrics shown in this row (and therefore left out of the tile's small extras line). */
export const SECONDARY_VITAL_METRICS: ReadonlySet<string> = new Set(VITALS.flatMap((v) => v.metrics));

interface Box {
  readonly root: HTMLElement;
  readonly value: HTMLElement;
  readonly mean: HTMLElement;
  readonly unit: HTMLElement;
  readonly note: HTMLElement;
}

export class SecondaryVitals {
  readonly root: HTMLElement;
  private readonly boxes = new Map<string, Box>();

  constructor(private readonly bedId: string) {
    this.root = el('div', 'svitals', `svitals-${bedId}`);
    this.root.hidden = true;
  }

  /** Brings the row up to date with the bed at server time `serverNow`. */
  update(bed: BedSnapshot, serverNow: number): void {
    const shown = VITALS.filter((spec) => bed.observations.some((o) => spec.metrics.includes(o.metric)));
    const boxes = shown.map((spec) => this.box(spec));
    if (boxes.some((b, i) => this.root.children[i] !== b.root) || this.root.children.length !== boxes.length) {
      this.root.replaceChildren(...boxes.map((b) => b.root));
    }
    this.root.hidden = boxes.length === 0;
    shown.forEach((spec, i) => {
      const box = boxes[i];
      if (!box) return;
      if (spec.id === 'nibp') {
        const view = nibpView(bed, serverNow);
        setText(box.value, view.text);
        setText(box.mean, view.mean);
        setText(box.note, view.note);
        setData(box.root, 'freshness', view.freshness);
        setData(box.root, 'questionable', String(view.questionable));
      } else {
        const view = sourcedMetricView(bed, spec.id, spec.unit, serverNow);
        setText(box.value, view.text);
        setText(box.unit, view.unit || spec.unit);
        setText(box.note, view.questionable ? `questionable ${view.note}`.trim() : view.note);
        setData(box.root, 'freshness', view.freshness);
        setData(box.root, 'questionable', String(view.questionable));
      }
    });
  }

  private box(spec: VitalSpec): Box {
    const held = this.boxes.get(spec.id);
    if (held) return held;
    const root = el('div', `svital svital-${spec.id}`, `metric-${this.bedId}-${spec.id}`);
    const head = el('div', 'svital-head');
    const label = el('span', 'svital-label');
    label.textContent = spec.label;
    const unit = el('span', 'svital-unit');
    unit.textContent = spec.unit;
    head.append(label, unit);
    const line = el('div', 'svital-line');
    const value = el('span', 'svital-value', `value-${this.bedId}-${spec.id}`);
    const mean = el('span', 'svital-mean', `mean-${this.bedId}-${spec.id}`);
    line.append(value, mean);
    const note = el('div', 'svital-note', `note-${this.bedId}-${spec.id}`);
    root.append(head, line, note);
    const box = { root, value, mean, unit, note };
    this.boxes.set(spec.id, box);
    return box;
  }
}
