// Calendar: `addBusinessTime` over 100,000 seeded random (calendar, start, minutes) cases on 18
// realistic business calendars (split days, overnight shifts, holidays next to weekends, DST and
// non-DST zones, UTC), starts across 2025–2028, budgets from 0 to four weeks of business time.
// Targets: ≥ 1,000,000 calls/s with warm calendar caches (median of several passes), and ≥ 20×
// faster than moment-business-time's `addWorkingTime` on the UTC cases it can express. Both must
// agree on every one of those cases except where their conventions differ (explained below): any
// other difference fails the bench, and so does a result that isn't open or isn't exactly the budget
// of business time after its start. Budgets are whole minutes, as SLA targets are (moment-business-time
// steps at least a minute at a time, so it would overshoot a fractional one).

import { businessCalendar } from '@crm/core';
import moment from 'moment-business-time';
import { random, pick } from './corpus.mjs';
import { SCALE } from './dataset.mjs';
import { collectGarbage, defineBench, formatNumber, now, summarize } from './harness.mjs';

const MINUTE = 60_000;
const DAY = 86_400_000;
const CASES = Math.round(100_000 * SCALE);
const SEED = 20250101;
/** Timed passes over all the cases, after the cold one and WARM_PASSES untimed ones. */
const PASSES = 15;
const WARM_PASSES = 2;
/** Timed passes of moment-business-time over the UTC cases (it is slow). */
const MOMENT_PASSES = 1;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2029, 0, 1);
/** Four weeks of a 40-hour week. */
const MAX_MINUTES = 4 * 40 * 60;
/** Budgets SLA policies actually use (minutes): 15 min … 4 weeks of 8-hour days. */
const SLA_TARGETS = [15, 30, 60, 120, 240, 480, 720, 960, 1440, 2400, 2880, 4800, 7200, 9600];

// ---------------------------------------------------------------------------------------------
// Holidays, computed for 2025–2029 (2029 for budgets that run past the end of 2028)

const YEARS = [2025, 2026, 2027, 2028, 2029];
const ymd = (y, m, d) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
const dayOfWeek = (date) => new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
const plusDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** The nth (1-based; -1 for the last) weekday `wd` (0 = Sunday) of a month. */
function nthWeekday(y, m, wd, n) {
  if (n > 0) return ymd(y, m, 1 + ((wd - new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 7) % 7) + 7 * (n - 1));
  const last = new Date(Date.UTC(y, m, 0));
  return ymd(y, m, last.getUTCDate() - ((last.getUTCDay() - wd + 7) % 7));
}

/** Easter Sunday (Gregorian, the anonymous algorithm). */
function easter(y) {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const h = (19 * a + b - Math.floor(b / 4) - Math.floor((b - Math.floor((b + 8) / 25) + 1) / 3) + 15) % 30;
  const l = (32 + 2 * (b % 4) + 2 * Math.floor(c / 4) - h - (c % 4)) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  return ymd(y, Math.floor((h + l - 7 * m + 114) / 31), ((h + l - 7 * m + 114) % 31) + 1);
}

/** UK-style substitution: a holiday on a weekend (or on another holiday) moves to the next free weekday. */
function substituted(dates) {
  const taken = new Set();
  for (let date of dates) {
    while (dayOfWeek(date) === 0 || dayOfWeek(date) === 6 || taken.has(date)) date = plusDays(date, 1);
    taken.add(date);
  }
  return [...taken];
}

/** US-style observance: Saturday → Friday, Sunday → Monday. */
const observed = (date) => (dayOfWeek(date) === 6 ? plusDays(date, -1) : dayOfWeek(date) === 0 ? plusDays(date, 1) : date);

