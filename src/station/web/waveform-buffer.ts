/**
 * The browser's store of live waveforms (e.g. pleth): the last few seconds of each
 * trace, kept by sample index so lost samples stay visible as gaps, and a play-out head
 * that moves at the sample rate between chunks so the sweep is smooth although samples
 * arrive in bursts (a Nonin sends 25 samples every 1/3 s). Pure and DOM-free.
 * Protocol: `waveform` message, docs/station-api.md.
 */
import type { WaveformChunkDto } from './protocol-types.js';

/** Seconds of samples kept per trace (more than the 5 s visible). */
export const KEEP_SECONDS = 8;
/** A trace without a new chunk for longer than this (server time) is not live: it stops and greys. */
export const WAVEFORM_STALE_AFTER_MS = 2_000;
/** Extra play-out delay beyond one chunk, absorbing network jitter. */
const JITTER_MARGIN_S = 0.15;
/** The head jumps forward when it falls this far behind its target (after a pause or a backlog). */
const MAX_EXTRA_LAG_S = 1;
/** Highest sample rate accepted (bounds the memory of a trace). */
export const MAX_SAMPLE_RATE_HZ = 2_000;
/** A chunk starting this far before the newest sample means the device or driver restarted. */
const RESTART_BACKWARDS_S = 2;

/** `live`: chunks keep coming; `stale`: none for over 2 s (server time). */
export type TraceState = 'live' | 'stale';

/** One waveform of one device: a ring of samples addressed by sample index. */
export class WaveformTrace {
  readonly bedId: string;
  readonly deviceId: string;
  readonly metric: string;
  private rateHz = 0;
  private capacity = 0;
  private values = new Float64Array(0);
  /** Sample index held in each slot; a slot holding another index is empty for this one. */
  private indexes = new Float64Array(0);
  private firstIndexSeen = -1;
  private newestIndex = -1;
  private lastReceivedAtMs = Number.NEGATIVE_INFINITY;
  private largestChunk = 0;
  private headIndex = -1;
  private lastAdvanceMs: number | null = null;
  rangeMin = 0;
  rangeMax = 1;

  constructor(chunk: WaveformChunkDto) {
    this.bedId = chunk.bedId;
    this.deviceId = chunk.deviceId;
    this.metric = chunk.metric;
    this.reset(validRate(chunk.sampleRateHz) ? chunk.sampleRateHz : 1);
  }

  get sampleRateHz(): number {
    return this.rateHz;
  }
  /** Index of the newest sample held, -1 before the first. */
  get lastIndex(): number {
    return this.newestIndex;
  }
  /** Index of the first sample since the trace (re)started. */
  get firstIndex(): number {
    return this.firstIndexSeen;
  }
  /** Server receive time of the newest chunk, epoch ms. */
  get lastReceivedAt(): number {
    return this.lastReceivedAtMs;
  }
  /** The play-out position (fractional sample index) after the last `advance`. */
  get head(): number {
    return this.headIndex;
  }

  /** Adds a chunk. Returns false (and ignores it) when it is malformed. */
  add(chunk: WaveformChunkDto): boolean {
    const { sampleRateHz: rate, firstSampleIndex: first, samples } = chunk;
    if (!validRate(rate) || !Number.isInteger(first) || first < 0 || !Array.isArray(samples)) return false;
    const restarted = this.newestIndex >= 0 && first < this.newestIndex - rate * RESTART_BACKWARDS_S;
    if (rate !== this.rateHz || restarted) this.reset(rate);
    // Only the newest `capacity` samples of an over-long chunk can be held.
    const skip = Math.max(0, samples.length - this.capacity);
    for (let k = skip; k < samples.length; k++) {
      const index = first + k;
      const slot = index % this.capacity;
      const v = samples[k];
      this.values[slot] = typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
      this.indexes[slot] = index;
    }
    const last = first + samples.length - 1;
    if (samples.length > 0) {
      if (this.firstIndexSeen < 0 || first < this.firstIndexSeen) this.firstIndexSeen = first;
      this.newestIndex = Math.max(this.newestIndex, last);
    }
    if (Number.isFinite(chunk.receivedAt)) this.lastReceivedAtMs = Math.max(this.lastReceivedAtMs, chunk.receivedAt);
    this.largestChunk = Math.min(this.capacity, Math.max(this.largestChunk, samples.length));
    if (Number.isFinite(chunk.range?.min) && Number.isFinite(chunk.range?.max) && chunk.range.max > chunk.range.min) {
      this.rangeMin = chunk.range.min;
      this.rangeMax = chunk.range.max;
    }
    return true;
  }

