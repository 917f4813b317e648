/**
 * Renders bed tiles with plain DOM. Elements are kept per bed, metric, device and
 * alarm and updated in place, so alarm flashing (CSS animations) never restarts on a
 * data update; every alarm animation is aligned to the document timeline so all
 * alarms of one priority flash in phase. Text is always set with textContent.
 */
import type { AlarmDto, BedSnapshot, DeviceSnapshot } from './protocol-types.js';
import type { ClientState } from './client-state.js';
import { PumpPanel, type PumpActions } from './pump-panel.js';
import { el, setData, setText } from './dom.js';
import { deviceStateView, displayUnit, freshness, metricView, sessionLabel } from './format.js';
import { createAlarmRow, updateAlarmRow } from './alarm-row.js';
import { BedAlarmBar, type AlarmContext } from './bed-alarm-bar.js';
import { SECONDARY_VITAL_METRICS, SecondaryVitals } from './secondary-vitals.js';
import { sourcedMetricView, sourcesOf } from './vitals-format.js';
import { TraceView } from './trace-view.js';
import type { WaveformStore } from './waveform-buffer.js';

/** The big numerics of every tile, in order. */
const PRIMARY_METRICS = [
  { id: 'spo2', label: 'SpO₂', unit: '%' },
  { id: 'pulse-rate', label: 'Pulse', unit: '/min' },
] as const;

/** Labels of the small extras line (NIBP, HR, RR, EtCO2 and temperature have their own boxes: secondary-vitals.ts). */
const SECONDARY_LABELS: Record<string, string> = {
  'perfusion-index': 'PI', spco: 'SpCO', spmet: 'SpMet', pvi: 'PVI',
  'pump-rate': 'Pump rate', 'volume-infused': 'Vol. infused', 'vtbi-remaining': 'VTBI left',
};

