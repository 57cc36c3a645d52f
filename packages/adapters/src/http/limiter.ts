/**
 * The request budgets of a remote, on bottleneck: a burst budget that keeps request starts
 * under `max` in any rolling `intervalMs`, a separate budget for search requests, a cap on
 * requests in flight, and a daily counter whose circuit opens before the day's allowance is
 * spent. The budgets adapt to what the remote reports: its rate-limit headers
 * ({@link RateLimiter.observe}) and its 429s ({@link RateLimiter.pause}).
 *
 * How the rolling window is kept: a log of the budget's recent starts. A request starts at once
 * while fewer than `max` started in the last `intervalMs` (plus a 1 % margin, for timers that
 * fire late and requests that arrive in a different order than they left); otherwise it waits
 * until the oldest of the last `max` starts leaves the window. So a burst of `max` goes out at
 * once, as the remote allows, and no window of `intervalMs` ever holds more than `max` starts:
 * 400 requests at 100 per 10 s all start within 30.3 s (the floor is 30 s). (Spacing starts
 * `intervalMs / max` apart would keep the window too, but takes 40 s for the same 400.)
 *
 * @module
 */
import Bottleneck from 'bottleneck';
import { CrmRemoteError } from '@crm/core/errors';

/** The budgets a remote's requests are counted against. */
export interface RateLimits {
  /**
   * The burst budget, as a rolling window: never more than `max` request starts in any
   * `intervalMs`. Without it, requests are not spaced (until the remote's headers tell a limit).
   * @example
   * ```ts
   * { burst: { max: 100, intervalMs: 10_000 } } // HubSpot's free tier
   * ```
   */
  burst?: { max: number; intervalMs: number };
  /**
   * The daily budget: the circuit opens (every request then fails at once with code
   * `DAILY_BUDGET`) when the remaining daily budget is `reserve` or less. The remaining count
   * is kept from the requests sent and corrected by the remote's headers when it sends them.
   * `reserve` defaults to 1 % of `max`.
   */
  daily?: { max: number; reserve?: number };
  /** A separate rolling budget for search requests (`budget: 'search'`). */
  search?: { max: number; intervalMs: number };
  /**
   * How many requests may be in flight at once, across both budgets.
   * @default 4
   */
  concurrency?: number;
}

/** Which budget a request is counted against. */
export type Budget = 'default' | 'search';

/** What a response said about the budgets (read from its headers); every field optional. */
export interface RateLimitReading {
  /** The window's allowance (`X-HubSpot-RateLimit-Max`). */
  max?: number | null;
  /** Requests left in the window as the remote counted this one (`…-Remaining`). */
  remaining?: number | null;
  /** The window's length in milliseconds (`…-Interval-Milliseconds`). */
  intervalMs?: number | null;
  /** The daily allowance (`…-Daily`). */
  dailyMax?: number | null;
  /** Requests left today (`…-Daily-Remaining`). */
  dailyRemaining?: number | null;
}

/** A started request, as {@link RateLimiter.schedule} tells its task. */
export interface Start {
  /** When the request started, on the limiter's clock. */
  startedAt: number;
  /** Its place among all the requests this limiter started (1 for the first). */
  sequence: number;
  /** The budget it was counted against. */
  budget: Budget;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /**
   * The remote's name, to start error messages.
   * @default 'remote'
   */
  name?: string;
  /**
   * The clock, in epoch milliseconds. Bottleneck itself reads `Date.now`, so a replacement
   * must agree with it (vitest's fake timers replace both).
   * @default Date.now
   */
  now?: () => number;
}

/** The budgets of a remote; made by {@link createRateLimiter}. */
export interface RateLimiter {
  /**
   * Runs `task` when the budget allows: a slot among the requests in flight, then a start in the
   * budget's window. Rejects with a `CrmRemoteError` (code `DAILY_BUDGET`) without running it
   * while the daily circuit is open. `priority` is bottleneck's (0 first, 9 last; default 5).
   */
  schedule<T>(budget: Budget, task: (start: Start) => Promise<T>, options?: { priority?: number }): Promise<T>;
  /** Holds every start of `budget` for `ms` milliseconds from now (a pause already longer is kept). */
  pause(budget: Budget, ms: number): void;
  /**
   * Adapts to what a response reported for the request started at `start`: its window's
   * allowance and interval (a lower allowance than configured slows the budget down), its
   * remaining count (0 holds the budget until a start leaves the window), and the daily
   * remaining count (which may open the circuit).
   */
  observe(start: Start, reading: RateLimitReading): void;
  /** Opens the daily circuit now (the remote said the daily budget is spent). */
  openCircuit(): void;
  /** Closes the daily circuit, with a fresh remaining count (default: the daily `max`, or unknown). */
  resetDaily(remaining?: number): void;
  /** Whether the daily circuit is open. */
  readonly circuitOpen: boolean;
  /** The daily requests left, as last counted, or `null` when unknown. */
  readonly dailyRemaining: number | null;
  /** When `budget`'s pause ends (epoch milliseconds), or `0` when it is not paused. */
  pausedUntil(budget: Budget): number;
}

