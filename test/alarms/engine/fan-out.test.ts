import { describe, expect, it } from 'vitest';
import { map } from 'rxjs';
import { FanOut, fanIn } from '../../../src/alarms/engine/fan-out.js';

describe('FanOut: the multicast source of a metric channel', () => {
  it('gives each value to every rule subscribed now, in order; an unsubscribed rule gets nothing more', () => {
    const errors: unknown[] = [];
    const source = new FanOut<number>((err) => errors.push(err));
    const a: number[] = [];
    const b: number[] = [];
    const subA = source.subscribe((v) => a.push(v));
    source.pipe(map((v) => v * 10)).subscribe((v) => b.push(v));
    source.next(1);
    subA.unsubscribe();
    source.next(2);
    expect([a, b, source.size, errors]).toEqual([[1], [10, 20], 1, []]);
  });

  it('a rule that throws is reported and the other rules still get the value', () => {
    const errors: unknown[] = [];
    const source = new FanOut<number>((err) => errors.push(err));
    const seen: number[] = [];
    source.subscribe(() => {
      throw new Error('rule bug');
    });
    source.subscribe((v) => seen.push(v));
    expect(() => source.next(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([new Error('rule bug')]);
  });

  it('a rule unsubscribed by another during a value does not get that value', () => {
    const source = new FanOut<number>(() => undefined);
    const late: number[] = [];
    let second: { unsubscribe(): void } | null = null;
    source.subscribe(() => second?.unsubscribe());
    second = source.subscribe((v) => late.push(v));
    source.next(1);
    expect(late).toEqual([]);
  });
});

describe('fanIn: several channels as one source', () => {
  it('passes the values of every channel to one observer, and stops them all on unsubscribe', () => {
    const x = new FanOut<string>(() => undefined);
    const y = new FanOut<string>(() => undefined);
    const got: string[] = [];
    const sub = fanIn([x, y]).subscribe((v) => got.push(v));
    x.next('x1');
    y.next('y1');
    sub.unsubscribe();
    x.next('x2');
    expect([got, x.size, y.size]).toEqual([['x1', 'y1'], 0, 0]);
  });
});
