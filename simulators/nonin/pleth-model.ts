/**
 * A plausible photoplethysmogram for the simulated Nonin oximeter: each beat is the sum
 * of two Gaussians over the beat's phase, the systolic peak and the smaller diastolic
 * wave after the dicrotic notch. Amplitude follows the perfusion index; the beat length
 * follows the pulse rate, sample by sample, so a rate change bends the trace smoothly.
 */

const SYSTOLIC = { at: 0.2, width: 0.07, height: 1 };
const DIASTOLIC = { at: 0.5, width: 0.1, height: 0.38 };

const gauss = (x: number, at: number, width: number): number => Math.exp(-(((x - at) / width) ** 2) / 2);

/** Pleth shape in [0, ~1] at `phase` (0-1) of a beat. */
export function beatShape(phase: number): number {
  return SYSTOLIC.height * gauss(phase, SYSTOLIC.at, SYSTOLIC.width) + DIASTOLIC.height * gauss(phase, DIASTOLIC.at, DIASTOLIC.width);
}

/** Fraction of full scale the pulse swings at a perfusion index (%): 0.7 x PI / 5, kept within 0.08-0.7. */
export function amplitudeForPi(perfusionIndexPct: number): number {
  return Math.min(0.7, Math.max(0.08, 0.7 * (perfusionIndexPct / 5)));
}

/** Frames after a beat's start during which the device shows its perfusion indication. */
export const PERFUSION_INDICATION_FRAMES = 12;

/** Generates one sample per frame. */
export class PlethModel {
  private phase = 0;
  private framesSinceBeat = Number.POSITIVE_INFINITY;

  constructor(private readonly sampleRateHz: number) {}

  /**
   * The next sample as a fraction of full scale (0-1), and whether it lies in the
   * perfusion-indication window after a beat started.
   */
  next(pulseRatePerMin: number, perfusionIndexPct: number): { level: number; inPulse: boolean } {
    const rate = Math.max(0, pulseRatePerMin);
    this.phase += rate / 60 / this.sampleRateHz;
    this.framesSinceBeat += 1;
    if (this.phase >= 1) {
      this.phase -= Math.floor(this.phase);
      this.framesSinceBeat = 0;
    }
    const level = 0.15 + amplitudeForPi(perfusionIndexPct) * beatShape(this.phase);
    return { level: Math.min(1, Math.max(0, level)), inPulse: this.framesSinceBeat < PERFUSION_INDICATION_FRAMES };
  }
}
