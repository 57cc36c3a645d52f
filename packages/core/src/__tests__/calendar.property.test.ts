import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessCalendar, type BusinessCalendar } from '../calendar/calendar.js';
import type { CalendarSpecInput } from '../schemas/calendar.js';
import { referenceCalendar } from './calendarReference.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK_MINUTES = 7 * 1440;
const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Zones with and without DST, including odd ones: half-hour DST (Lord Howe), changes at midnight (Santiago, Havana), -03:30 (St John's), +05:45, +12:45/+13:45. */
const ZONES = [
  'America/New_York',
  'Europe/Rome',
  'Australia/Sydney',
  'Asia/Taipei',
  'Asia/Shanghai',
  'Asia/Kuala_Lumpur',
  'UTC',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'America/Santiago',
  'America/Havana',
  'Asia/Kathmandu',
  'Pacific/Chatham',
] as const;
type ZoneName = (typeof ZONES)[number];

/** The `n`th (1-based; -1 for the last) Sunday of `month` (1-based) of `year`, as days since 1970-01-01. */
function sunday(year: number, month: number, n: number): number {
  if (n < 0) {
    const last = Date.UTC(year, month, 0) / DAY; // last day of the month
    return last - ((new Date(last * DAY).getUTCDay() + 7) % 7);
  }
  const first = Date.UTC(year, month - 1, 1) / DAY;
  return first + ((7 - new Date(first * DAY).getUTCDay()) % 7) + 7 * (n - 1);
}

/** Roughly when each zone changes its clocks (only used to aim random instants; exactness does not matter). */
const CHANGE_RULES: Record<ZoneName, [month: number, n: number][]> = {
  'America/New_York': [
    [3, 2],
    [11, 1],
  ],
  'America/St_Johns': [
    [3, 2],
    [11, 1],
  ],
  'America/Havana': [
    [3, 2],
    [11, 1],
  ],
  'Europe/Rome': [
    [3, -1],
    [10, -1],
  ],
  'Australia/Sydney': [
    [4, 1],
    [10, 1],
  ],
  'Australia/Lord_Howe': [
    [4, 1],
    [10, 1],
  ],
  'America/Santiago': [
    [4, 1],
    [9, 1],
  ],
  'Pacific/Chatham': [
    [4, 1],
    [9, -1],
  ],
  'Asia/Taipei': [[3, 2]],
  'Asia/Shanghai': [[3, -1]],
  'Asia/Kuala_Lumpur': [[10, -1]],
  UTC: [[4, 1]],
  'Asia/Kathmandu': [[11, 1]],
};

const FIRST_MINUTE = Date.UTC(2024, 0, 1) / MINUTE;
const LAST_MINUTE = Date.UTC(2030, 11, 31) / MINUTE;

/** A whole-minute instant (epoch ms) in 2024–2030, often within two days of a clock change of `zone`. */
function instantNear(zone: ZoneName): fc.Arbitrary<number> {
  const nearChange = fc
    .record({
      year: fc.integer({ min: 2024, max: 2030 }),
      rule: fc.constantFrom(...CHANGE_RULES[zone]),
      minutes: fc.integer({ min: -2 * 1440, max: 2 * 1440 }),
    })
    .map(({ year, rule, minutes }) => sunday(year, rule[0], rule[1]) * DAY + minutes * MINUTE);
  const anywhere = fc.integer({ min: FIRST_MINUTE, max: LAST_MINUTE }).map((m) => m * MINUTE);
  return fc.oneof(nearChange, anywhere);
}

/** Times of day (minutes) around which clocks change, midnight, and ordinary ones. */
const timeOfDay = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(0, 30, 60, 90, 105, 120, 135, 150, 165, 180, 210, 225, 540, 720, 1020, 1320, 1380, 1410) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 95 }).map((q) => q * 15) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1439 }) },
);
const intervalLength = fc.oneof(
  fc.integer({ min: 1, max: 1440 }),
  fc.integer({ min: 1, max: 120 }),
  fc.constantFrom(30, 60, 90, 120, 180, 240, 480, 600, 720, 1439, 1440),
);

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

