import { describe, expect, it, vi } from 'vitest';
import { BehaviorSubject, EMPTY, Subject } from 'rxjs';
import { waitFor } from '../helpers/wait-for.js';

describe('waitFor', () => {
  it('resolves with the first matching value, including a replayed one', async () => {
    const subject = new Subject<number>();
    const result = waitFor(subject, (n) => n > 2, 1000, 'n > 2');
    [1, 2, 3, 4].forEach((n) => subject.next(n));
    await expect(result).resolves.toBe(3);
    expect(subject.observed).toBe(false);
    await expect(waitFor(new BehaviorSubject('now'), (s) => s === 'now')).resolves.toBe('now');
  });

  it('rejects naming what it waited for when the time runs out', async () => {
    vi.useFakeTimers();
    try {
      const subject = new Subject<number>();
      const result = waitFor(subject, (n) => n > 2, 250, 'the pump reply');
      subject.next(1);
      vi.advanceTimersByTime(250);
      await expect(result).rejects.toThrow('timed out after 250 ms waiting for the pump reply; last value seen: 1');
      expect(subject.observed).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects when the source completes first', async () => {
    await expect(waitFor(EMPTY, () => true, 1000, 'anything')).rejects.toThrow('source completed before anything');
  });
});
