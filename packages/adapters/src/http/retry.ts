/**
 * The retry loop every remote shares (REST store, HubSpot, Salesforce, sync): attempts made
 * again after the delays of the shared policy ({@link retryDelay}: `Retry-After` honoured and
 * capped, else exponential backoff with full jitter), only for work that may be done twice,
 * only for failures an attempt marks {@link retryable}. Transport-agnostic: the attempt makes
 * the request and says what went wrong.
 *
 * @example
 * ```ts
 * const page = await withRetry({
 *   idempotent: true,
 *   signal,
 *   async attempt() {
 *     const response = await fetch(url, { signal })
 *     if (response.ok) return response.json()
 *     const error = new Error(`GET ${url}: ${response.status}`)
 *     if (!isRetryableStatus(response.status)) throw error
 *     throw retryable(error, parseRetryAfter(response.headers.get('retry-after'), new Date()))
 *   },
 * })
 * ```
 *
 * @module
 */
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, retryDelay } from './retryPolicy.js';

/** What an attempt throws for a failure that another attempt may mend. Made by {@link retryable}. */
export class RetryableFailure {
  /** The failure itself: what the caller gets when no attempt is left. */
  readonly error: unknown;
  /** How long the server asked to wait (`Retry-After`), in milliseconds, or `null`. */
  readonly retryAfterMs: number | null;
  constructor(error: unknown, retryAfterMs: number | null) {
    this.error = error;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Marks a failure as worth another attempt: throw what this returns from an attempt. Anything
 * else an attempt throws ends the retries at once.
 *
 * @param error - what the caller gets if this was the last attempt
 * @param retryAfterMs - the server's `Retry-After` (from `parseRetryAfter`), which replaces the backoff
 */
export function retryable(error: unknown, retryAfterMs: number | null = null): RetryableFailure {
  return new RetryableFailure(error, retryAfterMs);
}

/** What {@link RetryPolicy.onRetry} is told before each wait. */
export interface RetryEvent {
  /** The retry about to be made: `1` for the first. */
  retry: number;
  /** How long the wait before it is, in milliseconds. */
  delayMs: number;
  /** The failure of the attempt before it. */
  error: unknown;
}

/** How failed attempts are retried: the same for every request of a remote. */
export interface RetryPolicy {
  /**
   * How many times a failed attempt is made again (so `limit + 1` attempts at most).
   * @default 2
   */
  limit?: number;
  /**
   * The backoff's first step, in milliseconds; each retry doubles the ceiling (with full jitter).
   * @default 300
   */
  baseMs?: number;
  /**
   * The longest wait between two attempts, in milliseconds, for backoff and `Retry-After` alike.
   * @default 30_000
   */
  maxMs?: number;
  /**
   * A source of numbers in `[0, 1)` for the jitter, replaceable in tests.
   * @default Math.random
   */
  random?: () => number;
  /**
   * Ends a wait between attempts early: no attempt follows, and the last failure is thrown.
   * An attempt in flight is the attempt's to abort (pass the same signal to its request).
   */
  signal?: AbortSignal;
  /** Told before each wait (for logs and metrics). */
  onRetry?: (event: RetryEvent) => void;
}

/** Options of {@link withRetry}: the policy, and the work. */
export interface WithRetryOptions<T> extends RetryPolicy {
  /**
   * Makes one attempt; `attempt` is `0` for the first. Resolve with the result; throw
   * {@link retryable}`(error, retryAfterMs)` to try again, anything else to stop.
   */
  attempt: (attempt: number) => Promise<T>;
  /**
   * Whether doing the work twice has the same effect as doing it once (a read, a `PUT`): work
   * that is not is made once, never retried blindly (a retried create could create twice).
   */
  idempotent: boolean;
}

/** The policy checked and filled in; messages name the option. */
function normalize(policy: RetryPolicy): Required<Omit<RetryPolicy, 'signal' | 'onRetry' | 'random'>> & RetryPolicy {
  const { limit = 2, baseMs = DEFAULT_RETRY_BASE_MS, maxMs = DEFAULT_RETRY_MAX_MS } = policy;
  if (!Number.isInteger(limit) || limit < 0) throw new TypeError('retry: `limit` must be a whole number, 0 or more');
  if (!(baseMs >= 0) || !(maxMs >= 0)) throw new TypeError('retry: `baseMs` and `maxMs` must be milliseconds, 0 or more');
  if (policy.random !== undefined && typeof policy.random !== 'function') throw new TypeError('retry: `random` must be a function');
  return { ...policy, limit, baseMs, maxMs };
}

/**
 * Makes `attempt` until it succeeds, it fails in a way that is not {@link retryable}, the
 * policy's `limit` of retries is spent, or `signal` aborts a wait. Rejects with the last
 * failure itself (never the {@link RetryableFailure} wrapper).
 */
export async function withRetry<T>(options: WithRetryOptions<T>): Promise<T> {
  const { attempt, idempotent } = options;
  const { limit, baseMs, maxMs, random, signal, onRetry } = normalize(options);
  const retries = idempotent ? limit : 0;
  for (let n = 0; ; n++) {
    let failure: RetryableFailure;
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof RetryableFailure)) throw error;
      failure = error;
    }
    if (n >= retries || signal?.aborted) throw failure.error;
    const delayMs = retryDelay({ attempt: n + 1, retryAfterMs: failure.retryAfterMs, baseMs, maxMs, ...(random ? { random } : {}) });
    onRetry?.({ retry: n + 1, delayMs, error: failure.error });
    await sleep(delayMs, signal);
    if (signal?.aborted) throw failure.error;
  }
}

/**
 * A retrier with one policy for all of a remote's requests (its limit, backoff and close signal):
 * each call gives the work and whether it may be done twice.
 *
 * @example
 * ```ts
 * const retry = createRetryer({ limit: 3, signal: closer.signal })
 * const contact = await retry({ idempotent: true, attempt: () => getContact(id) })
 * ```
 */
export function createRetryer(policy: RetryPolicy = {}): <T>(options: Pick<WithRetryOptions<T>, 'attempt' | 'idempotent'>) => Promise<T> {
  const checked = normalize(policy);
  return (options) => withRetry({ ...checked, ...options });
}

/**
 * Resolves after `ms` milliseconds, or at once when `signal` aborts (never rejects). The timer
 * is cleared either way, so a wait never holds a process open after an abort.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
