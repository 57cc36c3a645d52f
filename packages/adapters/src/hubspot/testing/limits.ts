/** HubSpot's rate limits: a rolling burst window per app, a daily counter, search per second. */
import type { HubSpotRateLimitOptions } from './types.js';

/** The outcome of a rate check. */
export type RateDecision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; policy: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY'; message: string; headers: Record<string, string> };

/** Messages of the 429 bodies (the official client matches the secondly one to decide to retry). */
export const RATE_MESSAGES = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  DAILY: 'You have reached your daily limit.',
  SECONDLY: 'You have reached your secondly limit.',
} as const;

const DAY = 86_400_000;

/** Creates a limiter; `false` never limits and sends no headers. */
export function createLimiter(options: false | HubSpotRateLimitOptions | undefined, now: () => number) {
  const enabled = options !== false;
  const o = options === false || options === undefined ? {} : options;
  const max = o.max ?? 100;
  const intervalMs = o.intervalMs ?? 10_000;
  const daily = o.daily ?? 250_000;
  const perSecond = o.searchPerSecond ?? 5;
  const retryAfter = o.retryAfter ?? false;
  let window: number[] = [];
  let searches: number[] = [];
  let day = -1;
  let dayCount = 0;

  const rollDay = (at: number): void => {
    const d = Math.floor(at / DAY);
    if (d !== day) {
      day = d;
      dayCount = 0;
    }
  };

  const burstHeaders = (staticToken: boolean): Record<string, string> => {
    const h: Record<string, string> = {
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, max - window.length)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(intervalMs),
    };
    if (staticToken) {
      h['X-HubSpot-RateLimit-Daily'] = String(daily);
      h['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, daily - dayCount));
    }
    return h;
  };

  return {
    /** Counts a non-search request, or refuses it (a refused request is not counted). */
    request(staticToken: boolean): RateDecision {
      if (!enabled) return { ok: true, headers: {} };
      const at = now();
      rollDay(at);
      window = window.filter((t) => t > at - intervalMs);
      if (dayCount >= daily) {
        const headers = burstHeaders(staticToken);
        if (retryAfter) headers['Retry-After'] = String(Math.max(1, Math.ceil(((day + 1) * DAY - at) / 1000)));
        return { ok: false, policy: 'DAILY', message: RATE_MESSAGES.DAILY, headers };
      }
      if (window.length >= max) {
        const headers = burstHeaders(staticToken);
        const oldest = window[0] ?? at;
        if (retryAfter) headers['Retry-After'] = String(Math.max(1, Math.ceil((oldest + intervalMs - at) / 1000)));
        return { ok: false, policy: 'TEN_SECONDLY_ROLLING', message: RATE_MESSAGES.TEN_SECONDLY_ROLLING, headers };
      }
      window.push(at);
      dayCount += 1;
      return { ok: true, headers: burstHeaders(staticToken) };
    },
    /** Counts a search request (its own per-second window; no headers), or refuses it. */
    search(): RateDecision {
      if (!enabled) return { ok: true, headers: {} };
      const at = now();
      searches = searches.filter((t) => t > at - 1000);
      if (searches.length >= perSecond) {
        return { ok: false, policy: 'SECONDLY', message: RATE_MESSAGES.SECONDLY, headers: retryAfter ? { 'Retry-After': '1' } : {} };
      }
      searches.push(at);
      return { ok: true, headers: {} };
    },
    /** Headers of a spurious (fault) 429. */
    faultHeaders(staticToken: boolean): Record<string, string> {
      if (!enabled) return retryAfter ? { 'Retry-After': '1' } : {};
      const h: Record<string, string> = { ...burstHeaders(staticToken), 'X-HubSpot-RateLimit-Remaining': '0' };
      if (retryAfter) h['Retry-After'] = String(Math.ceil(intervalMs / 1000));
      return h;
    },
  };
}
