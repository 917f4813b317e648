import { VigilError } from '../core/errors.js';
import type { InfusionProgramme, OrderKind, OrderUser, PumpReading } from './order-types.js';

/**
 * The only thing a PumpExecutor accepts (safety rule 1): an order that an authenticated
 * nurse confirmed (and, for a high-alert drug, a second nurse double-checked), issued
 * by the order workflow at the moment it executes.
 *
 * Unforgeable within the process:
 * - the class has an ECMAScript `#private` field, so TypeScript treats it nominally:
 *   an object literal with the same properties does not type-check as ConfirmedOrder;
 * - the constructor needs a module-private key, so `new ConfirmedOrder(...)` outside this
 *   module throws even when the TypeScript `private` is bypassed;
 * - every issued instance is recorded in a module-private WeakSet; an executor calls
 *   `isIssuedOrder(order)` and refuses anything else;
 * - an order id is issued at most once per process, so one confirmation is one execution.
 */

/** What is to be done, frozen at issue. */
export interface ConfirmedOrderSnapshot {
  readonly id: string;
  readonly kind: OrderKind;
  readonly bedId: string;
  readonly deviceId: string;
  /** mL/h for a rate change; null for a stop. */
  readonly targetRateMlPerHour: number | null;
  /** `running` for a rate change, `stopped` for a stop. */
  readonly targetRunState: 'running' | 'stopped';
  readonly programme: InfusionProgramme;
  /** The pump when the order was requested (its serial derives the remote-control code). */
  readonly pumpAtRequest: PumpReading;
  readonly requestedBy: OrderUser;
  readonly confirmedBy: OrderUser;
  /** The second nurse, for high-alert rate changes; null otherwise. */
  readonly doubleCheckedBy: OrderUser | null;
  /** Epoch ms of issue. */
  readonly issuedAt: number;
}

const ISSUE_KEY: unique symbol = Symbol('ConfirmedOrder.issue');
const issued = new WeakSet<object>();
const issuedIds = new Set<string>();
let construct: ((snapshot: ConfirmedOrderSnapshot) => ConfirmedOrder) | null = null;

export class ConfirmedOrder {
  readonly #snapshot: ConfirmedOrderSnapshot;

  private constructor(key: symbol, snapshot: ConfirmedOrderSnapshot) {
    if (key !== ISSUE_KEY) throw new VigilError('INTERNAL', 'a ConfirmedOrder is issued only by the order workflow');
    this.#snapshot = deepFreeze(structuredClone(snapshot));
    Object.freeze(this);
  }

  static {
    construct = (snapshot) => new ConfirmedOrder(ISSUE_KEY, snapshot);
  }

  get id(): string {
    return this.#snapshot.id;
  }
  get kind(): OrderKind {
    return this.#snapshot.kind;
  }
  get bedId(): string {
    return this.#snapshot.bedId;
  }
  get deviceId(): string {
    return this.#snapshot.deviceId;
  }
  get targetRateMlPerHour(): number | null {
    return this.#snapshot.targetRateMlPerHour;
  }
  get targetRunState(): 'running' | 'stopped' {
    return this.#snapshot.targetRunState;
  }
  get programme(): InfusionProgramme {
    return this.#snapshot.programme;
  }
  get pumpAtRequest(): PumpReading {
    return this.#snapshot.pumpAtRequest;
  }
  get requestedBy(): OrderUser {
    return this.#snapshot.requestedBy;
  }
  get confirmedBy(): OrderUser {
    return this.#snapshot.confirmedBy;
  }
  get doubleCheckedBy(): OrderUser | null {
    return this.#snapshot.doubleCheckedBy;
  }
  get issuedAt(): number {
    return this.#snapshot.issuedAt;
  }

  /** A plain copy, for logs and audit details. */
  toJSON(): ConfirmedOrderSnapshot {
    return this.#snapshot;
  }
}

/** True only for a ConfirmedOrder issued by `issueConfirmedOrder` in this process. */
export function isIssuedOrder(order: unknown): order is ConfirmedOrder {
  return typeof order === 'object' && order !== null && issued.has(order);
}

/**
 * INTERNAL: only src/control/order-execution.ts calls this (test/control checks the
 * imports), right before it hands the order to the pump's executor.
 * @throws VigilError INTERNAL when this order id was already issued
 */
export function issueConfirmedOrder(snapshot: ConfirmedOrderSnapshot): ConfirmedOrder {
  if (issuedIds.has(snapshot.id)) {
    throw new VigilError('INTERNAL', `order ${snapshot.id} was already issued; an order executes once`, { orderId: snapshot.id });
  }
  if (!construct) throw new VigilError('INTERNAL', 'ConfirmedOrder not initialised');
  const order = construct(snapshot);
  issuedIds.add(snapshot.id);
  issued.add(order);
  return order;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
