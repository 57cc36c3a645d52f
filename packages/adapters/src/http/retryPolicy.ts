/**
 * The one HTTP retry policy every remote (REST store, HubSpot, Salesforce, sync) shares, after
 * ky's defaults: only idempotent methods are retried, only on statuses that may succeed later,
 * `Retry-After` is honoured (capped), and otherwise delays grow exponentially with full jitter.
 * Creates (`POST`, `PATCH`) are never retried blindly.
 *
 * @module
 */

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 413, 429, 500, 502, 503, 504]);
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** The default first backoff step, in milliseconds. */
export const DEFAULT_RETRY_BASE_MS = 300;
/** The default longest delay between two attempts, in milliseconds. */
export const DEFAULT_RETRY_MAX_MS = 30_000;

/**
 * Whether a response with this status may succeed if the same request is sent again later:
 * 408 Request Timeout, 413 Content Too Large (servers send it with `Retry-After` when
 * temporarily overloaded), 429 Too Many Requests, and 500, 502, 503, 504.
 *
 * @example
 * ```ts
 * isRetryableStatus(429) // → true
 * isRetryableStatus(404) // → false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Whether sending a request with this method twice has the same effect as sending it once
 * (GET, HEAD, PUT, DELETE, OPTIONS), so it may be retried. Case-insensitive.
 *
 * @example
 * ```ts
 * isIdempotentMethod('get') // → true
 * isIdempotentMethod('POST') // → false: a retried create could create twice
 * ```
 */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * How long a `Retry-After` header asks to wait, in milliseconds from `now`. Accepts both forms
 * of the header: delta-seconds (`"120"`) and an HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`).
 * A date in the past gives `0`; the result is never negative.
 *
 * @param header - the header's value, or `null` when the response had none
 * @param now - the current time, to turn an HTTP-date into a delay
 * @returns the delay in milliseconds, or `null` when the header is absent or not understood
 * @example
 * ```ts
 * parseRetryAfter('120', new Date()) // → 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', new Date('2015-10-21T07:28:00Z')) // → 30000
 * parseRetryAfter('soon', new Date()) // → null
 * ```
 */
export function parseRetryAfter(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = parseHttpDate(value, now);
  return at === null ? null : Math.max(0, at - now.getTime());
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three forms RFC 9110 §5.6.7 tells recipients to accept. `Date.parse` is no substitute: it
// reads "foo 1" as 2001-01-01 and asctime dates in the local time zone.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC_850 = new RegExp(`^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`, 'i');

/** An HTTP-date as epoch milliseconds, or `null` when `value` is not one. */
function parseHttpDate(value: string, now: Date): number | null {
  let m: RegExpExecArray | null;
  let parts: [day: string, month: string, year: number, hours: string, minutes: string, seconds: string];
  if ((m = IMF_FIXDATE.exec(value))) {
    parts = [m[1]!, m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!];
  } else if ((m = RFC_850.exec(value))) {
    // A two-digit year that would be more than 50 years in the future is in the past century.
    const thisYear = now.getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    parts = [m[1]!, m[2]!, year, m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME.exec(value))) {
    parts = [m[2]!, m[1]!, Number(m[6]), m[3]!, m[4]!, m[5]!];
  } else {
    return null;
  }
  const [dayText, monthName, year, hours, minutes, seconds] = parts;
  const month = MONTHS.indexOf(monthName.toLowerCase());
  const day = Number(dayText);
  const date = new Date(0);
  date.setUTCFullYear(year, month, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  // Reject what would roll over (31 Feb, 24:00, 12:60) rather than guessing what was meant.
  if (date.getUTCDate() !== day || Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 60) return null;
  return date.getTime() + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

/** Options of {@link retryDelay}. */
export interface RetryDelayOptions {
  /** Which retry this is: `1` for the first retry after the first failure. */
  attempt: number;
  /**
   * What the response's `Retry-After` asked for, from {@link parseRetryAfter}; when given,
   * it replaces the backoff (capped at `maxMs`).
   * @default null
   */
  retryAfterMs?: number | null;
  /**
   * The backoff's first step, in milliseconds; each retry doubles the ceiling.
   * @default 300
   */
  baseMs?: number;
  /**
   * The longest wait, in milliseconds, for both backoff and `Retry-After`.
   * @default 30_000
   */
  maxMs?: number;
  /**
   * A source of numbers in `[0, 1)`, replaceable in tests.
   * @default Math.random
   */
  random?: () => number;
}

/**
 * How long to wait before retry number `attempt`, in milliseconds. When the server sent
 * `Retry-After`, that wait, capped at `maxMs`. Otherwise exponential backoff with full jitter:
 * a random delay between 0 and `min(maxMs, baseMs · 2^(attempt − 1))`, which spreads retries
 * from many clients instead of having them arrive together.
 *
 * @example
 * ```ts
 * retryDelay({ attempt: 3, random: () => 0.5 }) // → 600 (half of 300 · 2²)
 * retryDelay({ attempt: 1, retryAfterMs: parseRetryAfter('120', new Date()) }) // → 30000 (capped)
 * ```
 */
export function retryDelay({
  attempt,
  retryAfterMs = null,
  baseMs = DEFAULT_RETRY_BASE_MS,
  maxMs = DEFAULT_RETRY_MAX_MS,
  random = Math.random,
}: RetryDelayOptions): number {
  if (retryAfterMs !== null && Number.isFinite(retryAfterMs)) {
    return Math.min(maxMs, Math.max(0, retryAfterMs));
  }
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
