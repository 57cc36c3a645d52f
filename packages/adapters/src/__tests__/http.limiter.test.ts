import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { CrmRemoteError } from '@crm/core/errors';
import { createRateLimiter } from '../http/limiter.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The largest number of `starts` inside any window [t, t + intervalMs). */
function busiestWindow(starts: number[], intervalMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= intervalMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('createRateLimiter', () => {
  it('keeps starts under max in every rolling window, close to the ceiling, while a server counting them answers Remaining', async () => {
    const max = 10;
    const intervalMs = 1_000;
    const limiter = createRateLimiter({ burst: { max, intervalMs }, concurrency: 4 });
    const starts: number[] = [];
    let rejected = 0;
    // A server with HubSpot's rolling window: it counts the starts of the last interval.
    const tasks = Array.from({ length: 45 }, () =>
      limiter.schedule('default', async (start) => {
        const at = Date.now();
        starts.push(at);
        const inWindow = starts.filter((t) => t > at - intervalMs).length;
        if (inWindow > max) rejected += 1;
        await wait(30);
        limiter.observe(start, { max, remaining: Math.max(0, max - inWindow), intervalMs });
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(tasks);
    expect(starts).toHaveLength(45);
    expect(rejected).toBe(0);
    expect(busiestWindow(starts, intervalMs)).toBe(max);
    // Not more cautious than the 1 % margin, no pauses from Remaining = 0 (bursts of 10 a window: 4 windows for 45).
    expect(starts.at(-1)! - starts[0]!).toBeLessThanOrEqual(4 * intervalMs * 1.01 + 50);
  });

  it('sends a burst of max at once and 4 × max within 3 intervals (the floor the window sets), never more than max in a window', async () => {
    const max = 10;
    const intervalMs = 1_000;
    const limiter = createRateLimiter({ burst: { max, intervalMs }, concurrency: 50 });
    const t0 = Date.now();
    const starts: number[] = [];
    const tasks = Array.from({ length: 4 * max }, () => limiter.schedule('default', async () => void starts.push(Date.now() - t0)));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(tasks);
    expect(starts[max - 1]!).toBeLessThan(50); // bottleneck's own dispatch takes a few ms a job
    expect(starts[max]!).toBeGreaterThanOrEqual(intervalMs);
    expect(busiestWindow(starts, intervalMs)).toBe(max);
    expect(starts.at(-1)!).toBeGreaterThanOrEqual(3 * intervalMs);
    expect(starts.at(-1)!).toBeLessThanOrEqual(3 * intervalMs * 1.01 + 50);
  });

  it('without spacing, bursts of max would break a rolling window that fixed windows allow (the check bites)', () => {
    expect(busiestWindow([0, 1, 2, 999, 1000, 1001], 1_000)).toBe(4);
    expect(busiestWindow([0, 101, 202, 303], 303)).toBe(3);
  });

  it('holds at most `concurrency` requests in flight', async () => {
    const limiter = createRateLimiter({ concurrency: 3 });
    let inFlight = 0;
    let most = 0;
    const tasks = Array.from({ length: 10 }, () =>
      limiter.schedule('default', async () => {
        most = Math.max(most, ++inFlight);
        await wait(100);
        inFlight -= 1;
      }),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(tasks);
    expect(most).toBe(3);
  });

  it('pause holds one budget, and the search budget has its own window', async () => {
    const limiter = createRateLimiter({ burst: { max: 100, intervalMs: 1_000 }, search: { max: 2, intervalMs: 200 } });
    const t0 = Date.now();
    limiter.pause('default', 300);
    expect(limiter.pausedUntil('default')).toBe(t0 + 300);
    const at: Record<string, number[]> = { default: [], search: [] };
    const tasks = [
      limiter.schedule('default', async () => void at['default']!.push(Date.now() - t0)),
      ...Array.from({ length: 4 }, () => limiter.schedule('search', async () => void at['search']!.push(Date.now() - t0))),
    ];
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(tasks);
    expect(at['default']![0]).toBeGreaterThanOrEqual(300);
    expect(at['search']![0]).toBeLessThan(50);
    expect(busiestWindow(at['search']!, 200)).toBe(2);
    expect(limiter.pausedUntil('default')).toBe(0);
  });

  it('waits out a whole interval when Remaining is 0 and the only start of ours in the window is this one (others fill it)', async () => {
    const limiter = createRateLimiter({ burst: { max: 10, intervalMs: 500 } });
    const t0 = Date.now();
    const at: number[] = [];
    await vi.advanceTimersByTimeAsync(0);
    const first = limiter.schedule('default', async (start) => {
      at.push(Date.now() - t0);
      limiter.observe(start, { max: 10, remaining: 0, intervalMs: 500 }); // 9 others in the window
    });
    await vi.advanceTimersByTimeAsync(10);
    await first;
    const second = limiter.schedule('default', async () => void at.push(Date.now() - t0));
    await vi.advanceTimersByTimeAsync(1_000);
    await second;
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(500);
  });

  it('opens the daily circuit when the remaining budget reaches the reserve, and refuses at once', async () => {
    const limiter = createRateLimiter({ daily: { max: 10, reserve: 2 } });
    let ran = 0;
    const settled = Promise.allSettled(
      Array.from({ length: 10 }, () =>
        limiter.schedule('default', async () => {
          ran += 1;
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(200);
    const results = await settled;
    expect(ran).toBe(8);
    expect(limiter.circuitOpen).toBe(true);
    expect(limiter.dailyRemaining).toBe(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    expect(refused[0]!.reason).toBeInstanceOf(CrmRemoteError);
    expect((refused[0]!.reason as CrmRemoteError).remoteCode).toBe('DAILY_BUDGET');
    expect((refused[0]!.reason as CrmRemoteError).message).toMatch(/daily request budget is spent \(2 left, 2 kept in reserve\)/);
    limiter.resetDaily(100);
    expect(limiter.circuitOpen).toBe(false);
  });

  it('takes the daily remaining count from the remote, less the requests started since', async () => {
    const limiter = createRateLimiter({ daily: { max: 1_000, reserve: 5 } });
    const p = limiter.schedule('default', async (start) => {
      limiter.observe(start, { dailyRemaining: 6 });
    });
    await vi.advanceTimersByTimeAsync(10);
    await p;
    expect(limiter.dailyRemaining).toBe(6);
    expect(limiter.circuitOpen).toBe(false);
    const q = limiter.schedule('default', async () => {});
    await vi.advanceTimersByTimeAsync(10);
    await q;
    expect(limiter.dailyRemaining).toBe(5);
    expect(limiter.circuitOpen).toBe(true);
  });

  it('names the field that is wrong', () => {
    expect(() => createRateLimiter({ burst: { max: 0, intervalMs: 1_000 } })).toThrow(/`limits.burst` must be/);
    expect(() => createRateLimiter({ concurrency: 1.5 })).toThrow(/`limits.concurrency`/);
    expect(() => createRateLimiter({ daily: { max: 10, reserve: -1 } })).toThrow(/`limits.daily.reserve`/);
  });
});
