import type { Observable, Subscription } from 'rxjs';

/**
 * Resolves with the first value of `source` that satisfies `predicate` (a value already
 * replayed on subscription counts). Rejects with a message naming `what` when nothing
 * matches within `timeoutMs`, when `source` completes or errors first, or when the
 * predicate throws. The timeout uses setTimeout: under vi.useFakeTimers it fires only
 * when the test advances time.
 */
export function waitFor<T>(
  source: Observable<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 5000,
  what = 'a matching value',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let last: { value: T } | null = null;
    // Filled after subscribe() returns; still empty when a replayed value matches at once.
    const held: { subscription?: Subscription } = {};
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      held.subscription?.unsubscribe();
      settle();
    };
    const lastSeen = (): string => (last ? `; last value seen: ${safeJson(last.value)}` : '; no value seen');
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastSeen()}`))),
      timeoutMs,
    );
    const subscription = source.subscribe({
      next: (value) => {
        if (done) return;
        last = { value };
        let matched: boolean;
        try {
          matched = predicate(value);
        } catch (err) {
          finish(() => reject(new Error(`predicate threw while waiting for ${what}: ${String(err)}`)));
          return;
        }
        if (matched) finish(() => resolve(value));
      },
      error: (err: unknown) => finish(() => reject(new Error(`source failed while waiting for ${what}: ${String(err)}`))),
      complete: () => finish(() => reject(new Error(`source completed before ${what}${lastSeen()}`))),
    });
    held.subscription = subscription;
    if (done) subscription.unsubscribe();
  });
}

function safeJson(value: unknown): string {
  try {
    const text = Buffer.isBuffer(value) ? `<Buffer ${value.toString('hex')}>` : JSON.stringify(value);
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return String(value);
  }
}