const HOLIDAYS = {
  uk: YEARS.flatMap((y) => [
    ...substituted([ymd(y, 1, 1)]),
    plusDays(easter(y), -2),
    plusDays(easter(y), 1),
    nthWeekday(y, 5, 1, 1),
    nthWeekday(y, 5, 1, -1),
    nthWeekday(y, 8, 1, -1),
    ...substituted([ymd(y, 12, 25), ymd(y, 12, 26)]),
  ]),
  us: YEARS.flatMap((y) => [
    observed(ymd(y, 1, 1)),
    nthWeekday(y, 1, 1, 3),
    nthWeekday(y, 2, 1, 3),
    nthWeekday(y, 5, 1, -1),
    observed(ymd(y, 6, 19)),
    observed(ymd(y, 7, 4)),
    nthWeekday(y, 9, 1, 1),
    nthWeekday(y, 11, 4, 4),
    plusDays(nthWeekday(y, 11, 4, 4), 1), // the Friday after Thanksgiving
    observed(ymd(y, 12, 25)),
  ]),
  it: YEARS.flatMap((y) => [
    ...[
      [1, 1],
      [1, 6],
      [4, 25],
      [5, 1],
      [6, 2],
      [6, 29],
      [8, 15],
      [11, 1],
      [12, 8],
      [12, 25],
      [12, 26],
    ].map(([m, d]) => ymd(y, m, d)),
    plusDays(easter(y), 1),
  ]),
  nsw: YEARS.flatMap((y) => [
    ...substituted([ymd(y, 1, 1)]),
    ...substituted([ymd(y, 1, 26)]),
    plusDays(easter(y), -2),
    plusDays(easter(y), -1),
    plusDays(easter(y), 1),
    ymd(y, 4, 25),
    nthWeekday(y, 6, 1, 2),
    nthWeekday(y, 10, 1, 1),
    ...substituted([ymd(y, 12, 25), ymd(y, 12, 26)]),
  ]),
  // Fixed-date national holidays plus the company's year-end closure (not the equinoxes or substitutes).
  jp: YEARS.flatMap((y) => [
    ...[
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 11],
      [2, 23],
      [4, 29],
      [5, 3],
      [5, 4],
      [5, 5],
      [8, 11],
      [11, 3],
      [11, 23],
      [12, 29],
      [12, 30],
      [12, 31],
    ].map(([m, d]) => ymd(y, m, d)),
    nthWeekday(y, 1, 1, 2),
    nthWeekday(y, 7, 1, 3),
    nthWeekday(y, 9, 1, 3),
    nthWeekday(y, 10, 1, 2),
  ]),
  in: YEARS.flatMap((y) => [ymd(y, 1, 26), ymd(y, 5, 1), ymd(y, 8, 15), ymd(y, 10, 2), ymd(y, 12, 25)]),
  br: YEARS.flatMap((y) => [
    ...[
      [1, 1],
      [4, 21],
      [5, 1],
      [9, 7],
      [10, 12],
      [11, 2],
      [11, 15],
      [11, 20],
      [12, 25],
    ].map(([m, d]) => ymd(y, m, d)),
    plusDays(easter(y), -48), // Carnival Monday and Tuesday
    plusDays(easter(y), -47),
    plusDays(easter(y), -2),
    plusDays(easter(y), 60), // Corpus Christi
  ]),
  my: YEARS.flatMap((y) => [ymd(y, 1, 1), ymd(y, 5, 1), ymd(y, 8, 31), ymd(y, 9, 16), ymd(y, 12, 25)]),
};

// ---------------------------------------------------------------------------------------------
// Calendars

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** `{ mon: intervals, … }` for the listed days (`'mon-fri'`, `'sat,sun'`, `'mon-sun'`). */
function on(days, intervals, into = {}) {
  for (const part of days.split(',')) {
    const [a, b = a] = part.split('-');
    for (let d = WEEKDAYS.indexOf(a); d <= WEEKDAYS.indexOf(b); d++) into[WEEKDAYS[d]] = intervals;
  }
  return into;
}