const DEFAULT_CONCURRENCY = 4;
/** The window margin: a start waits until the oldest of the last `max` is `1 %` more than `intervalMs` old. */
const MARGIN = 1.01;


function checkWindow(name: string, field: 'burst' | 'search', window: unknown): { max: number; intervalMs: number } | null {
  if (window === undefined) return null;
  const w = window as { max?: unknown; intervalMs?: unknown } | null;
  if (!w || typeof w !== 'object' || !isPositiveInteger(w.max) || !(typeof w.intervalMs === 'number' && w.intervalMs > 0 && Number.isFinite(w.intervalMs))) {
    throw new TypeError(`${name}: \`limits.${field}\` must be { max: a whole number above 0, intervalMs: milliseconds above 0 }`);
  }
  return { max: w.max, intervalMs: w.intervalMs };
}

const isPositiveInteger = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;

/**
 * Makes the request budgets of one remote from its {@link RateLimits}; messages name the
 * field that is wrong.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ burst: { max: 100, intervalMs: 10_000 }, daily: { max: 250_000 }, concurrency: 4 })
 * const response = await limiter.schedule('default', () => fetch(url))
 * ```
 */
export function createRateLimiter(limits: RateLimits = {}, options: RateLimiterOptions = {}): RateLimiter {
  const name = options.name ?? 'remote';
  const now = options.now ?? Date.now;
  if (!limits || typeof limits !== 'object') throw new TypeError(`${name}: \`limits\` must be an object`);
  const concurrency = limits.concurrency ?? DEFAULT_CONCURRENCY;
  if (!isPositiveInteger(concurrency)) throw new TypeError(`${name}: \`limits.concurrency\` must be a whole number above 0`);
  const windows: Record<Budget, { max: number; intervalMs: number } | null> = {
    default: checkWindow(name, 'burst', limits.burst),
    search: checkWindow(name, 'search', limits.search),
  };
  let dailyMax: number | null = null;
  let reserve: number | null = null;
  if (limits.daily !== undefined) {
    const daily = limits.daily as { max?: unknown; reserve?: unknown } | null;
    if (!daily || typeof daily !== 'object' || !isPositiveInteger(daily.max)) throw new TypeError(`${name}: \`limits.daily.max\` must be a whole number above 0`);
    if (daily.reserve !== undefined && !(Number.isInteger(daily.reserve) && (daily.reserve as number) >= 0)) {
      throw new TypeError(`${name}: \`limits.daily.reserve\` must be a whole number, 0 or more`);
    }
    dailyMax = daily.max;
    reserve = (daily.reserve as number | undefined) ?? null;
  }

  // One gate for requests in flight, then one rate gate per budget, innermost so that the start
  // it records is the request's real start.
  const slots = new Bottleneck({ maxConcurrent: concurrency });
  const rate: Record<Budget, Bottleneck> = { default: new Bottleneck({}), search: new Bottleneck({}) };
  /** One admission at a time per budget, so two requests never both take the last slot of a window. */
  const admitting: Record<Budget, Promise<void>> = { default: Promise.resolve(), search: Promise.resolve() };
  /** Starts of each budget, oldest first, kept for one interval. */
  const starts: Record<Budget, number[]> = { default: [], search: [] };
  const pauses: Record<Budget, { until: number; timer: ReturnType<typeof setTimeout> | null }> = {
    default: { until: 0, timer: null },
    search: { until: 0, timer: null },
  };
  let sequence = 0;
  let dailyRemaining: number | null = dailyMax;
  let circuitOpen = false;

  const reserveNow = () => reserve ?? (dailyMax === null ? 0 : Math.ceil(dailyMax * 0.01));
  const checkCircuit = () => {
    if (dailyRemaining !== null && dailyRemaining <= reserveNow()) circuitOpen = true;
  };
  const circuitError = () =>
    new CrmRemoteError(
      `${name}: the daily request budget is spent (${dailyRemaining ?? 0} left, ${reserveNow()} kept in reserve): no request is sent until it resets`,
      { status: 0, remoteCode: 'DAILY_BUDGET', retryable: true },
    );
  const remember = (budget: Budget, at: number) => {
    const list = starts[budget];
    list.push(at);
    const keep = Math.max(windows[budget]?.intervalMs ?? 0, 60_000);
    while (list.length > 0 && list[0]! <= at - keep) list.shift();
  };

  /** How long a start must wait for the budget's rolling window to have room (0: now). */
  const roomIn = (budget: Budget, at: number): number => {
    const window = windows[budget];
    if (!window) return 0;
    const span = window.intervalMs * MARGIN;
    const recent = starts[budget].filter((t) => t > at - span);
    if (recent.length < window.max) return 0;
    return recent[recent.length - window.max]! + span - at;
  };
  /** Resolves when a start of `budget` fits its window, and records that start. */
  const admit = (budget: Budget): Promise<number> => {
    const turn = admitting[budget].then(async () => {
      for (;;) {
        const at = now();
        const ms = roomIn(budget, at);
        if (ms <= 0) {
          remember(budget, at);
          return at;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
      }
    });
    admitting[budget] = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  };

  const pause = (budget: Budget, ms: number) => {
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    const until = now() + ms;
    const state = pauses[budget];
    if (until <= state.until) return;
    state.until = until;
    if (state.timer !== null) clearTimeout(state.timer);
    else void rate[budget].updateSettings({ reservoir: 0 });
    state.timer = setTimeout(() => {
      state.timer = null;
      state.until = 0;
      void rate[budget].updateSettings({ reservoir: null });
    }, ms);
  };

  return {
    schedule<T>(budget: Budget, task: (start: Start) => Promise<T>, scheduleOptions: { priority?: number } = {}): Promise<T> {
      if (budget !== 'default' && budget !== 'search') return Promise.reject(new TypeError(`${name}: \`budget\` must be 'default' or 'search'`));
      if (circuitOpen) return Promise.reject(circuitError());
      const priority = scheduleOptions.priority ?? 5;
      return slots.schedule({ priority }, () =>
        rate[budget].schedule({ priority }, async () => {
          if (circuitOpen) throw circuitError();
          const startedAt = await admit(budget);
          if (circuitOpen) throw circuitError();
          sequence += 1;
          if (dailyRemaining !== null) {
            dailyRemaining -= 1;
            checkCircuit();
          }
          return task({ startedAt, sequence, budget });
        }),
      );
    },
    pause,
    observe(start: Start, reading: RateLimitReading): void {
      const { budget } = start;
      const { max, remaining, intervalMs } = reading;
      // A smaller allowance than configured (or one where none was): space starts by it.
      if (isPositiveInteger(max) && typeof intervalMs === 'number' && intervalMs > 0) {
        const current = windows[budget];
        if (!current || max / intervalMs < current.max / current.intervalMs) windows[budget] = { max, intervalMs };
      }
      if (typeof remaining === 'number' && remaining <= 0) {
        const window = windows[budget];
        const interval = window?.intervalMs ?? (typeof intervalMs === 'number' && intervalMs > 0 ? intervalMs : null);
        if (interval !== null) {
          // The window the remote counted is full (over by -remaining). Whoever else shares the
          // budget, its oldest requests are no newer than ours: `1 - remaining` slots are free
          // once that many of ours in it have left the window. Without enough of ours in it,
          // only a whole interval is sure to empty it.
          const ours = starts[budget].filter((at) => at > start.startedAt - interval && at <= start.startedAt);
          const need = 1 - Math.floor(remaining);
          const until = ours.length >= need ? ours[need - 1]! + interval : start.startedAt + interval;
          pause(budget, until - now());
        }
      }
      if (isPositiveInteger(reading.dailyMax) && dailyMax === null) dailyMax = reading.dailyMax;
      if (typeof reading.dailyRemaining === 'number' && Number.isFinite(reading.dailyRemaining)) {
        // The remote counted up to this request; the ones started since are not in its count.
        dailyRemaining = reading.dailyRemaining - (sequence - start.sequence);
        checkCircuit();
      }
    },
    openCircuit() {
      circuitOpen = true;
      dailyRemaining = 0;
    },
    resetDaily(remaining?: number) {
      circuitOpen = false;
      dailyRemaining = remaining ?? dailyMax;
      checkCircuit();
    },
    get circuitOpen() {
      return circuitOpen;
    },
    get dailyRemaining() {
      return dailyRemaining;
    },
    pausedUntil(budget: Budget) {
      return pauses[budget].until;
    },
  };
}
