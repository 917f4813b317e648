import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandQueue } from '../../../drivers/shared/command-queue.js';
import { VigilError, isVigilError } from '../../../src/core/errors.js';

interface Reply {
  to: string;
  value: number;
}

/** A line that records what was sent; the test answers with queue.offer(). */
function makeQueue(responseTimeoutMs = 1000) {
  const sent: string[] = [];
  const queue = new CommandQueue<string, Reply>(
    async (command) => {
      sent.push(command);
    },
    { responseTimeoutMs },
  );
  return { queue, sent };
}

const answers = (command: string) => (r: Reply) => r.to === command;

describe('CommandQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one command outstanding and sends the next only after the reply', async () => {
    const { queue, sent } = makeQueue();
    const a = queue.request('A', answers('A'));
    const b = queue.request('B', answers('B'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['A']);
    expect(queue.size).toBe(2);

    expect(queue.offer({ to: 'A', value: 1 })).toBe(true);
    await expect(a).resolves.toEqual({ to: 'A', value: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['A', 'B']);
    queue.offer({ to: 'B', value: 2 });
    await expect(b).resolves.toEqual({ to: 'B', value: 2 });
    expect(queue.size).toBe(0);
  });

  it('sends in FIFO order', async () => {
    const { queue, sent } = makeQueue();
    const done = ['1', '2', '3', '4'].map((c) => queue.request(c, answers(c)));
    for (const c of ['1', '2', '3', '4']) {
      await vi.advanceTimersByTimeAsync(0);
      queue.offer({ to: c, value: 0 });
    }
    await Promise.all(done);
    expect(sent).toEqual(['1', '2', '3', '4']);
  });

  it('ignores a reply the matcher does not accept', async () => {
    const { queue } = makeQueue();
    const a = queue.request('A', answers('A'));
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.offer({ to: 'Z', value: 9 })).toBe(false);
    expect(queue.busy).toBe(true);
    queue.offer({ to: 'A', value: 3 });
    await expect(a).resolves.toMatchObject({ value: 3 });
  });

  it('offer with nothing in flight returns false', () => {
    const { queue } = makeQueue();
    expect(queue.offer({ to: 'A', value: 1 })).toBe(false);
  });

  it('times out with COMMAND_TIMEOUT whose stack names the caller, then sends the next command', async () => {
    const { queue, sent } = makeQueue(1000);
    function pollTheSerialNumber() {
      return queue.request('SERIAL', answers('SERIAL'), { description: 'SERIAL' });
    }
    const first = pollTheSerialNumber();
    const second = queue.request('B', answers('B'));
    const firstResult = first.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual(['SERIAL']);
    await vi.advanceTimersByTimeAsync(1);
    const err = await firstResult;
    expect(isVigilError(err, 'COMMAND_TIMEOUT')).toBe(true);
    expect((err as VigilError).context).toMatchObject({ command: 'SERIAL', timeoutMs: 1000 });
    expect((err as Error).stack).toContain('pollTheSerialNumber');
    expect(sent).toEqual(['SERIAL', 'B']);
    queue.offer({ to: 'B', value: 1 });
    await expect(second).resolves.toBeDefined();
  });

  it('a late reply after the timeout does not resolve anything', async () => {
    const { queue } = makeQueue(500);
    const a = queue.request('A', answers('A')).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(isVigilError(await a, 'COMMAND_TIMEOUT')).toBe(true);
    expect(queue.offer({ to: 'A', value: 1 })).toBe(false);
  });

  it('per-request timeout overrides the default', async () => {
    const { queue } = makeQueue(1000);
    const a = queue.request('A', answers('A'), { timeoutMs: 200 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    expect(isVigilError(await a, 'COMMAND_TIMEOUT')).toBe(true);
  });

  it('abortAll (link dropped) rejects the command in flight and every queued one with COMMAND_ABORTED', async () => {
    const { queue, sent } = makeQueue();
    const results = ['A', 'B', 'C'].map((c) => queue.request(c, answers(c)).catch((e: unknown) => e));
    await vi.advanceTimersByTimeAsync(0);
    queue.abortAll('link dropped');
    for (const r of await Promise.all(results)) {
      expect(isVigilError(r, 'COMMAND_ABORTED')).toBe(true);
      expect((r as VigilError).context).toMatchObject({ reason: 'link dropped' });
    }
    expect(sent).toEqual(['A']);
    expect(queue.size).toBe(0);
    // Still usable after the link comes back.
    const d = queue.request('D', answers('D'));
    await vi.advanceTimersByTimeAsync(0);
    queue.offer({ to: 'D', value: 4 });
    await expect(d).resolves.toMatchObject({ value: 4 });
    // The aborted command's timer does not fire later.
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual(['A', 'D']);
  });

  it('a failing send rejects that request with the send error and moves on', async () => {
    const sent: string[] = [];
    const queue = new CommandQueue<string, Reply>(
      async (c) => {
        sent.push(c);
        if (c === 'A') throw new VigilError('TRANSPORT_NOT_OPEN', 'down');
      },
      { responseTimeoutMs: 1000 },
    );
    const a = queue.request('A', answers('A')).catch((e: unknown) => e);
    const b = queue.request('B', answers('B'));
    expect(isVigilError(await a, 'TRANSPORT_NOT_OPEN')).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['A', 'B']);
    queue.offer({ to: 'B', value: 0 });
    await expect(b).resolves.toBeDefined();
  });

  it('close() refuses further requests', async () => {
    const { queue, sent } = makeQueue();
    queue.close();
    const r = await queue.request('A', answers('A')).catch((e: unknown) => e);
    expect(isVigilError(r, 'COMMAND_ABORTED')).toBe(true);
    expect(sent).toEqual([]);
  });

  it('refuses requests beyond maxQueued', async () => {
    const queue = new CommandQueue<string, Reply>(async () => {}, { responseTimeoutMs: 1000, maxQueued: 2 });
    const kept = ['A', 'B', 'C'].map((c) => queue.request(c, answers(c)).catch(() => undefined));
    const r = await queue.request('D', answers('D')).catch((e: unknown) => e);
    expect(isVigilError(r, 'COMMAND_ABORTED')).toBe(true);
    queue.close();
    await Promise.all(kept);
  });
});
