/**
 * Ketamine pharmacokinetics of the virtual patient: the Domino three-compartment model
 * (ketamine-clinical.md, "Pharmacokinetics"), per-minute rate constants, central volume
 * scaled by body weight, plus an effect-site compartment (ke0 about 0.65 /min, an estimate
 * the reference marks as unpublished).
 *
 *   dA1/dt = u - (k10 + k12 + k13) A1 + k21 A2 + k31 A3      (mg/min; A1 central amount)
 *   dA2/dt = k12 A1 - k21 A2                                 (fast peripheral)
 *   dA3/dt = k13 A1 - k31 A3                                 (slow peripheral)
 *   Cp = A1 / V1                                             (mg/L = ug/mL; x1000 -> ng/mL)
 *   dCe/dt = ke0 (Cp - Ce)
 *
 * Integration: classic RK4 on steps of at most 1 physiological second (the fastest
 * eigenvalue is about 1.9 /min, so h*lambda < 0.04: far inside RK4's stability region
 * and accurate to better than 1e-6 relative per step). Time is physiological: the caller
 * applies the patient's time scale.
 */

/** Domino model parameters (per minute) and the effect-site rate constant. */
export interface KetaminePkParams {
  /** Central volume per kg body weight, L/kg. */
  readonly v1LitresPerKg: number;
  readonly k10PerMin: number;
  readonly k12PerMin: number;
  readonly k13PerMin: number;
  readonly k21PerMin: number;
  readonly k31PerMin: number;
  /** Plasma to effect-site equilibration, /min. */
  readonly ke0PerMin: number;
}

/** Domino 1982 (ketamine-clinical.md); ke0 0.65 /min is an estimate, not published. */
export const DOMINO_KETAMINE_PK: KetaminePkParams = {
  v1LitresPerKg: 0.063,
  k10PerMin: 0.4381,
  k12PerMin: 0.5921,
  k13PerMin: 0.59,
  k21PerMin: 0.247,
  k31PerMin: 0.0146,
  ke0PerMin: 0.65,
};

/** Largest integration step, physiological ms. */
export const PK_MAX_STEP_MS = 1000;

/** Compartment amounts (mg) and the effect-site concentration (mg/L). */
type State = readonly [a1Mg: number, a2Mg: number, a3Mg: number, ceMgPerL: number];

/** The model's state at one instant, in clinical units. */
export interface KetamineConcentrations {
  /** Plasma (central) concentration, ng/mL. */
  readonly cpNgPerMl: number;
  /** Effect-site concentration, ng/mL. */
  readonly ceNgPerMl: number;
  /** Drug in the body (central + peripheral compartments), mg. */
  readonly bodyAmountMg: number;
  /** Total drug given so far, mg. */
  readonly administeredMg: number;
}

/**
 * One patient's ketamine compartments. `advance(dtMs, inputMgPerMin)` integrates a
 * constant infusion over `dtMs` physiological ms; `bolus(mg)` adds a dose to the central
 * compartment at once. Never throws: a non-finite or negative input is treated as 0.
 */
export class KetaminePk {
  readonly v1Litres: number;
  private state: State = [0, 0, 0, 0];
  private administeredMg = 0;

  constructor(
    readonly weightKg: number,
    readonly params: KetaminePkParams = DOMINO_KETAMINE_PK,
  ) {
    this.v1Litres = params.v1LitresPerKg * weightKg;
  }

  /** The current concentrations. */
  concentrations(): KetamineConcentrations {
    const [a1, a2, a3, ce] = this.state;
    return {
      cpNgPerMl: (a1 / this.v1Litres) * 1000,
      ceNgPerMl: ce * 1000,
      bodyAmountMg: a1 + a2 + a3,
      administeredMg: this.administeredMg,
    };
  }

  /** Adds `mg` to the central compartment at once (ignored unless finite and > 0). */
  bolus(mg: number): void {
    if (!(mg > 0) || !Number.isFinite(mg)) return;
    const [a1, a2, a3, ce] = this.state;
    this.state = [a1 + mg, a2, a3, ce];
    this.administeredMg += mg;
  }

  /** Integrates `dtMs` physiological ms with a constant input of `inputMgPerMin`. */
  advance(dtMs: number, inputMgPerMin: number): void {
    if (!(dtMs > 0) || !Number.isFinite(dtMs)) return;
    const u = inputMgPerMin > 0 && Number.isFinite(inputMgPerMin) ? inputMgPerMin : 0;
    let left = dtMs;
    while (left > 0) {
      const stepMs = Math.min(PK_MAX_STEP_MS, left);
      this.state = this.rk4(this.state, u, stepMs / 60_000);
      left -= stepMs;
    }
    this.administeredMg += (u * dtMs) / 60_000;
  }

  private derivative(x: State, u: number): State {
    const p = this.params;
    const [a1, a2, a3, ce] = x;
    const cp = a1 / this.v1Litres;
    return [
      u - (p.k10PerMin + p.k12PerMin + p.k13PerMin) * a1 + p.k21PerMin * a2 + p.k31PerMin * a3,
      p.k12PerMin * a1 - p.k21PerMin * a2,
      p.k13PerMin * a1 - p.k31PerMin * a3,
      p.ke0PerMin * (cp - ce),
    ];
  }

  /** One classic Runge-Kutta step of `hMin` minutes. */
  private rk4(x: State, u: number, hMin: number): State {
    const add = (a: State, k: State, f: number): State => [a[0] + f * k[0], a[1] + f * k[1], a[2] + f * k[2], a[3] + f * k[3]];
    const k1 = this.derivative(x, u);
    const k2 = this.derivative(add(x, k1, hMin / 2), u);
    const k3 = this.derivative(add(x, k2, hMin / 2), u);
    const k4 = this.derivative(add(x, k3, hMin), u);
    return [
      x[0] + (hMin / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
      x[1] + (hMin / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]),
      x[2] + (hMin / 6) * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2]),
      x[3] + (hMin / 6) * (k1[3] + 2 * k2[3] + 2 * k3[3] + k4[3]),
    ];
  }
}
