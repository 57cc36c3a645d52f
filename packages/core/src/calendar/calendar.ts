import { CrmValidationError, formatPath, type ValidationIssue } from '../errors/validationError.js';
import { toEpochMs } from '../schemas/primitives.js';
import { parseOrThrow } from '../schemas/parse.js';
import { CalendarSpecSchema, WEEKDAYS, type CalendarSpec, type CalendarSpecInput } from '../schemas/calendar.js';
import { zone, type Zone } from './zone.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK_MINUTES = 7 * 1440;
/** Local days per block of precomputed opening intervals. */
const BLOCK_DAYS = 32;
/** Blocks kept per calendar before the cache starts over. */
const MAX_BLOCKS = 4096;
/** The longest span a calculation may cover: a hundred years of business minutes or of searching. */
export const MAX_BUSINESS_MINUTES = 100 * 366 * 1440;
const MAX_BLOCK_STEPS = Math.ceil((100 * 366) / BLOCK_DAYS);

/** An instant: a `Date`, or an ISO 8601 string with an offset (`2026-03-08T09:00:00-05:00`). */
export type Instant = Date | string;

/**
 * Business hours in a time zone, with holidays: the clock that SLA targets run on. Create one
 * with {@link businessCalendar}.
 *
 * Conventions, the same for every method:
 * - Opening intervals are half-open: open at the opening instant, closed at the closing instant.
 * - Time is real elapsed time between instants. A day open around the clock on the autumn DST
 *   change counts 25 hours; a local opening or closing time that falls in a spring-forward gap
 *   moves forward by the length of the gap (Temporal's `compatible` disambiguation), and one that
 *   falls in a repeated hour means the earlier of the two instants.
 * - A holiday closes its local date from 00:00 to 24:00, including the after-midnight part of an
 *   overnight interval that began the evening before.
 * - Inputs are `Date`s or ISO 8601 strings with an offset; outputs are `Date`s. Milliseconds are kept.
 */
export interface BusinessCalendar {
  /** The validated specification (holidays sorted, durations normalised). */
  readonly spec: CalendarSpec;
  /** The IANA time zone the hours and holidays are in. */
  readonly timeZone: string;
  /**
   * The **latest** instant at which exactly `minutes` business minutes have elapsed since
   * `start`. A clock started while closed begins at the next opening. When the budget runs out
   * exactly at a closing time the result is the next opening, so "done at or before the result"
   * holds exactly when the business time taken is within `minutes`; `addBusinessTime(t, 0)` at a
   * closed instant is the next opening. `minutes` may be fractional (kept to the millisecond).
   *
   * @example
   * ```ts
   * const cal = businessCalendar({ timeZone: 'Europe/Rome', hours: { mon: [['09:00', '17:00']] } });
   * cal.addBusinessTime('2026-11-23T16:00:00+01:00', 120).toISOString(); // → '2026-11-30T09:00:00.000Z'
   * ```
   */
  addBusinessTime(start: Instant, minutes: number): Date;
  /**
   * Business minutes between two instants: the open time in `[from, to)`, fractional minutes
   * kept; negative when `to` is before `from`.
   */
  businessMinutesBetween(from: Instant, to: Instant): number;
  /** Whether the calendar is open at `at` (open at an opening instant, closed at a closing one). */
  isOpen(at: Instant): boolean;
  /** The first instant at or after `at` when the calendar is open: `at` itself when it is open. */
  nextOpen(at: Instant): Date;
  /**
   * {@link BusinessCalendar.addBusinessTime} on epoch milliseconds, without checks or allocation:
   * for hot loops that already hold valid numbers.
   */
  addBusinessMs(startMs: number, ms: number): number;
  /** {@link BusinessCalendar.businessMinutesBetween} on epoch milliseconds, in milliseconds, without checks. */
  businessMsBetween(fromMs: number, toMs: number): number;
}

/** Precomputed opening intervals of {@link BLOCK_DAYS} local days, as epoch ms. */
interface Block {
  /** The block's index: local days [k × BLOCK_DAYS, (k + 1) × BLOCK_DAYS) since 1970-01-01. */
  readonly k: number;
  /** First instant of the block (local midnight of its first day). */
  readonly lo: number;
  /** First instant after the block. */
  readonly hi: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Business ms in the block before each interval. */
  readonly before: Float64Array;
  /** Business ms in the whole block. */
  readonly total: number;
}

/** Weekly opening intervals in minutes since local midnight of their day; an end past 1440 runs into the next day. */
type WeekTemplate = readonly (readonly (readonly [number, number])[])[];

