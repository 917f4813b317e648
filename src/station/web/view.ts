/**
 * Renders bed tiles with plain DOM. Elements are kept per bed, metric, device and
 * alarm and updated in place, so alarm flashing (CSS animations) never restarts on a
 * data update; every alarm animation is aligned to the document timeline so all
 * alarms of one priority flash in phase. Text is always set with textContent.
 */
import type { AlarmDto, BedSnapshot, DeviceSnapshot } from './protocol-types.js';
import { latestOf } from './client-state.js';
import { deviceStateView, displayUnit, formatAge, metricView, priorityMarker, sessionLabel } from './format.js';

/** The big numerics of every tile, in order. */
const PRIMARY_METRICS = [
  { id: 'spo2', label: 'SpO₂', unit: '%' },
  { id: 'pulse-rate', label: 'Pulse', unit: '/min' },
] as const;

const SECONDARY_LABELS: Record<string, string> = {
  'heart-rate': 'HR', 'perfusion-index': 'PI', spco: 'SpCO', spmet: 'SpMet', pvi: 'PVI',
  'nibp-sys': 'NIBP sys', 'nibp-dia': 'NIBP dia', 'nibp-mean': 'NIBP mean', 'resp-rate': 'RR',
  'temp-body': 'Temp', 'pump-rate': 'Pump rate', 'volume-infused': 'Vol. infused', 'vtbi-remaining': 'VTBI left',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, testId?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (testId !== undefined) node.dataset.testid = testId;
  return node;
}

function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function setData(node: HTMLElement, key: string, value: string): void {
  if (node.dataset[key] !== value) node.dataset[key] = value;
}

/** Aligns an element's CSS animations to time 0 of the document timeline (phase-locked flashing). */
function syncAnimations(node: HTMLElement): void {
  if (typeof node.getAnimations !== 'function') return;
  for (const animation of node.getAnimations({ subtree: true })) animation.startTime = 0;
}

interface VitalParts { root: HTMLElement; value: HTMLElement; unit: HTMLElement; note: HTMLElement }

/** One bed tile and its keyed children. */
export class BedTile {
  readonly root: HTMLElement;
  private readonly label: HTMLElement;
  private readonly session: HTMLElement;
  private readonly alarmList: HTMLElement;
  private readonly noAlarms: HTMLElement;
  private readonly vitals = new Map<string, VitalParts>();
  private readonly secondary: HTMLElement;
  private readonly deviceList: HTMLElement;
  private readonly alarmRows = new Map<string, HTMLElement>();
  private readonly deviceRows = new Map<string, HTMLElement>();

  constructor(private readonly bedId: string) {
    this.root = el('section', 'bed', `bed-${bedId}`);
    const head = el('header', 'bed-head');
    this.label = el('h2', 'bed-label');
    this.session = el('span', 'bed-session');
    head.append(this.label, this.session);
    this.alarmList = el('div', 'alarms', `alarms-${bedId}`);
    this.noAlarms = el('div', 'no-alarms');
    this.noAlarms.textContent = 'No active alarms';
    this.alarmList.append(this.noAlarms);
    const vitals = el('div', 'vitals');
    for (const metric of PRIMARY_METRICS) {
      const root = el('div', `vital vital-${metric.id}`, `metric-${bedId}-${metric.id}`);
      const head = el('div', 'vital-head');
      const name = el('span', 'vital-label');
      name.textContent = metric.label;
      const unit = el('span', 'vital-unit');
      head.append(name, unit);
      const value = el('div', 'vital-value', `value-${bedId}-${metric.id}`);
      const note = el('div', 'vital-note');
      root.append(head, value, note);
      vitals.append(root);
      this.vitals.set(metric.id, { root, value, unit, note });
    }
    this.secondary = el('div', 'secondary');
    this.deviceList = el('ul', 'devices');
    this.root.append(head, this.alarmList, vitals, this.secondary, this.deviceList);
  }

  /** Brings the tile up to date with the bed's state at server time `serverNow`. */
  update(bed: BedSnapshot, serverNow: number): void {
    setText(this.label, bed.label);
    setText(this.session, bed.configured ? sessionLabel(bed.session) : 'Not configured');
    setData(this.root, 'alarm', bed.alarms[0]?.priority ?? 'none');
    this.updateAlarms(bed.alarms, serverNow);
    for (const metric of PRIMARY_METRICS) {
      const parts = this.vitals.get(metric.id);
      if (!parts) continue;
      const view = metricView(metric.id, metric.unit, latestOf(bed, metric.id), serverNow);
      setText(parts.value, view.text);
      setText(parts.unit, view.unit);
      setText(parts.note, view.questionable ? `questionable ${view.note}`.trim() : view.note);
      setData(parts.root, 'freshness', view.freshness);
      setData(parts.root, 'questionable', String(view.questionable));
    }
    this.updateSecondary(bed, serverNow);
    this.updateDevices(bed.devices, serverNow);
  }