const CALENDARS = [
  { name: 'utc-office', spec: { timeZone: 'UTC', hours: on('mon-fri', [['09:00', '17:00']]), holidays: HOLIDAYS.uk } },
  {
    name: 'utc-split',
    spec: {
      timeZone: 'UTC',
      hours: on(
        'sat',
        [['09:00', '12:00']],
        on(
          'fri',
          [
            ['08:30', '12:00'],
            ['13:00', '16:00'],
          ],
          on('mon-thu', [
            ['08:30', '12:00'],
            ['13:00', '17:30'],
          ]),
        ),
      ),
      holidays: [...HOLIDAYS.uk, ...YEARS.flatMap((y) => [ymd(y, 12, 24), ymd(y, 12, 31)])],
    },
  },
  {
    name: 'utc-three-shifts',
    spec: {
      timeZone: 'UTC',
      hours: on('mon-fri', [
        ['06:00', '10:00'],
        ['10:30', '14:00'],
        ['14:30', '21:45'],
      ]),
      // Bridge days: Fridays and Mondays next to a weekend.
      holidays: ['2025-05-02', '2025-12-29', '2026-05-15', '2026-12-24', '2027-04-30', '2027-12-27', '2028-06-02', '2028-12-29'],
    },
  },
  {
    name: 'utc-weekend-desk',
    spec: {
      timeZone: 'UTC',
      hours: on('sat,sun', [['10:00', '18:00']], on('fri', [['16:00', '20:00']])),
      holidays: YEARS.flatMap((y) => [plusDays(easter(y), -1), easter(y), ymd(y, 12, 25), ymd(y, 1, 1)]),
    },
  },
  { name: 'utc-night-ops', spec: { timeZone: 'UTC', hours: on('mon-fri', [['22:00', '06:00']]), holidays: HOLIDAYS.uk } },
  { name: 'utc-24/7', spec: { timeZone: 'UTC', hours: '24/7' } },
  { name: 'new-york-office', spec: { timeZone: 'America/New_York', hours: on('mon-fri', [['09:00', '17:00']]), holidays: HOLIDAYS.us } },
  {
    name: 'new-york-split-late',
    spec: {
      timeZone: 'America/New_York',
      hours: on(
        'sat',
        [['10:00', '14:00']],
        on('mon-fri', [
          ['08:00', '12:00'],
          ['13:00', '20:00'],
        ]),
      ),
      holidays: HOLIDAYS.us,
    },
  },
  {
    // Closes at 02:30: inside the spring-forward gap (02:00 → 03:00) on the second Sunday of March.
    name: 'new-york-overnight',
    spec: {
      timeZone: 'America/New_York',
      hours: on('mon-sun', [['22:00', '02:30']]),
      holidays: YEARS.flatMap((y) => [nthWeekday(y, 11, 4, 4), ymd(y, 12, 25)]),
    },
  },
  {
    name: 'rome-office',
    spec: {
      timeZone: 'Europe/Rome',
      hours: on('mon-fri', [
        ['09:00', '13:00'],
        ['14:00', '18:00'],
      ]),
      holidays: HOLIDAYS.it,
    },
  },
  { name: 'rome-24/7-holidays', spec: { timeZone: 'Europe/Rome', hours: '24/7', holidays: HOLIDAYS.it } },
  {
    // Both DST changes fall on a Saturday night (02:00 → 03:00 in March, 03:00 → 02:00 in October):
    // the 02:30 closing is in the spring-forward gap, then in the repeated hour.
    name: 'rome-weekend-nights',
    spec: { timeZone: 'Europe/Rome', hours: on('sun', [['10:00', '16:00']], on('fri,sat', [['22:00', '02:30']])), holidays: HOLIDAYS.it },
  },
  { name: 'sydney-office', spec: { timeZone: 'Australia/Sydney', hours: on('mon-fri', [['08:30', '17:00']]), holidays: HOLIDAYS.nsw } },
  {
    name: 'sydney-days-and-weekend-nights',
    spec: {
      timeZone: 'Australia/Sydney',
      hours: on('sat,sun', [['21:00', '03:00']], on('mon-fri', [['07:00', '19:00']])),
      holidays: HOLIDAYS.nsw,
    },
  },
  {
    name: 'tokyo-office',
    spec: {
      timeZone: 'Asia/Tokyo',
      hours: on('mon-fri', [
        ['09:00', '12:00'],
        ['13:00', '18:00'],
      ]),
      holidays: HOLIDAYS.jp,
    },
  },
  {
    name: 'kolkata-split',
    spec: {
      timeZone: 'Asia/Kolkata',
      hours: on(
        'sat',
        [['10:00', '14:00']],
        on(
          'fri',
          [
            ['09:30', '13:30'],
            ['14:30', '18:30'],
            ['19:00', '24:00'],
          ],
          on('mon-thu', [
            ['09:30', '13:30'],
            ['14:30', '18:30'],
          ]),
        ),
      ),
      holidays: HOLIDAYS.in,
    },
  },
  {
    name: 'sao-paulo-overnight',
    spec: { timeZone: 'America/Sao_Paulo', hours: on('mon-fri', [['19:00', '07:00']]), holidays: HOLIDAYS.br },
  },
  {
    name: 'kuala-lumpur-split',
    spec: {
      timeZone: 'Asia/Kuala_Lumpur',
      hours: on(
        'fri',
        [
          ['09:00', '12:00'],
          ['14:30', '17:00'],
        ],
        on('mon-thu', [
          ['09:00', '12:30'],
          ['14:00', '18:00'],
        ]),
      ),
      holidays: HOLIDAYS.my,
    },
  },
];

