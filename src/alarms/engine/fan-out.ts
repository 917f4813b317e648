import { Observable, Subscription, type Observer } from 'rxjs';

interface Target<T> {
  readonly observer: Partial<Observer<T>>;
  active: boolean;
}

/**
 * The multicast source of one device's metric for the rules that read it: a Subject
 * without the Subscriber wrappers. `next` calls each rule operator's own observer
 * directly, so a value reaches a rule through one call instead of four (Subject ->
 * Subscriber -> ConsumerObserver -> observer); at 500 beds the engine spends its time
 * walking such chains (docs/benchmark.md). A rule that throws is reported to `onError`
 * and the others still get the value; nothing is thrown back into the dispatcher.
 * It never completes or errors: the engine's channels live as long as the engine.
 */
export class FanOut<T> extends Observable<T> {
  private targets: readonly Target<T>[] = [];

  constructor(private readonly onError: (err: unknown) => void) {
    super();
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    const observer: Partial<Observer<T>> = typeof observerOrNext === 'function' ? { next: observerOrNext } : (observerOrNext ?? {});
    const target: Target<T> = { observer, active: true };
    this.targets = [...this.targets, target];
    return new Subscription(() => {
      target.active = false;
      this.targets = this.targets.filter((t) => t !== target);
    });
  }

  next(value: T): void {
    // Copy-on-write: a rule wired or unwired meanwhile changes the next call's list, not this one.
    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (!t.active) continue;
      try {
        t.observer.next?.(value);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Rules reading this source now. */
  get size(): number {
    return this.targets.length;
  }
}

/**
 * Values of several never-ending sources as one, for a rule reading several channels
 * (a sustained rule's metrics, a combination's devices): `merge` without its
 * per-value inner subscribers. Each source gets the rule's observer as it is; errors and
 * completion are not forwarded, the engine's channels have neither.
 */
export function fanIn<T>(sources: readonly Observable<T>[]): Observable<T> {
  if (sources.length === 1) return sources[0]!;
  return new FanIn(sources);
}

class FanIn<T> extends Observable<T> {
  constructor(private readonly sources: readonly Observable<T>[]) {
    super();
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    const next = typeof observerOrNext === 'function' ? observerOrNext : observerOrNext?.next?.bind(observerOrNext);
    const all = new Subscription();
    if (next) for (const source of this.sources) all.add(source.subscribe({ next }));
    return all;
  }
}
