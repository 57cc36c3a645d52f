import * as z from 'zod/mini';

import { canonicalLocale, isStorableText } from './plain.js';

export { canonicalLocale, isStorableText };

/**
 * A check with our own message and code. Every rule of ours is one of these (rather than zod's
 * regex, length and number checks, each of which adds its own code to every bundle).
 */
export function rule<T>(test: (value: T) => boolean, message: string, code = 'invalid') {
  return z.superRefine((value: T, ctx) => {
    if (!test(value)) ctx.issues.push({ code: 'custom', message, input: value, params: { code } });
  });
}

/** A string matching `pattern`. */
export function pattern(regex: RegExp, message: string) {
  return z.string().check(rule((value: string) => regex.test(value), message, 'invalid_format'));
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number, message = `must be a whole number from ${min} to ${max}`) {
  return z.number().check(rule((n: number) => Number.isInteger(n) && n >= min && n <= max, message, 'out_of_range'));
}

/**
 * Plain text (never HTML: widgets escape it when they render it), trimmed, between `min` and
 * `max` UTF-16 code units.
 */
export function text(max: number, min = 0) {
  const tooShort = min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
  const tooLong = `must be at most ${max} characters`;
  // One check instead of four: this runs for every text field of every record.
  return z.string().check(
    z.trim(),
    z.superRefine((value: string, ctx) => {
      const message =
        value.length < min
          ? tooShort
          : value.length > max
          ? tooLong
          : isStorableText(value)
          ? null
          : 'contains a NUL character or an unpaired surrogate';
      if (message !== null) ctx.issues.push({ code: 'custom', message, input: value });
    }),
  );
}

/** What a record id looks like. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A record id: 1–64 letters, digits, `_` or `-`. SDK-assigned ids are ULIDs. */
export const IdSchema = pattern(ID_PATTERN, 'invalid id: expected 1-64 letters, digits, "_" or "-"');

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Years a stored timestamp may have: four digits, so stored timestamps sort as strings. */
const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** Parses a `Date` or an ISO 8601 date-time with an explicit offset into epoch milliseconds (NaN if invalid). */
export function toEpochMs(value: string | Date): number {
  const ms = value instanceof Date ? value.getTime() : parseIso(value);
  return ms >= MIN_MS && ms <= MAX_MS ? ms : Number.NaN;
}

const digit = (value: string, at: number) => value.charCodeAt(at) - 48;
const two = (value: string, at: number) => {
  const a = digit(value, at);
  const b = digit(value, at + 1);
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
};

/** The stored form `YYYY-MM-DDTHH:mm:ss.sssZ`, read without a regex or allocation (the hot path of ingest). */
function parseCanonical(value: string): number {
  if (
    value.length !== 24 ||
    value[4] !== '-' ||
    value[7] !== '-' ||
    value[10] !== 'T' ||
    value[13] !== ':' ||
    value[16] !== ':' ||
    value[19] !== '.' ||
    value[23] !== 'Z'
  ) {
    return Number.NaN;
  }
  const year = two(value, 0) * 100 + two(value, 2);
  const month = two(value, 5);
  const day = two(value, 8);
  const hour = two(value, 11);
  const minute = two(value, 14);
  const second = two(value, 17);
  const ms = two(value, 20) * 10 + digit(value, 22);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  // NaN fails every comparison below, so a non-digit anywhere ends up here too.
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! + leap)) return Number.NaN;
  if (!(hour <= 23 && minute <= 59 && second <= 59 && ms >= 0 && ms <= 999)) return Number.NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date, in integer arithmetic (H. Hinnant's
 * `days_from_civil`): several times faster than `Date.UTC`, which matters where every activity
 * entry's timestamp is read (SLA status, ingest).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

function parseIso(value: string): number {
  const canonical = parseCanonical(value);
  if (!Number.isNaN(canonical)) return canonical;
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return Number.NaN;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]! + leap) return Number.NaN;
  if (+m[4]! > 23 || +m[5]! > 59 || (m[6] !== undefined && +m[6] > 59)) return Number.NaN;
  return Date.parse(value);
}

/** Matches timestamps already in the stored form, which need no reformatting. */
export const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const TIMESTAMP_HINT = 'expected an ISO 8601 date-time with an offset, such as "2026-05-01T09:30:00Z", or a Date';

/**
 * A schema that checks a value with `check` (which reports problems) and then rewrites it with
 * `normalize` (which may change its type, as in `Date` → string). Built from checks rather than
 * zod's pipe and transform, which would add their weight to every bundle.
 */
export function normalized<In, Out>(
  base: z.ZodMiniType<unknown, unknown>,
  check: (value: In) => string | null,
  normalize: (value: In) => Out,
): z.ZodMiniType<Out, In> {
  return base.check(
    z.superRefine((value: unknown, ctx) => {
      const message = check(value as In);
      if (message !== null) ctx.issues.push({ code: 'custom', message, input: value });
    }),
    z.overwrite((value: unknown) => normalize(value as In) as unknown),
  ) as unknown as z.ZodMiniType<Out, In>;
}

