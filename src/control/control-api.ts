import type { Observable } from 'rxjs';
import type { AuditEntry } from '../audit/audit-entry.js';
import type { AlarmEvent } from '../alarms/alarm.js';
import type { DoseUnit, InfusionProgramme, OrderUser, OrderView, PumpReading } from './order-types.js';

/** Credentials typed at the moment of a confirmation or double check (a signature). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A pump as the station shows it. */
export interface PumpView {
  readonly bedId: string;
  readonly deviceId: string;
  readonly label: string;
  readonly programme: InfusionProgramme;
  readonly reading: PumpReading;
  /** The current dose, mg/kg/h, from the read-back rate (null when unknown). */
  readonly doseMgPerKgPerHour: number | null;
  /** The open order of this pump, if any (one at a time per pump). */
  readonly openOrderId: string | null;
}

/** A change made at the pump's own keypad, not through Vigil. */
export interface PumpChangeView {
  readonly bedId: string;
  readonly deviceId: string;
  readonly kind: 'rate' | 'run-state';
  readonly before: string;
  readonly after: string;
  readonly at: number;
}

export interface Session {
  readonly token: string;
  readonly user: OrderUser;
  readonly expiresAt: number;
}

export interface RateChangeRequest {
  readonly bedId: string;
  readonly deviceId: string;
  readonly value: number;
  readonly unit: DoseUnit;
  /** Required when the dose is outside the drug library's soft limits. */
  readonly overrideReason?: string;
}

/**
 * What the nurse station may ask of the control module. Every method that acts checks
 * the caller (session token or typed credentials) and audits what it did; a refusal is
 * a VigilError with code ORDER_REFUSED (or AUTH_FAILED / SESSION_*), whose
 * `context.reason` is a stable code and whose message names the reason in words.
 */
export interface ControlApi {
  login(username: string, password: string, remoteAddress?: string): Promise<Session>;
  logout(token: string): void;
  /** The user of a session; throws SESSION_INVALID / SESSION_EXPIRED. */
  whoami(token: string): OrderUser;

  pumps(): PumpView[];
  readonly pumps$: Observable<PumpView>;
  readonly pumpChanges$: Observable<PumpChangeView>;

  /** A clinician (nurse or physician) asks for a new rate. */
  requestRateChange(token: string, request: RateChangeRequest): Promise<OrderView>;
  /** A clinician asks to stop the infusion (one confirmation, no double check). */
  requestStop(token: string, bedId: string, deviceId: string): Promise<OrderView>;
  /** A nurse confirms, signing with their credentials. */
  confirm(orderId: string, credentials: Credentials): Promise<OrderView>;
  /**
   * A second, different nurse checks independently: they enter the new rate themselves,
   * in the order's unit, and it must match.
   */
  doubleCheck(orderId: string, credentials: Credentials, enteredValue: number): Promise<OrderView>;
  cancel(orderId: string, token: string, reason: string): OrderView;
  /** A nurse acknowledges a not-verified order's alarm after checking the pump; ends that alarm. */
  acknowledgeOutcome(orderId: string, token: string): OrderView;
  /** The newest audit entries (any authenticated user), optionally of one bed. */
  audit(token: string, options?: { bedId?: string; limit?: number }): AuditEntry[];

  order(orderId: string): OrderView | undefined;
  /** Open orders and the most recent closed ones, newest first. */
  orders(limit?: number): OrderView[];
  readonly orders$: Observable<OrderView>;
  /** RATE_CHANGE_NOT_VERIFIED (high) per pump: starts on not-verified, ends on acknowledgeOutcome. */
  readonly alarms$: Observable<AlarmEvent>;
}