/** What the tiles need for pump panels; absent when the gateway has no pump control. */
export interface PumpContext {
  readonly state: ClientState;
  readonly actions: PumpActions;
  readonly loggedIn: boolean;
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
  private readonly traceArea: HTMLElement;
  private readonly traces = new Map<string, TraceView>();
  private readonly secondaryVitals: SecondaryVitals;
  private readonly secondary: HTMLElement;
  private readonly deviceList: HTMLElement;
  private readonly alarmRows = new Map<string, HTMLElement>();
  private readonly deviceRows = new Map<string, HTMLElement>();
  private readonly pumpArea: HTMLElement;
  private readonly pumpPanels = new Map<string, PumpPanel>();
  private readonly alarmBar: BedAlarmBar;
  private alarmContext: AlarmContext | undefined;

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
    this.alarmBar = new BedAlarmBar(bedId);
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
    this.traceArea = el('div', 'traces', `traces-${bedId}`);
    this.secondaryVitals = new SecondaryVitals(bedId);
    this.secondary = el('div', 'secondary');
    this.pumpArea = el('div', 'pumps');
    this.deviceList = el('ul', 'devices');
    this.root.append(head, this.alarmList, this.alarmBar.root, vitals, this.traceArea, this.secondaryVitals.root, this.secondary, this.pumpArea, this.deviceList);
  }

  /** Draws the live waveforms (every animation frame). */
  drawTraces(nowMs: number, serverNow: number): void {
    for (const view of this.traces.values()) view.draw(nowMs, serverNow);
  }

  /** Adds a view for every waveform of the bed not shown yet. */
  private updateTraces(waveforms: WaveformStore | undefined): void {
    for (const trace of waveforms?.tracesOfBed(this.bedId) ?? []) {
      const key = `${trace.deviceId}\u0000${trace.metric}`;
      const held = this.traces.get(key);
      if (held?.trace === trace) continue;
      held?.root.remove();
      const view = new TraceView(trace);
      this.traces.set(key, view);
      this.traceArea.append(view.root);
    }
  }

  /** Brings the tile up to date with the bed's state at server time `serverNow`. */
  update(bed: BedSnapshot, serverNow: number, pumps?: PumpContext, waveforms?: WaveformStore, alarms?: AlarmContext): void {
    setText(this.label, bed.label);
    setText(this.session, bed.configured ? sessionLabel(bed.session) : 'Not configured');
    setData(this.root, 'alarm', bed.alarms[0]?.priority ?? 'none');
    this.alarmContext = alarms;
    this.updateAlarms(bed.alarms, serverNow);
    this.alarmBar.update(bed, serverNow, alarms);
    for (const metric of PRIMARY_METRICS) {
      const parts = this.vitals.get(metric.id);
      if (!parts) continue;
      const view = sourcedMetricView(bed, metric.id, metric.unit, serverNow);
      setText(parts.value, view.text);
      setText(parts.unit, view.unit);
      setText(parts.note, view.questionable ? `questionable ${view.note}`.trim() : view.note);
      setData(parts.root, 'freshness', view.freshness);
      setData(parts.root, 'questionable', String(view.questionable));
    }
    this.updateTraces(waveforms);
    this.secondaryVitals.update(bed, serverNow);
    const panelled = this.updatePumps(bed, serverNow, pumps);
    this.updateSecondary(bed, serverNow, panelled);
    this.updateDevices(bed.devices, serverNow);
  }

  /** Updates the pump panels; returns the ids of devices shown in a panel. */
  private updatePumps(bed: BedSnapshot, serverNow: number, context: PumpContext | undefined): Set<string> {
    const pumps = context?.state.pumpControl ? context.state.pumpsOfBed(bed.id) : [];
    const keep = new Set(pumps.map((p) => p.deviceId));
    for (const [id, panel] of this.pumpPanels) {
      if (!keep.has(id)) {
        panel.root.remove();
        this.pumpPanels.delete(id);
      }
    }
    if (!context) return keep;
    for (const pump of pumps) {
      let panel = this.pumpPanels.get(pump.deviceId);
      if (!panel) {
        panel = new PumpPanel(bed.id, pump.deviceId, context.actions);
        this.pumpPanels.set(pump.deviceId, panel);
        this.pumpArea.append(panel.root);
      }
      const remaining = bed.observations.find((o) => o.deviceId === pump.deviceId && o.metric === 'infusion-time-remaining');
      panel.update(pump, context.state, remaining, serverNow, context.loggedIn);
    }
    return keep;
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
        row = createAlarmRow(this.bedId, alarm, (id) => this.alarmContext?.actions.acknowledge(this.bedId, id));
        this.alarmRows.set(alarm.id, row);
      }
      updateAlarmRow(row, alarm, serverNow, this.alarmContext);
      if (previous.nextElementSibling !== row) {
        previous.after(row);
        syncAnimations(row);
      }
      previous = row;
    }
  }

  /** The small extras line, leaving out the numerics shown above and devices shown in a pump panel. */
  private updateSecondary(bed: BedSnapshot, serverNow: number, panelled: Set<string>): void {
    const primary = new Set<string>(PRIMARY_METRICS.map((m) => m.id));
    const shown = panelled.size === 0 ? bed : { ...bed, observations: bed.observations.filter((o) => !panelled.has(o.deviceId)) };
    const metrics = [...new Set(shown.observations.map((o) => o.metric))]
      .filter((m) => !primary.has(m) && !SECONDARY_VITAL_METRICS.has(m))
      .sort();
    const parts = metrics.map((metric) => {
      const obs = sourcesOf(shown, metric, (o) => freshness(o, serverNow))[0];
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

  /** Draws every tile's live waveforms (call every animation frame). */
  drawTraces(nowMs: number, serverNow: number): void {
    for (const tile of this.tiles.values()) tile.drawTraces(nowMs, serverNow);
  }

  /** Updates the given beds (or all), adding tiles for new beds. */
  render(beds: BedSnapshot[], serverNow: number, pumps?: PumpContext, waveforms?: WaveformStore, alarms?: AlarmContext): void {
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
      tile.update(bed, serverNow, pumps, waveforms, alarms);
    }
    this.root.dataset.empty = String(beds.length === 0);
  }
}
