/**
 * One live waveform in a bed tile: a canvas redrawn every animation frame as a sweep
 * (trace-geometry.ts), coloured while chunks keep coming and grey, stopped and labelled
 * "no data" once none came for 2 s, so a frozen trace never looks live. State for tests
 * and tools: `data-state` (live | stale), `data-samples-drawn`, `data-gaps`.
 */
import { el, setData, setText } from './dom.js';
import { formatAge } from './format.js';
import { nextScale, sweepGeometry, type TraceScale } from './trace-geometry.js';
import type { TraceState, WaveformTrace } from './waveform-buffer.js';

const LABELS: Record<string, string> = { pleth: 'Pleth' };
/** The auto-scale never magnifies the trace beyond this fraction of the device's range. */
const MIN_SPAN_OF_RANGE = 0.05;

export class TraceView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly status: HTMLElement;
  private scale: TraceScale | null = null;
  private lastDrawMs: number | null = null;
  private colourFor: TraceState | null = null;
  private colour = '#4cc9ff';

  constructor(readonly trace: WaveformTrace) {
    const id = `${trace.bedId}-${trace.deviceId}-${trace.metric}`;
    this.root = el('div', `trace trace-${trace.metric}`, `trace-${id}`);
    const head = el('div', 'trace-head');
    const label = el('span', 'trace-label');
    label.textContent = LABELS[trace.metric] ?? trace.metric;
    const device = el('span', 'trace-device');
    device.textContent = trace.deviceId;
    this.status = el('span', 'trace-status', `trace-status-${id}`);
    head.append(label, device, this.status);
    this.canvas = el('canvas', 'trace-canvas', `trace-canvas-${id}`);
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${label.textContent} waveform of ${trace.deviceId}`);
    this.root.append(head, this.canvas);
    setData(this.root, 'state', 'stale');
  }

  /** Draws the trace at monotonic time `nowMs` (play-out) and server time `serverNow` (staleness). */
  draw(nowMs: number, serverNow: number): void {
    const state = this.trace.state(serverNow);
    const head = this.trace.advance(nowMs);
    const dtMs = this.lastDrawMs === null ? 0 : nowMs - this.lastDrawMs;
    this.lastDrawMs = nowMs;
    setData(this.root, 'state', state);
    const ageText = formatAge(serverNow - this.trace.lastReceivedAt);
    const context = this.resizedContext();
    if (!context) return;
    const { width, height } = this.canvas;
    const pad = Math.round(height * 0.06);
    const range = { lo: this.trace.rangeMin, hi: this.trace.rangeMax };
    const geometry = sweepGeometry(this.trace, head, width, height - 2 * pad, this.scale ?? range);
    context.clearRect(0, 0, width, height);
    context.strokeStyle = this.strokeColour(state);
    context.lineWidth = Math.max(1.5, 2 * (window.devicePixelRatio || 1));
    context.lineJoin = 'round';
    context.lineCap = 'round';
    context.beginPath();
    for (const path of geometry.paths) {
      context.moveTo(path[0] ?? 0, (path[1] ?? 0) + pad);
      if (path.length === 2) context.lineTo((path[0] ?? 0) + 1, (path[1] ?? 0) + pad);
      for (let k = 2; k < path.length; k += 2) context.lineTo(path[k] ?? 0, (path[k + 1] ?? 0) + pad);
    }
    context.stroke();
    const minSpan = (this.trace.rangeMax - this.trace.rangeMin) * MIN_SPAN_OF_RANGE;
    // A stopped trace keeps its scale: nothing on it moves.
    if (state === 'live') this.scale = nextScale(this.scale, geometry.extent, minSpan, dtMs);
    setData(this.root, 'samplesDrawn', String(geometry.samplesDrawn));
    setData(this.root, 'gaps', String(geometry.gaps));
    const invalid = state === 'live' && geometry.samplesDrawn === 0 && geometry.gaps > 0;
    setText(this.status, state === 'stale' ? `NO DATA · ${ageText}` : invalid ? 'NO VALID SIGNAL' : '');
  }

  /** The 2D context with the canvas backing store matched to its CSS size; null while not laid out. */
  private resizedContext(): CanvasRenderingContext2D | null {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.round(this.canvas.clientWidth * dpr);
    const height = Math.round(this.canvas.clientHeight * dpr);
    if (width <= 0 || height <= 0) return null;
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    return this.canvas.getContext('2d');
  }

  /** The CSS `color` of the canvas for this state (live: the metric's colour; stale: grey). */
  private strokeColour(state: TraceState): string {
    if (this.colourFor !== state) {
      this.colourFor = state;
      this.colour = getComputedStyle(this.canvas).color || this.colour;
    }
    return this.colour;
  }
}