type Hours = Exclude<CalendarSpecInput['hours'], '24/7'>;
interface GeneratedHours {
  readonly hours: Hours | '24/7';
  /** Business minutes in a week without clock changes or holidays. */
  readonly weekMinutes: number;
}

/**
 * Valid weekly hours: random intervals placed on the week as a circle (an overnight interval
 * spills into the next day, Sunday's into Monday), each kept only when it overlaps none kept
 * before. Days and their intervals come out in no particular order.
 */
const weeklyHours: fc.Arbitrary<GeneratedHours> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .array(fc.record({ day: fc.integer({ min: 0, max: 6 }), start: timeOfDay, length: intervalLength, midnightAsZero: fc.boolean() }), {
        minLength: 1,
        maxLength: 9,
      })
      .map((candidates) => {
        const kept: { from: number; length: number }[] = [];
        const hours: Record<string, [string, string][]> = {};
        for (const { day, start, length: wanted, midnightAsZero } of candidates) {
          // Only an interval opening at 00:00 can last a whole day ("00:00"–"24:00").
          const length = Math.min(wanted, start === 0 ? 1440 : 1439);
          const from = day * 1440 + start;
          const clash = kept.some(
            (k) =>
              (((from - k.from) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES < k.length ||
              (((k.from - from) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES < length,
          );
          if (clash) continue;
          kept.push({ from, length });
          const end = start + length;
          const close = end < 1440 ? hhmm(end) : end === 1440 ? (midnightAsZero && start > 0 ? '00:00' : '24:00') : hhmm(end - 1440);
          (hours[DAY_KEYS[day]!] ??= []).push([hhmm(start), close]);
        }
        return { hours: hours as Hours, weekMinutes: kept.reduce((sum, k) => sum + k.length, 0) };
      }),
  },
  { weight: 1, arbitrary: fc.constant({ hours: '24/7' as const, weekMinutes: WEEK_MINUTES }) },
);

const isoDate = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

interface Case {
  readonly spec: CalendarSpecInput & { holidays: string[]; hours: Hours | '24/7' };
  readonly weekMinutes: number;
  /** A whole-minute instant. */
  readonly start: number;
  /** Whole business minutes to add, kept small enough for the reference to walk. */
  readonly minutes: number;
  /** Whole minutes from `start` to the other end of a span to measure (either sign). */
  readonly span: number;
  /** Move the start onto an opening or closing instant (± a minute) near it. */
  readonly snap: { readonly pick: number; readonly nudge: number } | null;
}

const cases: fc.Arbitrary<Case> = fc.constantFrom(...ZONES).chain((zone) =>
  fc
    .record({
      start: instantNear(zone),
      week: weeklyHours,
      holidayDays: fc.array(fc.integer({ min: -3, max: 16 }), { maxLength: 4 }),
      minutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 3 * 1440 })),
      span: fc.oneof(fc.integer({ min: -3 * 1440, max: 3 * 1440 }), fc.integer({ min: -120, max: 120 })),
      snap: fc.option(fc.record({ pick: fc.nat(), nudge: fc.integer({ min: -1, max: 1 }) }), { freq: 3 }),
    })
    .map(({ start, week, holidayDays, minutes, span, snap }) => {
      const startDay = Math.floor(start / DAY);
      // At most about twice the weekly open time, so that the reference never walks more than a few weeks.
      const cap = Math.min(3 * 1440, 2 * week.weekMinutes);
      return {
        spec: { timeZone: zone, hours: week.hours, holidays: holidayDays.map((d) => isoDate(startDay + d)) },
        weekMinutes: week.weekMinutes,
        start,
        minutes: minutes % (cap + 1),
        span,
        snap,
      };
    }),
);