function minutesOf(time: string): number {
  return +time.slice(0, 2) * 60 + +time.slice(3, 5);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date, or NaN when there is no such date. */
function dayNumber(date: string): number {
  const y = +date.slice(0, 4);
  const m = +date.slice(5, 7);
  const d = +date.slice(8, 10);
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  return check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? ms / DAY : Number.NaN;
}

/** The semantic checks a schema cannot express: empty and overlapping intervals, a never-open week, real dates. */
function checkSpec(spec: CalendarSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const issue = (path: (string | number)[], message: string, code = 'invalid') =>
    issues.push({ path, field: formatPath(path), code, message });
  spec.holidays.forEach((date, i) => {
    if (Number.isNaN(dayNumber(date))) issue(['holidays', i], `${date} is not a calendar date`, 'invalid_date');
  });
  if (spec.hours === '24/7') return issues;
  const week: { from: number; to: number; path: (string | number)[] }[] = [];
  WEEKDAYS.forEach((day, d) => {
    const intervals = (spec.hours as Exclude<CalendarSpec['hours'], '24/7'>)[day] ?? [];
    intervals.forEach(([open, close], i) => {
      const path = ['hours', day, i];
      if (open === '24:00') return issue([...path, 0], 'an interval cannot open at 24:00');
      if (open === close) return issue(path, 'an interval must not be empty (opening and closing times are equal)', 'empty_interval');
      const s = minutesOf(open);
      let e = minutesOf(close);
      if (e < s) e += 1440; // runs past midnight
      week.push({ from: d * 1440 + s, to: d * 1440 + e, path });
    });
  });
  if (issues.some((i) => i.path[0] === 'hours')) return issues;
  if (week.length === 0) issue(['hours'], 'the calendar is never open: give at least one interval, or "24/7"', 'never_open');
  week.sort((a, b) => a.from - b.from);
  for (let i = 0; i < week.length; i++) {
    const a = week[i]!;
    // The next interval, wrapping from Sunday night into Monday.
    const j = (i + 1) % week.length;
    const b = week[j]!;
    const bFrom = j > i ? b.from : b.from + WEEK_MINUTES;
    if (i !== j && a.to > bFrom) {
      issue(b.path, `overlaps ${formatPath(a.path)}`, 'overlap');
    }
  }
  return issues;
}

function toMs(value: Instant, field: string): number {
  const ms = typeof value === 'object' && value instanceof Date ? value.getTime() : typeof value === 'string' ? toEpochMs(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw CrmValidationError.field(
      'calendar input',
      [field],
      'expected a valid Date or an ISO 8601 date-time with an offset, such as "2026-05-01T09:30:00Z"',
      'invalid_date',
    );
  }
  return ms;
}

function checkMinutes(minutes: number): number {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0 || minutes > MAX_BUSINESS_MINUTES) {
    throw CrmValidationError.field(
      'calendar input',
      ['minutes'],
      `expected a number of minutes from 0 to ${MAX_BUSINESS_MINUTES} (a hundred years)`,
      'out_of_range',
    );
  }
  return Math.round(minutes * MINUTE);
}

function tooFar(): never {
  throw new RangeError('The calendar has no open time within a hundred years of this instant');
}

/**
 * A business-hours calendar: opening hours per weekday in an IANA time zone, minus holidays.
 * The spec is validated (unknown zones, malformed or overlapping intervals, impossible dates,
 * a week with no opening hours) and a {@link CrmValidationError} names each bad field.
 * See {@link BusinessCalendar} for the conventions every method follows.
 *
 * @example
 * ```ts
 * const support = businessCalendar({
 *   timeZone: 'Asia/Kuala_Lumpur',
 *   hours: { mon: [['09:00', '12:30'], ['14:00', '18:00']], fri: [['09:00', '12:00'], ['14:30', '17:00']] },
 *   holidays: ['2026-08-31'],
 * });
 * support.isOpen('2026-08-28T06:45:00Z'); // → true (14:45 local, a Friday)
 * ```
 */
