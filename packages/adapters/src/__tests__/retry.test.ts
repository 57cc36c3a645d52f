import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableFailure, createRetryer, retryable, withRetry, type RetryEvent } from '../index.js';
import { sleep } from '../http/retry.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** An attempt that fails retryably `failures` times, then answers `value`; records when each attempt ran. */
function flaky<T>(failures: number, value: T, retryAfterMs: number | null = null) {
  const at: number[] = [];
  const attempt = vi.fn(async (n: number) => {
    at.push(Date.now());
    if (n < failures) throw retryable(new Error(`failure ${n + 1}`), retryAfterMs);
    return value;
  });
  return { attempt, at };
}

describe('withRetry', () => {
  it('makes the attempt again after the backoff of the shared policy, until it succeeds', async () => {
    const { attempt, at } = flaky(2, 'ok');
    const start = Date.now();
    const result = withRetry({ attempt, idempotent: true, baseMs: 100, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(49);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toBe('ok');
    // Full jitter at half the ceiling: 100 · 2⁰ / 2, then 100 · 2¹ / 2.
    expect(at.map((t) => t - start)).toEqual([0, 50, 150]);
    expect(attempt.mock.calls.map(([n]) => n)).toEqual([0, 1, 2]);
  });

  it('waits what Retry-After asks, capped at maxMs', async () => {
    const { attempt, at } = flaky(2, 'ok', 120_000);
    const start = Date.now();
    const result = withRetry({ attempt, idempotent: true, maxMs: 5_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toBe('ok');
    expect(at.map((t) => t - start)).toEqual([0, 5_000, 10_000]);
  });

  it('gives up after `limit` retries with the last failure itself, not its wrapper', async () => {
    const { attempt } = flaky(10, 'never');
    const result = withRetry({ attempt, idempotent: true, limit: 2, baseMs: 10 });
    const settled = expect(result).rejects.toThrow('failure 3');
    await vi.runAllTimersAsync();
    await settled;
    expect(attempt).toHaveBeenCalledTimes(3);
    await expect(withRetry({ attempt: flaky(1, 0).attempt, idempotent: true, limit: 0 })).rejects.not.toBeInstanceOf(RetryableFailure);
  });

  it('never retries work that is not idempotent (a create could create twice)', async () => {
    const { attempt } = flaky(1, 'created');
    await expect(withRetry({ attempt, idempotent: false, limit: 5 })).rejects.toThrow('failure 1');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('stops at once on a failure not marked retryable', async () => {
    const attempt = vi.fn(async () => {
      throw new TypeError('a 400: sending it again will not help');
    });
    await expect(withRetry({ attempt, idempotent: true })).rejects.toThrow(TypeError);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('ends the wait when the signal aborts, with the last failure and no further attempt', async () => {
    const { attempt } = flaky(5, 'never');
    const closer = new AbortController();
    const result = withRetry({ attempt, idempotent: true, baseMs: 60_000, random: () => 0.99, signal: closer.signal });
    const settled = expect(result).rejects.toThrow('failure 1');
    await vi.advanceTimersByTimeAsync(1_000);
    closer.abort();
    await settled;
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('makes no retry once the signal has aborted', async () => {
    const closer = new AbortController();
    closer.abort();
    const { attempt } = flaky(1, 'ok');
    await expect(withRetry({ attempt, idempotent: true, signal: closer.signal })).rejects.toThrow('failure 1');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('tells onRetry about each wait, in one object', async () => {
    const events: RetryEvent[] = [];
    const { attempt } = flaky(2, 'ok');
    const result = withRetry({ attempt, idempotent: true, baseMs: 100, random: () => 0, onRetry: (e) => events.push(e) });
    await vi.runAllTimersAsync();
    await result;
    expect(events.map(({ retry, delayMs, error }) => ({ retry, delayMs, error: (error as Error).message }))).toEqual([
      { retry: 1, delayMs: 0, error: 'failure 1' },
      { retry: 2, delayMs: 0, error: 'failure 2' },
    ]);
  });

  it('checks its options, naming each', async () => {
    const attempt = async () => 1;
    await expect(withRetry({ attempt, idempotent: true, limit: -1 })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: retry: \`limit\` must be a whole number, 0 or more]`,
    );
    await expect(withRetry({ attempt, idempotent: true, maxMs: Number.NaN })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: retry: \`baseMs\` and \`maxMs\` must be milliseconds, 0 or more]`,
    );
    expect(() => createRetryer({ limit: 1.5 })).toThrow('`limit`');
  });
});

describe('createRetryer', () => {
  it('shares one policy between the requests of a remote', async () => {
    const retry = createRetryer({ limit: 1, baseMs: 10, random: () => 0 });
    const read = flaky(1, 'read');
    const result = retry({ idempotent: true, attempt: read.attempt });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('read');
    const tooFlaky = flaky(2, 'never');
    const failed = expect(retry({ idempotent: true, attempt: tooFlaky.attempt })).rejects.toThrow('failure 2');
    await vi.runAllTimersAsync();
    await failed;
    const create = flaky(1, 'created');
    await expect(retry({ idempotent: false, attempt: create.attempt })).rejects.toThrow('failure 1');
    expect(create.attempt).toHaveBeenCalledTimes(1);
  });
});

describe('sleep', () => {
  it('resolves after the delay, or at once on abort, clearing its timer', async () => {
    let done = false;
    void sleep(100).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);

    const stop = new AbortController();
    const waiting = sleep(60_000, stop.signal);
    expect(vi.getTimerCount()).toBe(1);
    stop.abort();
    await waiting;
    expect(vi.getTimerCount()).toBe(0);
    await sleep(60_000, stop.signal); // already aborted: at once
  });
});
