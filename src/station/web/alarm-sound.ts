/**
 * The station's alarm sound (Web Audio), one pattern per priority after IEC 60601-1-8
 * (alarms-and-standards reference "Auditory bursts"):
 * - high: a burst of 10 pulses (3 + 2, pause, 3 + 2), repeated every 10 s (standard: 2.5-15 s);
 * - medium: 3 pulses, repeated every 20 s (2.5-30 s);
 * - low: 2 pulses, repeated every 30 s (not repeated or > 15 s apart).
 * Pulses have a fundamental with four harmonics and soft edges (no clicks). Only the
 * highest priority that sounds is played. Browsers keep audio off until a user gesture:
 * the page tries at once (kiosks allow it) and again on any click or key press, and says
 * so while it cannot. What the page sounds is `data-sounding` on <body>
 * (high|medium|low|none); what it should sound is `data-alarm-audio`.
 */
import type { AlarmPriorityDto } from './protocol-types.js';

export type SoundLevel = AlarmPriorityDto | 'none';

/** One priority's burst: pulse start times within the burst, pulse length, repeat interval, pitch. */
export interface BurstPattern {
  readonly pulseStartsMs: readonly number[];
  readonly pulseMs: number;
  readonly repeatMs: number;
  readonly frequencyHz: number;
}

export const BURST_PATTERNS: Readonly<Record<AlarmPriorityDto, BurstPattern>> = {
  high: { pulseStartsMs: [0, 180, 360, 720, 900, 1800, 1980, 2160, 2520, 2700], pulseMs: 130, repeatMs: 10_000, frequencyHz: 880 },
  medium: { pulseStartsMs: [0, 300, 600], pulseMs: 200, repeatMs: 20_000, frequencyHz: 660 },
  low: { pulseStartsMs: [0, 400], pulseMs: 250, repeatMs: 30_000, frequencyHz: 520 },
};

const RAMP_S = 0.02;
const VOLUME = 0.25;

type AudioContextCtor = new () => AudioContext;

export class AlarmSound {
  private context: AudioContext | null = null;
  private wanted: SoundLevel = 'none';
  private playing: SoundLevel = 'none';
  private nextBurstAtMs = 0;
  private voices: OscillatorNode[] = [];
  private wave: PeriodicWave | null = null;

  /**
   * @param body where `data-sounding` and `data-alarm-audio` are set
   * @param onChange called when sound becomes possible or impossible (re-render)
   */
  constructor(private readonly body: HTMLElement, private readonly onChange: () => void) {
    this.enable();
    const retry = () => {
      if (!this.enabled) this.enable();
    };
    window.addEventListener('pointerdown', retry, true);
    window.addEventListener('keydown', retry, true);
    window.setInterval(() => this.tick(), 200);
  }

  /** True when the browser lets the page sound. */
  get enabled(): boolean {
    return this.context?.state === 'running';
  }

  /** What the page should sound, and whether it can. */
  get level(): SoundLevel {
    return this.wanted;
  }

  /** Creates or resumes the audio context (call from a click: browsers need a user gesture). */
  enable(): void {
    try {
      if (!this.context) {
        const Ctor = (window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioContextCtor }).webkitAudioContext) as AudioContextCtor | undefined;
        if (!Ctor) return;
        this.context = new Ctor();
        this.context.addEventListener('statechange', () => {
          this.tick();
          this.onChange();
        });
      }
      if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    } catch {
      this.context = null;
    }
  }

  /** Sets the priority to sound (the highest audible alarm), `none` for silence. */
  set(level: SoundLevel): void {
    if (level === this.wanted) return;
    this.wanted = level;
    this.tick();
  }

  private tick(): void {
    const level = this.enabled ? this.wanted : 'none';
    if (level !== this.playing) {
      this.stopVoices();
      this.playing = level;
      this.nextBurstAtMs = 0; // a new level sounds at once
    }
    if (this.body.dataset.sounding !== level) this.body.dataset.sounding = level;
    if (this.body.dataset.alarmAudio !== this.wanted) this.body.dataset.alarmAudio = this.wanted;
    if (level === 'none' || !this.context) return;
    const now = performance.now();
    if (now < this.nextBurstAtMs) return;
    const pattern = BURST_PATTERNS[level];
    this.nextBurstAtMs = now + pattern.repeatMs;
    this.burst(this.context, pattern);
  }

  private burst(ctx: AudioContext, pattern: BurstPattern): void {
    this.voices = []; // the previous burst ended long ago (repeatMs >> burst length)
    this.wave ??= ctx.createPeriodicWave(new Float32Array([0, 0, 0, 0, 0, 0]), new Float32Array([0, 1, 0.7, 0.5, 0.4, 0.3]));
    const start = ctx.currentTime + 0.05;
    for (const offsetMs of pattern.pulseStartsMs) {
      const t0 = start + offsetMs / 1000;
      const t1 = t0 + pattern.pulseMs / 1000;
      const osc = ctx.createOscillator();
      osc.setPeriodicWave(this.wave);
      osc.frequency.value = pattern.frequencyHz;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(VOLUME, t0 + RAMP_S);
      gain.gain.setValueAtTime(VOLUME, t1 - RAMP_S);
      gain.gain.linearRampToValueAtTime(0, t1);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t1 + 0.01);
      this.voices.push(osc);
    }
  }

  /** Silences at once (acknowledged, paused, or a different level). */
  private stopVoices(): void {
    for (const osc of this.voices) {
      try {
        osc.stop();
      } catch {
        // already stopped
      }
    }
    this.voices = [];
  }
}
