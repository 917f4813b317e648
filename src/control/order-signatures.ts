import { VigilError } from '../core/errors.js';
import type { User } from '../users/user.js';
import type { UserStore } from '../users/user-store.js';
import type { OrderBook } from './order-book.js';
import { actorOf, bedSubject } from './order-checks.js';
import type { OrderExecution } from './order-execution.js';
import type { OrderRecord } from './order-store.js';
import type { OrderUser } from './order-types.js';

/** Wrong signatures allowed on one order; the next one refuses it. */
export const MAX_FAILED_SIGNATURES = 3;

/** The user as an order records them (no password material, no timestamps). */
export function toOrderUser(user: User): OrderUser {
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role };
}

/** `Ana Silva (ana, nurse)`: a user named in order notes and refusal messages. */
export function describeUser(user: OrderUser): string {
  return `${user.displayName} (${user.username}, ${user.role})`;
}

export type SignatureCheck =
  | { readonly ok: true; readonly user: OrderUser }
  | { readonly ok: false; readonly reason: string; readonly user: OrderUser | null; readonly username: string };

/**
 * Checks a signature typed at the moment of a confirmation or double check. A malformed
 * credentials object is a failed signature, never an exception. Takes one scrypt
 * computation, as a login does.
 */
export async function checkSignature(users: UserStore, credentials: unknown): Promise<SignatureCheck> {
  const c = credentials as { username?: unknown; password?: unknown } | null;
  const username = typeof c?.username === 'string' ? c.username.slice(0, 64) : '';
  const password = typeof c?.password === 'string' ? c.password : '';
  if (!username || !password) return { ok: false, reason: 'malformed', user: null, username };
  const check = await users.checkCredentials(username, password);
  if (check.ok) return { ok: true, user: toOrderUser(check.user) };
  return { ok: false, reason: check.reason, user: check.user ? toOrderUser(check.user) : null, username };
}

/**
 * A signature on an order: the signing user, or AUTH_FAILED. A failure is audited
 * (`auth.signature-failed`, with the real reason) and counted on the order, which stays
 * open (a typo is not a refusal) until the MAX_FAILED_SIGNATURES-th failure refuses it
 * (TOO_MANY_FAILED_SIGNATURES). `current` re-reads the order after the password check,
 * which takes time: the order may have moved on meanwhile.
 */
export async function signOrder(
  deps: { readonly users: UserStore; readonly book: OrderBook; readonly execution: OrderExecution },
  credentials: unknown,
  purpose: 'confirm' | 'double-check',
  current: () => OrderRecord,
): Promise<OrderUser> {
  const check = await checkSignature(deps.users, credentials);
  if (check.ok) return check.user;
  const record = current();
  const orderId = record.view.id;
  const failures = record.failedSignatures + 1;
  deps.book.apply(orderId, {
    note: `${purpose} signature failed (${failures} of ${MAX_FAILED_SIGNATURES})`,
    failedSignatures: failures,
    audit: {
      actor: actorOf(check.user),
      action: 'auth.signature-failed',
      subject: bedSubject(record.view.bedId),
      details: { orderId, purpose, username: check.username, reason: check.reason, attempt: failures },
    },
  });
  if (failures >= MAX_FAILED_SIGNATURES) {
    const refused = deps.book.get(orderId) ?? record;
    throw deps.execution.refuse(
      refused,
      { reason: 'TOO_MANY_FAILED_SIGNATURES', message: `invalid username or password; ${MAX_FAILED_SIGNATURES} failed signatures: the order is refused` },
      null,
    );
  }
  throw new VigilError('AUTH_FAILED', 'invalid username or password', { orderId, attemptsLeft: MAX_FAILED_SIGNATURES - failures });
}