  private updateAlarms(alarms: AlarmDto[], serverNow: number): void {
    const keep = new Set(alarms.map((a) => a.id));
    for (const [id, row] of this.alarmRows) {
      if (!keep.has(id)) {
        row.remove();
        this.alarmRows.delete(id);
      }
    }
    let previous: Element = this.noAlarms;
    this.noAlarms.hidden = alarms.length > 0;
    for (const alarm of alarms) {
      let row = this.alarmRows.get(alarm.id);
      if (!row) {
        row = el('div', 'alarm', `alarm-${this.bedId}-${alarm.code}`);
        row.append(el('span', 'alarm-marker'), el('span', 'alarm-text'), el('span', 'alarm-kind'), el('span', 'alarm-age'));
        this.alarmRows.set(alarm.id, row);
      }
      const className = `alarm alarm-${alarm.priority} alarm-${alarm.kind}`;
      if (row.className !== className) row.className = className;
      setData(row, 'priority', alarm.priority);
      const [marker, text, kind, age] = Array.from(row.children);
      if (marker) setText(marker, priorityMarker(alarm.priority));
      if (text) setText(text, alarm.message);
      if (kind) setText(kind, alarm.kind === 'technical' ? 'TECHNICAL' : '');
      if (age) setText(age, formatAge(serverNow - alarm.startedAt));
      if (previous.nextElementSibling !== row) {
        previous.after(row);
        syncAnimations(row);
      }
      previous = row;
    }
  }

  private updateSecondary(bed: BedSnapshot, serverNow: number): void {
    const primary = new Set<string>(PRIMARY_METRICS.map((m) => m.id));
    const metrics = [...new Set(bed.observations.map((o) => o.metric))].filter((m) => !primary.has(m)).sort();
    const parts = metrics.map((metric) => {
      const obs = latestOf(bed, metric);
      const view = metricView(metric, obs?.unit ?? '', obs, serverNow);
      return { metric, text: `${SECONDARY_LABELS[metric] ?? metric} ${view.text} ${displayUnit(view.unit)}`, fresh: view.freshness };
    });
    const signature = parts.map((p) => `${p.metric}|${p.text}|${p.fresh}`).join('\n');
    if (this.secondary.dataset.signature === signature) return;
    this.secondary.dataset.signature = signature;
    this.secondary.replaceChildren(
      ...parts.map((p) => {
        const item = el('span', 'secondary-item', `metric-${this.bedId}-${p.metric}`);
        item.dataset.freshness = p.fresh;
        item.textContent = p.text;
        return item;
      }),
    );
  }

  private updateDevices(devices: DeviceSnapshot[], serverNow: number): void {
    for (const device of devices) {
      let row = this.deviceRows.get(device.id);
      if (!row) {
        row = el('li', 'device', `device-${this.bedId}-${device.id}`);
        row.append(el('span', 'device-dot'), el('span', 'device-name'), el('span', 'device-state'), el('span', 'device-detail'));
        this.deviceRows.set(device.id, row);
        this.deviceList.append(row);
      }
      const view = deviceStateView(device.status, serverNow);
      setData(row, 'tone', view.tone);
      const [, name, state, detail] = Array.from(row.children);
      if (name) setText(name, `${device.id} · ${device.driver}`);
      if (state) setText(state, view.label);
      if (detail) setText(detail, view.detail);
      row.title = device.transport;
    }
  }
}

/** The board: one tile per bed, in state order. */
export class Board {
  private readonly tiles = new Map<string, BedTile>();

  constructor(private readonly root: HTMLElement) {}

  /** Updates the given beds (or all), adding tiles for new beds. */
  render(beds: BedSnapshot[], serverNow: number): void {
    const keep = new Set(beds.map((b) => b.id));
    for (const [id, tile] of this.tiles) {
      if (!keep.has(id)) {
        tile.root.remove();
        this.tiles.delete(id);
      }
    }
    for (const bed of beds) {
      let tile = this.tiles.get(bed.id);
      if (!tile) {
        tile = new BedTile(bed.id);
        this.tiles.set(bed.id, tile);
        this.root.append(tile.root);
      }
      tile.update(bed, serverNow);
    }
    this.root.dataset.empty = String(beds.length === 0);
  }
}