export function businessCalendar(input: CalendarSpecInput): BusinessCalendar {
  const spec = parseOrThrow(CalendarSpecSchema, input, 'calendar');
  const issues = checkSpec(spec);
  if (issues.length) throw new CrmValidationError('calendar', issues);
  const holidayDays = [...new Set(spec.holidays.map(dayNumber))].sort((a, b) => a - b);
  const normalized: CalendarSpec = { ...spec, holidays: [...new Set(spec.holidays)].sort() };

  const tz: Zone = zone(spec.timeZone);
  const template: WeekTemplate = WEEKDAYS.map((day) => {
    if (spec.hours === '24/7') return [[0, 1440] as const];
    return (spec.hours[day] ?? []).map(([open, close]) => {
      const s = minutesOf(open);
      const e = minutesOf(close);
      return [s, e <= s ? e + 1440 : e] as const;
    });
  });
  // Always open, no holidays: business time is elapsed time.
  const alwaysOpen = spec.hours === '24/7' && holidayDays.length === 0;
  const blocks = new Map<number, Block>();

  function buildBlock(k: number): Block {
    const firstDay = k * BLOCK_DAYS;
    const lo = tz.toUtc(firstDay * DAY);
    const hi = tz.toUtc((firstDay + BLOCK_DAYS) * DAY);
    const raw: [number, number][] = [];
    // From the day before, whose overnight intervals may reach into the block.
    for (let d = firstDay - 1; d < firstDay + BLOCK_DAYS; d++) {
      // 1970-01-01 was a Thursday: index 3 of mon…sun.
      const weekday = (((d + 3) % 7) + 7) % 7;
      for (const [s, e] of template[weekday]!) {
        const a = Math.max(lo, tz.toUtc(d * DAY + s * MINUTE));
        const b = Math.min(hi, tz.toUtc(d * DAY + e * MINUTE));
        if (a < b) raw.push([a, b]);
      }
    }
    raw.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const iv of raw) {
      const last = merged[merged.length - 1];
      if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    // Holidays close whole local days.
    let open = merged;
    for (const h of holidayDays) {
      if (h < firstDay || h >= firstDay + BLOCK_DAYS) continue;
      const cs = tz.toUtc(h * DAY);
      const ce = tz.toUtc((h + 1) * DAY);
      const next: [number, number][] = [];
      for (const [a, b] of open) {
        if (b <= cs || a >= ce) next.push([a, b]);
        else {
          if (a < cs) next.push([a, cs]);
          if (b > ce) next.push([ce, b]);
        }
      }
      open = next;
    }
    const n = open.length;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const before = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      starts[i] = open[i]![0];
      ends[i] = open[i]![1];
      before[i] = total;
      total += open[i]![1] - open[i]![0];
    }
    return { k, lo, hi, starts, ends, before, total };
  }

  function block(k: number): Block {
    let b = blocks.get(k);
    if (!b) {
      if (blocks.size >= MAX_BLOCKS) blocks.clear();
      b = buildBlock(k);
      blocks.set(k, b);
    }
    return b;
  }

  // The block used last: most calls of a run land in it (SLA clocks over the same weeks).
  let last: Block | null = null;

  /** The block holding instant `t`. */
  function blockAt(t: number): Block {
    if (last !== null && t >= last.lo && t < last.hi) return last;
    let k = Math.floor((t + tz.offsetAt(t)) / DAY / BLOCK_DAYS);
    // The local-day guess is right except around offset changes at block edges.
    while (t < block(k).lo) k--;
    while (t >= block(k).hi) k++;
    last = block(k);
    return last;
  }

  /** The first interval of `b` that ends after `t`, or `b.starts.length` if none does. */
  function firstEndingAfter(b: Block, t: number): number {
    const ends = b.ends;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Business ms in block `b` before instant `t` (which lies in the block). */
  function position(b: Block, t: number): number {
    const i = firstEndingAfter(b, t);
    if (i === b.starts.length) return b.total;
    return b.before[i]! + Math.max(0, t - b.starts[i]!);
  }

  /** The instant at business position `p` (ms) from the start of block `k`, latest-instant convention. */
  function instantAt(k: number, p: number): number {
    for (let steps = 0; steps <= MAX_BLOCK_STEPS; steps++, k++) {
      const b = k === last?.k ? last : block(k);
      if (p < b.total) {
        // The first interval whose end position is beyond p.
        const { before, starts, ends } = b;
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (before[mid]! + (ends[mid]! - starts[mid]!) <= p) lo = mid + 1;
          else hi = mid;
        }
        return starts[lo]! + (p - before[lo]!);
      }
      p -= b.total;
    }
    return tooFar();
  }

  function add(t: number, ms: number): number {
    if (alwaysOpen) return t + ms;
    const b = blockAt(t);
    return instantAt(b.k, position(b, t) + ms);
  }

  function between(from: number, to: number): number {
    // `|| 0`: a backwards span with no open time is 0, not -0 (which `Object.is`/`toBe(0)` tell apart).
    if (to < from) return -between(to, from) || 0;
    if (alwaysOpen) return to - from;
    const bf = blockAt(from);
    const bt = blockAt(to);
    if (bt.k - bf.k > MAX_BLOCK_STEPS) tooFar();
    let ms = position(bt, to) - position(bf, from);
    for (let k = bf.k; k < bt.k; k++) ms += block(k).total;
    return ms;
  }

  function open(t: number): boolean {
    if (alwaysOpen) return true;
    const b = blockAt(t);
    const i = firstEndingAfter(b, t);
    return i < b.starts.length && b.starts[i]! <= t;
  }

  return {
    spec: normalized,
    timeZone: spec.timeZone,
    addBusinessTime(start, minutes) {
      return new Date(add(toMs(start, 'start'), checkMinutes(minutes)));
    },
    businessMinutesBetween(from, to) {
      return between(toMs(from, 'from'), toMs(to, 'to')) / MINUTE;
    },
    isOpen(at) {
      return open(toMs(at, 'at'));
    },
    nextOpen(at) {
      return new Date(add(toMs(at, 'at'), 0));
    },
    addBusinessMs: add,
    businessMsBetween: between,
  };
}