  /** A sample's value; null when it is missing (lost, not yet received, too old) or marked invalid. */
  sample(index: number): number | null {
    if (index < 0 || !Number.isInteger(index) || index <= this.newestIndex - this.capacity) return null;
    const slot = index % this.capacity;
    if (this.indexes[slot] !== index) return null;
    const v = this.values[slot];
    return v === undefined || Number.isNaN(v) ? null : v;
  }

  /** Live or stale at server time `serverNowMs`. */
  state(serverNowMs: number): TraceState {
    return serverNowMs - this.lastReceivedAtMs <= WAVEFORM_STALE_AFTER_MS ? 'live' : 'stale';
  }

  /** Play-out delay the head aims for, in samples: one chunk plus a jitter margin. */
  targetLagSamples(): number {
    return this.largestChunk + this.rateHz * JITTER_MARGIN_S;
  }

  /**
   * Moves the play-out head to monotonic time `nowMs` and returns it. The head runs at
   * the sample rate (a few % faster or slower to hold its target delay), never passes the
   * newest sample (it stops when chunks stop), and jumps ahead when far behind.
   */
  advance(nowMs: number): number {
    if (this.newestIndex < 0) return this.headIndex;
    const target = this.newestIndex - this.targetLagSamples();
    if (this.lastAdvanceMs === null || this.headIndex < 0) {
      this.headIndex = Math.max(this.firstIndexSeen, target);
    } else {
      const dtS = Math.max(0, nowMs - this.lastAdvanceMs) / 1000;
      const behindS = (target - this.headIndex) / this.rateHz;
      const speed = 1 + Math.max(-0.05, Math.min(0.05, behindS / 4));
      this.headIndex += dtS * this.rateHz * speed;
      if (behindS > MAX_EXTRA_LAG_S) this.headIndex = target;
    }
    this.headIndex = Math.min(this.headIndex, this.newestIndex);
    this.lastAdvanceMs = nowMs;
    return this.headIndex;
  }

  private reset(rate: number): void {
    this.rateHz = rate;
    this.capacity = Math.max(1, Math.ceil(rate * KEEP_SECONDS));
    this.values = new Float64Array(this.capacity).fill(Number.NaN);
    this.indexes = new Float64Array(this.capacity).fill(-1);
    this.firstIndexSeen = -1;
    this.newestIndex = -1;
    this.largestChunk = 0;
    this.headIndex = -1;
    this.lastAdvanceMs = null;
  }
}

function validRate(rate: number): boolean {
  return Number.isFinite(rate) && rate > 0 && rate <= MAX_SAMPLE_RATE_HZ;
}

/** Every trace the page has seen, by bed, device and metric. */
export class WaveformStore {
  private readonly traces = new Map<string, WaveformTrace>();

  /** Adds a chunk; true when it started a new trace (the board must add a view for it). */
  apply(chunk: WaveformChunkDto): boolean {
    const key = `${chunk.bedId}\u0000${chunk.deviceId}\u0000${chunk.metric}`;
    const held = this.traces.get(key);
    if (held) {
      held.add(chunk);
      return false;
    }
    const trace = new WaveformTrace(chunk);
    if (!trace.add(chunk)) return false;
    this.traces.set(key, trace);
    return true;
  }

  /** The traces of one bed, in the order they first appeared. */
  tracesOfBed(bedId: string): WaveformTrace[] {
    return [...this.traces.values()].filter((t) => t.bedId === bedId);
  }
}
