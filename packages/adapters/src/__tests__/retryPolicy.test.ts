import { describe, expect, it } from 'vitest';
import { CrmRemoteError, isIdempotentMethod, isRetryableStatus, parseRetryAfter, retryDelay } from '../index.js';

describe('isRetryableStatus', () => {
  it('retries exactly 408, 413, 429, 500, 502, 503 and 504', () => {
    const retryable = [];
    for (let status = 100; status < 600; status++) if (isRetryableStatus(status)) retryable.push(status);
    expect(retryable).toEqual([408, 413, 429, 500, 502, 503, 504]);
  });
});

describe('isIdempotentMethod', () => {
  it('accepts GET, HEAD, PUT, DELETE and OPTIONS in any case', () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'get', 'Delete']) expect(isIdempotentMethod(method)).toBe(true);
  });
  it('never retries creates or partial updates', () => {
    for (const method of ['POST', 'PATCH', 'post', 'CONNECT', 'TRACE', '']) expect(isIdempotentMethod(method)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2015-10-21T07:28:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 5 ', now)).toBe(5_000);
  });

  it('reads an IMF-fixdate HTTP-date relative to now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 22 Oct 2015 07:28:00 GMT', now)).toBe(86_400_000);
  });

  it('reads the obsolete RFC 850 and asctime forms', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:29:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed Oct 21 07:28:02 2015', now)).toBe(2_000);
    expect(parseRetryAfter('Wed Oct  1 00:00:00 2015', new Date('2015-09-30T23:59:59Z'))).toBe(1_000);
  });

  it('gives 0, never a negative delay, for a date in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it('gives null when the header is absent or garbage', () => {
    for (const garbage of [
      null,
      '',
      '   ',
      'soon',
      'foo 1',
      '-3',
      '1.5',
      '1e3',
      '0x10',
      'Oct 5',
      '2015-10-21T07:28:30Z',
      'Wed, 31 Feb 2015 07:28:30 GMT',
      'Wed, 21 Oct 2015 24:00:00 GMT',
      'Wed, 21 Oct 2015 07:28:30 PST',
    ]) {
      expect(parseRetryAfter(garbage, now), String(garbage)).toBeNull();
    }
  });
});

describe('retryDelay', () => {
  it('uses full jitter under an exponential ceiling', () => {
    expect(retryDelay({ attempt: 1, random: () => 0.5 })).toBe(150);
    expect(retryDelay({ attempt: 2, random: () => 0.5 })).toBe(300);
    expect(retryDelay({ attempt: 3, random: () => 0.5 })).toBe(600);
    expect(retryDelay({ attempt: 3, random: () => 0 })).toBe(0);
    expect(retryDelay({ attempt: 3, random: () => 0.999_999 })).toBe(1199);
  });

  it('caps the ceiling at maxMs', () => {
    expect(retryDelay({ attempt: 20, random: () => 0.5 })).toBe(15_000);
    expect(retryDelay({ attempt: 4, baseMs: 1_000, maxMs: 5_000, random: () => 0.5 })).toBe(2_500);
  });

  it('honours Retry-After instead of the backoff, capped at maxMs', () => {
    const noRandom = () => {
      throw new Error('jitter must not be used when the server said when to retry');
    };
    expect(retryDelay({ attempt: 1, retryAfterMs: 2_000, random: noRandom })).toBe(2_000);
    expect(retryDelay({ attempt: 1, retryAfterMs: 0, random: noRandom })).toBe(0);
    expect(retryDelay({ attempt: 1, retryAfterMs: 120_000, random: noRandom })).toBe(30_000);
    expect(retryDelay({ attempt: 1, retryAfterMs: 120_000, maxMs: 60_000, random: noRandom })).toBe(60_000);
  });

  it('falls back to the backoff when Retry-After was absent or garbage', () => {
    const retryAfterMs = parseRetryAfter('later', new Date());
    expect(retryDelay({ attempt: 2, retryAfterMs, random: () => 0.5 })).toBe(300);
  });

  it('stays within [0, ceiling) with the default random', () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelay({ attempt: 3 });
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1_200);
    }
  });
});

describe('CrmRemoteError', () => {
  it('is re-exported from @crm/core', async () => {
    const core = await import('@crm/core');
    expect(CrmRemoteError).toBe(core.CrmRemoteError);
  });
});