// ---------------------------------------------------------------------------------------------
// moment-business-time: one locale per calendar it can express

/**
 * The calendar's hours as moment-business-time's `workinghours` (index 0 = Sunday, a flat list of
 * opening and closing times per day), or why it can't express them. It builds each interval on
 * one day, so an interval that runs past midnight (`['22:00', '06:00']`) is never open and
 * `addWorkingTime` loops forever; `24:00` (and so `24/7`) rolls over into the next day and
 * throws on reaching a holiday. It also works in one offset only (moment.utc here).
 */
function momentWorkingHours(spec) {
  if (spec.timeZone !== 'UTC') return { why: 'not UTC' };
  if (spec.hours === '24/7') return { why: '24/7' };
  const hours = {};
  for (let j = 0; j < 7; j++) {
    const intervals = spec.hours[WEEKDAYS[(j + 6) % 7]] ?? [];
    for (const [open, close] of intervals) {
      if (close === '24:00') return { why: 'closes at 24:00' };
      if (close <= open) return { why: 'overnight interval' };
    }
    hours[j] = intervals.length ? intervals.flat().map((time) => `${time}:00`) : null;
  }
  return { hours };
}

// ---------------------------------------------------------------------------------------------
// Cases

function makeCases(count) {
  const rand = random(SEED);
  const cal = new Uint8Array(count);
  const startMs = new Float64Array(count);
  const minutes = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    cal[i] = (rand() * CALENDARS.length) | 0;
    let t = FROM + Math.floor(rand() * (TO - FROM));
    const precision = rand();
    if (precision < 0.2) t -= t % (15 * MINUTE); // a quarter hour: lands on openings and closings
    else if (precision < 0.6) t -= t % MINUTE; // whole minutes; the rest keep their milliseconds
    startMs[i] = t;
    const budget = rand();
    minutes[i] = budget < 0.04 ? 0 : budget < 0.5 ? pick(rand, SLA_TARGETS) : Math.round(Math.exp(rand() * Math.log(MAX_MINUTES)));
  }
  return { count, cal, startMs, starts: Array.from(startMs, (t) => new Date(t)), minutes };
}