/** The start of a case, snapped onto an opening or closing instant when the case asks for it. */
function startOf(c: Case, ref: ReturnType<typeof referenceCalendar>): number {
  if (!c.snap) return c.start;
  const day = Math.floor(c.start / DAY);
  const edges: number[] = [];
  for (let d = day - 1; d <= day + 1; d++) for (const [s, e] of ref.openingsOfDay(d)) edges.push(s, e);
  if (edges.length === 0) return c.start;
  return edges[c.snap.pick % edges.length]! + c.snap.nudge * MINUTE;
}

const describeCase = (c: Case, t: number) => `${JSON.stringify(c.spec)} at ${new Date(t).toISOString()}`;
/** Minutes back to whole milliseconds (they are kept to the millisecond). */
const ms = (minutes: number) => Math.round(minutes * MINUTE) + 0;

describe('the reference itself', () => {
  // The hand-worked cases of calendar.test.ts, so that the reference cannot share a mistake with the implementation unnoticed.
  const at = (iso: string) => Date.parse(iso);
  it('moves an opening in the spring-forward gap forward by the gap, and takes the earlier of a repeated hour', () => {
    const gap = referenceCalendar({ timeZone: 'America/New_York', hours: { sun: [['02:30', '04:00']] } });
    expect(new Date(gap.nextOpen(at('2026-03-08T01:00:00-05:00'))).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(gap.businessMinutesBetween(at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'))).toBe(30);
    const repeat = referenceCalendar({ timeZone: 'America/New_York', hours: { sun: [['01:30', '03:00']] } });
    expect(repeat.isOpen(at('2026-11-01T01:10:00-04:00'))).toBe(false);
    expect(repeat.isOpen(at('2026-11-01T01:10:00-05:00'))).toBe(true);
    expect(repeat.businessMinutesBetween(at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00'))).toBe(150);
    const sydney = referenceCalendar({ timeZone: 'Australia/Sydney', hours: { sun: [['02:30', '05:00']] } });
    expect(new Date(sydney.nextOpen(at('2026-04-05T00:00:00+11:00'))).toISOString()).toBe('2026-04-04T15:30:00.000Z');
    expect(new Date(sydney.nextOpen(at('2026-10-04T00:00:00+10:00'))).toISOString()).toBe('2026-10-03T16:30:00.000Z');
  });

  it('runs overnight shifts, holidays and the latest-instant rule', () => {
    const rome = referenceCalendar({ timeZone: 'Europe/Rome', hours: { sat: [['22:00', '06:00']] } });
    expect(rome.businessMinutesBetween(at('2026-10-24T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'))).toBe(540);
    expect(rome.businessMinutesBetween(at('2026-03-28T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(420);
    expect(new Date(rome.addBusinessTime(at('2026-03-28T22:00:00+01:00'), 420)).toISOString()).toBe('2026-04-04T20:00:00.000Z');
    const nights = referenceCalendar({
      timeZone: 'Asia/Taipei',
      hours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], sun: [['22:00', '06:00']] },
      holidays: ['2026-06-01'],
    });
    expect(new Date(nights.addBusinessTime(at('2026-05-31T22:00:00+08:00'), 120)).toISOString()).toBe('2026-06-02T01:00:00.000Z');
    expect(nights.businessMinutesBetween(at('2026-05-31T00:00:00+08:00'), at('2026-06-03T00:00:00+08:00'))).toBe(600);
    expect(nights.businessMinutesBetween(at('2026-06-03T00:00:00+08:00'), at('2026-05-31T00:00:00+08:00'))).toBe(-600);
    const always = referenceCalendar({ timeZone: 'America/New_York', hours: '24/7', holidays: ['2026-11-01'] });
    expect(always.businessMinutesBetween(at('2026-10-31T00:00:00-04:00'), at('2026-11-03T00:00:00-05:00'))).toBe(48 * 60);
    expect(new Date(always.addBusinessTime(at('2026-10-31T23:00:00-04:00'), 60)).toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });
});

describe('businessCalendar against the minute-stepping reference', () => {
  it('agrees on isOpen, nextOpen, addBusinessTime and businessMinutesBetween for random calendars and instants', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const cal = businessCalendar(c.spec);
        const ref = referenceCalendar(c.spec);
        const t = startOf(c, ref);
        const where = describeCase(c, t);
        expect(cal.isOpen(new Date(t)), `isOpen ${where}`).toBe(ref.isOpen(t));
        expect(cal.nextOpen(new Date(t)).toISOString(), `nextOpen ${where}`).toBe(new Date(ref.nextOpen(t)).toISOString());
        expect(cal.addBusinessTime(new Date(t), c.minutes).toISOString(), `addBusinessTime ${c.minutes} ${where}`).toBe(
          new Date(ref.addBusinessTime(t, c.minutes)).toISOString(),
        );
        const to = t + c.span * MINUTE;
        expect(cal.businessMinutesBetween(new Date(t), new Date(to)), `businessMinutesBetween +${c.span} ${where}`).toBe(
          ref.businessMinutesBetween(t, to),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees minute by minute on isOpen over four days around clock changes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES).chain((zone) =>
          fc.record({
            zone: fc.constant(zone),
            year: fc.integer({ min: 2024, max: 2030 }),
            rule: fc.constantFrom(...CHANGE_RULES[zone]),
            week: weeklyHours,
            holidayDays: fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 2 }),
          }),
        ),
        ({ zone, year, rule, week, holidayDays }) => {
          const day = sunday(year, rule[0], rule[1]);
          const spec = { timeZone: zone, hours: week.hours, holidays: holidayDays.map((d) => isoDate(day + d)) };
          const cal = businessCalendar(spec);
          const ref = referenceCalendar(spec);
          const from = (day - 2) * DAY;
          const to = (day + 2) * DAY;
          let open = 0;
          for (let t = from; t < to; t += MINUTE) {
            const expected = ref.isOpen(t);
            if (cal.isOpen(new Date(t)) !== expected) {
              expect.fail(`isOpen ${JSON.stringify(spec)} at ${new Date(t).toISOString()}: expected ${expected}`);
            }
            if (expected) open++;
          }
          expect(cal.businessMinutesBetween(new Date(from), new Date(to)), JSON.stringify(spec)).toBe(open);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** A random calendar and a random instant, to the millisecond, anywhere in 2024–2030. */
const calendars = fc.constantFrom(...ZONES).chain((zone) =>
  fc.record({
    zone: fc.constant(zone),
    week: weeklyHours,
    start: fc.tuple(instantNear(zone), fc.integer({ min: 0, max: MINUTE - 1 })).map(([t, extra]) => t + extra),
    holidayDays: fc.array(fc.integer({ min: -5, max: 60 }), { maxLength: 6 }),
  }),
);

function build(c: { zone: ZoneName; week: GeneratedHours; start: number; holidayDays: number[] }): BusinessCalendar {
  const startDay = Math.floor(c.start / DAY);
  return businessCalendar({ timeZone: c.zone, hours: c.week.hours, holidays: c.holidayDays.map((d) => isoDate(startDay + d)) });
}

/** Business minutes as whole milliseconds: up to about two years for dense calendars, some weeks for sparse ones. */
const budgets = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 10 * MINUTE }),
  fc.integer({ min: 0, max: 3 * 1440 * MINUTE }),
  fc.integer({ min: 0, max: 2 * 365 * 1440 * MINUTE }),
);
const budget = (week: GeneratedHours, msBudget: number) => msBudget % (Math.min(2 * 365 * 1440, 60 * week.weekMinutes) * MINUTE + 1);

describe('businessCalendar properties', () => {
  it('measures back exactly what it added: businessMinutesBetween(s, addBusinessTime(s, m)) === m', () => {
    fc.assert(
      fc.property(calendars, budgets, (c, msBudget) => {
        const cal = build(c);
        const m = budget(c.week, msBudget) / MINUTE;
        const end = cal.addBusinessTime(new Date(c.start), m);
        expect(end.getTime()).toBeGreaterThanOrEqual(c.start);
        expect(cal.businessMinutesBetween(new Date(c.start), end)).toBe(m);
        // The latest such instant: it is open, so one more millisecond is more business time.
        expect(cal.isOpen(end)).toBe(true);
        expect(ms(cal.businessMinutesBetween(new Date(c.start), new Date(end.getTime() + 1)))).toBe(ms(m) + 1);
      }),
      { numRuns: 1000 },
    );
  });

  it('is strictly increasing in the minutes added', () => {
    fc.assert(
      fc.property(calendars, budgets, budgets, (c, x, y) => {
        const cal = build(c);
        const a = budget(c.week, Math.min(x, y)) / MINUTE;
        const b = budget(c.week, Math.max(x, y)) / MINUTE;
        const ta = cal.addBusinessTime(new Date(c.start), a).getTime();
        const tb = cal.addBusinessTime(new Date(c.start), b).getTime();
        if (a < b) expect(ta).toBeLessThan(tb);
        else if (a > b) expect(ta).toBeGreaterThan(tb);
        else expect(ta).toBe(tb);
      }),
      { numRuns: 1000 },
    );
  });

  it('adds in steps: addBusinessTime(addBusinessTime(s, a), b) equals addBusinessTime(s, a + b)', () => {
    fc.assert(
      fc.property(calendars, budgets, budgets, (c, x, y) => {
        const cal = build(c);
        const a = budget(c.week, x);
        const b = budget(c.week, y);
        const stepwise = cal.addBusinessTime(cal.addBusinessTime(new Date(c.start), a / MINUTE), b / MINUTE);
        expect(stepwise.toISOString()).toBe(cal.addBusinessTime(new Date(c.start), (a + b) / MINUTE).toISOString());
      }),
      { numRuns: 1000 },
    );
  });

  it('nextOpen is open, is the instant itself exactly when open, and skips only closed time', () => {
    fc.assert(
      fc.property(calendars, (c) => {
        const cal = build(c);
        const at = new Date(c.start);
        const next = cal.nextOpen(at);
        expect(cal.isOpen(next)).toBe(true);
        expect(next.getTime() === c.start).toBe(cal.isOpen(at));
        expect(next.getTime()).toBeGreaterThanOrEqual(c.start);
        expect(cal.businessMinutesBetween(at, next)).toBe(0);
        expect(cal.addBusinessTime(at, 0).toISOString()).toBe(next.toISOString());
        // Just before the next opening it is closed (when that is after `at`).
        if (next.getTime() > c.start) expect(cal.isOpen(new Date(next.getTime() - 1))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('businessMinutesBetween is signed and adds up over consecutive spans', () => {
    const spans = fc.integer({ min: -30 * 1440 * MINUTE, max: 30 * 1440 * MINUTE });
    fc.assert(
      fc.property(calendars, spans, spans, (c, d1, d2) => {
        const cal = build(c);
        const a = new Date(c.start);
        const b = new Date(c.start + d1);
        const z = new Date(c.start + d1 + d2);
        const ab = cal.businessMinutesBetween(a, b);
        expect(cal.businessMinutesBetween(b, a)).toBe(-ab || 0);
        expect(Math.sign(ab) === 0 || Math.sign(ab) === Math.sign(d1)).toBe(true);
        expect(Math.abs(ms(ab))).toBeLessThanOrEqual(Math.abs(d1));
        expect(ms(ab) + ms(cal.businessMinutesBetween(b, z))).toBe(ms(cal.businessMinutesBetween(a, z)));
      }),
      { numRuns: 1000 },
    );
  });
});