/** An instant, accepted as a `Date` or an ISO 8601 string with an offset, stored as a UTC ISO string. */
export const TimestampSchema = normalized<string | Date, string>(
  z.custom((v) => typeof v === 'string' || v instanceof Date, TIMESTAMP_HINT),
  (value) => (Number.isNaN(toEpochMs(value)) ? `invalid date-time: ${TIMESTAMP_HINT}` : null),
  (value) => {
    if (typeof value === 'string' && CANONICAL_TIMESTAMP.test(value)) return value;
    const ms = toEpochMs(value);
    return Number.isNaN(ms) ? String(value) : new Date(ms).toISOString();
  },
);

/** A stored timestamp: a UTC ISO 8601 string as produced by `Date.prototype.toISOString`. */
export const IsoTimestampSchema = /* @__PURE__ */ (() =>
  pattern(CANONICAL_TIMESTAMP, 'expected a UTC ISO 8601 timestamp such as "2026-05-01T09:30:00.000Z"'))();

/** A BCP 47 language tag such as `en`, `zh-TW` or `ms-MY`, stored in canonical case. */
export const LocaleSchema = normalized<string, string>(
  z.string(),
  (tag) => (tag.length <= 35 && canonicalLocale(tag) !== null ? null : 'unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"'),
  (tag) => (tag.length <= 35 && canonicalLocale(tag)) || tag,
);

const zoneCache = new Map<string, boolean>();

/** Whether the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  let known = zoneCache.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = zone.length > 0;
    } catch {
      known = false;
    }
    if (zoneCache.size > 1000) zoneCache.clear();
    zoneCache.set(zone, known);
  }
  return known;
}

/** An IANA time zone name such as `Europe/Rome`. */
export const TimeZoneSchema = z.string().check(
  z.superRefine((zone, ctx) => {
    if (zone.length > 64 || !isTimeZone(zone)) {
      ctx.issues.push({ code: 'custom', message: 'unknown IANA time zone: expected a name such as "Europe/Rome"', input: zone });
    }
  }),
);

/**
 * What an email address looks like: the pattern zod uses by default for `z.email()` (practical,
 * not the full RFC 5322 grammar), kept here so the ingest fast path checks exactly the same thing.
 */
export const EMAIL_PATTERN = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;

/** An email address, stored in lower case. */
export const EmailSchema = z.string().check(
  z.trim(),
  rule((email: string) => email.length <= 254 && EMAIL_PATTERN.test(email), 'invalid email address', 'invalid_format'),
  z.toLowerCase(),
);

/** A phone number: digits with optional `+`, spaces and `()-./` separators. Prefer E.164 (`+39 06 1234 5678`). */
export const PhoneSchema = z.string().check(
  z.trim(),
  rule(
    (phone: string) => /^\+?[0-9][0-9 ()./-]{2,31}$/.test(phone),
    'invalid phone number: expected digits with an optional leading "+"',
    'invalid_format',
  ),
);

/** A local time of day, `HH:MM`, 24-hour clock; `24:00` is the end of the day. */
export const TimeOfDaySchema = pattern(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a time of day as "HH:MM"');

const SYSTEM_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Ids of the same record in other systems: `{ hubspot: "123", salesforce: "003…" }`. */
export const ExternalIdsSchema = z
  .custom<Record<string, string>>(
    (value) => typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype,
    'expected an object of ids by system name',
  )
  .check(
    // Checked by hand rather than with z.record, which would cost every bundle half a kilobyte.
    z.superRefine((ids: Record<string, string>, ctx) => {
      const entries = Object.entries(ids);
      if (entries.length > 20) ctx.issues.push({ code: 'custom', message: 'must have at most 20 systems', input: ids });
      for (const [system, id] of entries) {
        const message = !SYSTEM_NAME.test(system)
          ? 'expected a system name in lower case, such as "hubspot"'
          : typeof id !== 'string' || id.length === 0 || id.length > 255 || id.trim() !== id || !isStorableText(id)
          ? 'expected an id of 1 to 255 characters without surrounding spaces'
          : null;
        if (message) ctx.issues.push({ code: 'custom', message, input: id, path: [system] });
      }
    }),
    // A copy, so the stored record never shares (and freezes) the caller's object.
    z.overwrite((ids: Record<string, string>) => ({ ...ids })),
  );

/** The channels through which a customer can be contacted. */
export const CHANNELS = ['call', 'email', 'meeting', 'visit', 'letter', 'chat', 'sms', 'web_form', 'self_service'] as const;
/** A channel through which a customer can be contacted. */
export const ChannelSchema = z.enum(CHANNELS);
/** A contact channel. */
export type Channel = z.output<typeof ChannelSchema>;

/** An array of at most `max` items. */
export function list<T extends z.ZodMiniType>(item: T, max: number) {
  return z.array(item).check(rule((items: unknown[]) => items.length <= max, `must have at most ${max} items`, 'too_big'));
}
