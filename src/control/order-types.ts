/**
 * The rate-change order: the only path by which Vigil may change a pump.
 * State machine (docs/safety.md):
 *
 *   requested ─(limits)─> refused
 *       │
 *       v
 *   awaiting-confirmation ─(nurse confirms)─> [high-alert drug] awaiting-double-check ─(second nurse)─┐
 *       │                                      │                                                       │
 *       └──────── expired / cancelled / refused (pump changed, wrong role, same nurse...) <────────────┤
 *                                                                                                      v
 *                                                          executing ─> awaiting-readback ─> verified
 *                                                                 └──────────────┴──────> not-verified (high alarm, never retried)
 */
export type OrderKind = 'rate-change' | 'stop';

export type OrderState =
  | 'awaiting-confirmation'
  | 'awaiting-double-check'
  | 'executing'
  | 'awaiting-readback'
  | 'verified'
  | 'not-verified'
  | 'refused'
  | 'expired'
  | 'cancelled';

/** States after which nothing more happens to an order. */
export const FINAL_ORDER_STATES: ReadonlySet<OrderState> = new Set(['verified', 'not-verified', 'refused', 'expired', 'cancelled']);

/** How the clinician expressed the new rate. */
export type DoseUnit = 'mg/kg/h' | 'mL/h';

/** A user as an order records them. */
export interface OrderUser {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: 'nurse' | 'physician' | 'admin';
}

/** What is in the syringe and for whom: from the bed's configured infusion programme. */
export interface InfusionProgramme {
  readonly drugId: string;
  readonly drugName: string;
  readonly concentrationMgPerMl: number;
  readonly patientWeightKg: number;
  readonly highAlert: boolean;
  readonly dosingUnit: DoseUnit;
}

/** The pump as last read back from the device itself. */
export interface PumpReading {
  readonly rateMlPerHour: number | null;
  /** `running`, `stopped`, or `unknown` when the pump's mode is not understood. */
  readonly runState: 'running' | 'stopped' | 'unknown';
  readonly serial: string | null;
  readonly volumeInfusedMl: number | null;
  readonly vtbiRemainingMl: number | null;
  /** False when the link is down or the reading is older than the driver's silence limit. */
  readonly fresh: boolean;
  /** Epoch ms of the reading. */
  readonly readAt: number | null;
}

/** Where a requested dose falls in the drug library. */
export interface LimitCheck {
  readonly band: 'within' | 'soft-low' | 'soft-high';
  readonly softMin: number;
  readonly softMax: number;
  readonly hardMin: number;
  readonly hardMax: number;
  readonly unit: DoseUnit;
  /** Required when band is soft-low or soft-high. */
  readonly overrideReason: string | null;
}

/** One step of an order's history, as audited. */
export interface OrderEvent {
  readonly at: number;
  readonly state: OrderState;
  readonly by: OrderUser | null;
  readonly note: string;
}

/** An order as the station and the audit log see it. */
export interface OrderView {
  readonly id: string;
  readonly kind: OrderKind;
  readonly bedId: string;
  readonly deviceId: string;
  readonly state: OrderState;
  readonly programme: InfusionProgramme;
  /** The rate the pump is to run, mL/h (for a stop: null). */
  readonly targetRateMlPerHour: number | null;
  /** The same as a dose, mg/kg/h (null for a stop). */
  readonly targetDoseMgPerKgPerHour: number | null;
  readonly requestedAs: { readonly value: number; readonly unit: DoseUnit } | null;
  readonly limitCheck: LimitCheck | null;
  /** The pump when the order was requested; the order is refused if it differs at execution. */
  readonly pumpAtRequest: PumpReading;
  readonly requestedBy: OrderUser;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly confirmedBy: OrderUser | null;
  readonly doubleCheckedBy: OrderUser | null;
  /** What the pump reported after the command, when read back. */
  readonly readback: PumpReading | null;
  /** Why it was refused or not verified, in words a nurse reads. */
  readonly outcome: { readonly code: string; readonly message: string } | null;
  readonly history: readonly OrderEvent[];
}