/** One pass of `addBusinessTime` over the cases; results (epoch ms) into `out`. */
function oursPass(cals, cal, starts, minutes, out) {
  for (let i = 0; i < out.length; i++) out[i] = cals[cal[i]].addBusinessTime(starts[i], minutes[i]).getTime();
}

/** One pass of moment-business-time's `addWorkingTime` over cases `from`…`to`, switching locale per calendar. */
function momentPass(locales, cal, startMs, minutes, out, from = 0, to = out.length) {
  let current = -1;
  for (let i = from; i < to; i++) {
    if (cal[i] !== current) moment.locale(locales[(current = cal[i])]);
    out[i] = moment.utc(startMs[i]).addWorkingTime(minutes[i], 'minutes').valueOf();
  }
}

/** Times `passes` calls of `fn` (ms each), collecting garbage before each. */
function timePasses(fn, passes) {
  const times = [];
  for (let p = 0; p < passes; p++) {
    collectGarbage();
    const t0 = now();
    fn();
    times.push(now() - t0);
  }
  return summarize(times);
}

const iso = (ms) => new Date(ms).toISOString();
const count = (n) => n.toLocaleString('en-US');
const rate = (calls, ms) => calls / (ms / 1000);

export default defineBench({
  name: 'calendar',
  title: `businessCalendar.addBusinessTime over ${count(CASES)} random cases on ${CALENDARS.length} calendars`,
  order: 30,
  async run(ctx) {
    if (SCALE !== 1) ctx.log(`BENCH_SCALE=${SCALE}: ${count(CASES)} cases instead of 100,000 (targets assume 1)`);
    const cases = makeCases(CASES);
    const { cal, starts, startMs, minutes } = cases;
    const span = `${iso(FROM).slice(0, 10)} … ${iso(TO - 1).slice(0, 10)}`;
    ctx.log(`${count(CASES)} cases (seed ${SEED}): starts ${span}, 20% on a quarter hour, 40% whole minutes, 40% with ms;`);
    ctx.log(`  budgets in whole minutes: 0 (4%), SLA targets 15…9,600 (46%), log-uniform 1…${count(MAX_MINUTES)} (50%)`);

    // --- Cold: fresh calendars, nothing cached. Zone offsets are cached per process, so this is
    // only fully cold when no earlier bench in the run used these zones (none does today).
    let t0 = now();
    const cals = CALENDARS.map((c) => businessCalendar(c.spec));
    const createMs = now() - t0;
    const results = new Float64Array(CASES);
    collectGarbage();
    t0 = now();
    oursPass(cals, cal, starts, minutes, results);
    const coldMs = now() - t0;

    // --- Warm: the same calendars, caches filled by the cold pass and WARM_PASSES more.
    const check = new Float64Array(CASES);
    for (let p = 0; p < WARM_PASSES; p++) oursPass(cals, cal, starts, minutes, check);
    const warm = timePasses(() => oursPass(cals, cal, starts, minutes, check), PASSES);
    for (let i = 0; i < CASES; i++) {
      if (check[i] !== results[i])
        throw new Error(`case #${i}: the warm result ${iso(check[i])} differs from the cold one ${iso(results[i])}`);
    }

    // --- Self-check on every case: the result is open and exactly `minutes` of business time after the start.
    let selfBad = 0;
    for (let i = 0; i < CASES; i++) {
      const c = cals[cal[i]];
      const r = new Date(results[i]);
      if (!c.isOpen(r) || Math.round(c.businessMinutesBetween(starts[i], r) * MINUTE) !== minutes[i] * MINUTE) {
        if (selfBad++ < 5)
          ctx.log(`self-check failed: ${CALENDARS[cal[i]].name}, ${iso(startMs[i])} + ${minutes[i]} min → ${iso(results[i])}`);
      }
    }

    // --- The UTC cases moment-business-time can express, grouped by calendar.
    const comparable = CALENDARS.map((c) => momentWorkingHours(c.spec));
    const locales = CALENDARS.map((c, k) => {
      if (!comparable[k].hours) return null;
      const name = `crm-bench-${c.name}`;
      if (!moment.locales().includes(name))
        moment.defineLocale(name, { parentLocale: 'en', workinghours: comparable[k].hours, holidays: c.spec.holidays ?? [] });
      return name;
    });
    moment.locale('en');
    const picked = [];
    for (let i = 0; i < CASES; i++) if (locales[cal[i]]) picked.push(i);
    picked.sort((a, b) => cal[a] - cal[b] || a - b);
    const m = picked.length;
    const sub = {
      cal: Uint8Array.from(picked, (i) => cal[i]),
      startMs: Float64Array.from(picked, (i) => startMs[i]),
      starts: picked.map((i) => starts[i]),
      minutes: Float64Array.from(picked, (i) => minutes[i]),
    };
    const oursSub = new Float64Array(m);
    oursPass(cals, sub.cal, sub.starts, sub.minutes, oursSub);
    const oursSubTime = timePasses(() => oursPass(cals, sub.cal, sub.starts, sub.minutes, oursSub), PASSES);
    picked.forEach((i, j) => {
      if (oursSub[j] !== results[i]) throw new Error(`case #${i}: ${iso(oursSub[j])} on the UTC pass, ${iso(results[i])} on the full one`);
    });

    const theirs = new Float64Array(m);
    momentPass(locales, sub.cal, sub.startMs, sub.minutes, theirs, 0, Math.min(m, 500)); // warm-up
    const theirsTime = timePasses(() => momentPass(locales, sub.cal, sub.startMs, sub.minutes, theirs), MOMENT_PASSES);
    moment.locale('en');

    // --- Figures
    const warmRate = rate(CASES, warm.median);
    ctx.figure({
      name: 'addBusinessTime, warm',
      value: warmRate,
      unit: 'calls/s',
      target: 1_000_000,
      higherIsBetter: true,
      note:
        `median of ${PASSES} passes over ${count(CASES)} cases, calendar caches warmed first (the cold pass + ${WARM_PASSES} untimed): ` +
        `${warm.median.toFixed(1)} ms a pass (min ${warm.min.toFixed(1)}, max ${warm.max.toFixed(1)}), ${(
          (warm.median * 1e6) /
          CASES
        ).toFixed(0)} ns a call`,
    });
    ctx.info(
      'cold first pass',
      rate(CASES, coldMs),
      'calls/s',
      `${coldMs.toFixed(1)} ms: fresh calendars, building their caches (for information)`,
    );
    ctx.info('businessCalendar() × ' + CALENDARS.length, createMs, 'ms', 'validating and creating the calendars');
    ctx.figure({
      name: 'addBusinessTime, UTC cases',
      value: rate(m, oursSubTime.median),
      unit: 'calls/s',
      baseline: { name: 'moment-business-time', value: rate(m, theirsTime.median) },
      note: `the ${count(
        m,
      )} UTC cases below, by calendar; ours: median of ${PASSES} passes; addWorkingTime: ${MOMENT_PASSES} pass after 500 warm-up calls`,
    });
    ctx.figure({
      name: 'speed-up vs moment-business-time',
      value: theirsTime.median / oursSubTime.median,
      unit: '×',
      target: 20,
      higherIsBetter: true,
    });

    // --- Agreement. Conventions differ in one place: moment-business-time counts a closing instant
    // as open (its intervals are closed at both ends), so when the budget runs out exactly at a
    // closing time it returns that closing time, and a zero budget from a closing instant returns
    // the start; ours returns the next opening (the latest instant with exactly that much business
    // time elapsed). Everything else must match to the millisecond, starts with seconds and
    // milliseconds included (it counts whole minutes and carries the remainder past a closing).
    // Tallies by kind of start: [agree, closing-time convention].
    const tally = { closed: [0, 0], open: [0, 0], fine: [0, 0], openFine: [0, 0] };
    let same = 0;
    let closingEnd = 0;
    let closingStart = 0;
    const example = {};
    const other = [];
    for (let j = 0; j < m; j++) {
      const c = cals[sub.cal[j]];
      const s = sub.startMs[j];
      const o = oursSub[j];
      const t = theirs[j];
      let kind;
      if (o === t) {
        same++;
        kind = 0;
      } else {
        const at = new Date(t);
        const atClosing = !c.isOpen(at) && c.isOpen(new Date(t - 1));
        if (
          !(
            atClosing &&
            t < o &&
            c.nextOpen(at).getTime() === o &&
            Math.round(c.businessMinutesBetween(sub.starts[j], at) * MINUTE) === sub.minutes[j] * MINUTE
          )
        ) {
          other.push(j);
          continue;
        }
        const zeroAtClosing = sub.minutes[j] === 0 && t === s;
        if (zeroAtClosing) closingStart++;
        else closingEnd++;
        example[zeroAtClosing ? 'start' : 'end'] ??= j;
        kind = 1;
      }
      const open = c.isOpen(sub.starts[j]);
      const fine = s % MINUTE !== 0;
      tally[open ? 'open' : 'closed'][kind]++;
      if (fine) tally.fine[kind]++;
      if (fine && open) tally.openFine[kind]++;
    }
    const closing = closingEnd + closingStart;
    const show = (j) =>
      `${CALENDARS[sub.cal[j]].name}, ${iso(sub.startMs[j])} + ${sub.minutes[j]} min → ours ${iso(oursSub[j])}, theirs ${iso(theirs[j])}`;
    const split = ([a, k]) => `${count(a + k)} (${count(a)} agree, ${count(k)} closing-time)`;
    const calendarsBy = (pred) => CALENDARS.filter((_, k) => pred(k)).map((c) => c.name);
    const reasons = new Map();
    for (const c of CALENDARS) {
      const { why } = momentWorkingHours(c.spec);
      if (why) reasons.set(why, [...(reasons.get(why) ?? []), c]);
    }
    ctx.info('UTC cases compared', count(m), undefined, `on the calendars it can express: ${calendarsBy((k) => locales[k]).join(', ')}`);
    ctx.log(`    not compared: ${[...reasons].map(([why, list]) => `${why}: ${list.map((c) => c.name).join(', ')}`).join('; ')}`);
    ctx.log(
      `${count(same)} of ${count(m)} UTC cases agree; ${count(closing)} differ only by the closing-time convention (ours: next opening); ` +
        `${count(other.length)} differ otherwise`,
    );
    ctx.log(`    closing-time convention: ${count(closingEnd)} budgets running out exactly at a closing time (theirs: that closing time),`);
    ctx.log(`      e.g. ${example.end === undefined ? '-' : show(example.end)}`);
    ctx.log(`    and ${count(closingStart)} zero budgets from a start exactly at a closing time (theirs: the start),`);
    ctx.log(`      e.g. ${example.start === undefined ? '-' : show(example.start)}`);
    ctx.log(`    starts on a closed instant: ${split(tally.closed)}; on an open one: ${split(tally.open)}`);
    ctx.log(`    starts with seconds or ms: ${split(tally.fine)}, of which open: ${split(tally.openFine)}`);
    ctx.info(
      'self-check, all cases',
      `${count(CASES - selfBad)} of ${count(CASES)} ok`,
      undefined,
      'each result is open and exactly `minutes` of business time after its start (businessMinutesBetween)',
    );

    for (const j of other.slice(0, 10)) ctx.log(`✗ ${show(j)}`);
    if (other.length)
      throw new Error(`${other.length} of ${m} UTC cases disagree with moment-business-time beyond the closing-time convention`);
    if (selfBad) throw new Error(`${selfBad} of ${CASES} results fail the self-check`);
  },
});
