/**
 * A deliberately slow and simple reference for the business calendar, used by the property tests
 * to check `businessCalendar` (calendar.ts, zone.ts) against. It shares no code with them: its
 * own `Intl.DateTimeFormat`, its own way of turning local wall-clock times into instants, and it
 * decides everything one whole UTC minute at a time.
 *
 * - Local time: the offset of a zone at an instant comes from `Intl.DateTimeFormat#formatToParts`.
 *   To keep the thousands of minute steps affordable the offset is asked once per UTC hour, and
 *   when the offsets at the start of an hour and of the next one differ (a DST change inside it),
 *   every minute of that hour is asked of `Intl` on its own. The only assumption is that no zone
 *   changes its offset twice within one hour.
 * - A local wall-clock reading (a date and a time of day) becomes an instant by scanning every
 *   UTC minute from 15 hours before to 15 hours after the reading (offsets lie within -12h..+14h)
 *   for those whose local reading is exactly it: the first one wins (a repeated hour means the
 *   earlier instant). When there is none, the reading falls in a spring-forward gap and moves
 *   forward by the gap: it is read with the offset in force just before the gap (Temporal's
 *   `compatible`).
 * - A minute is open when it lies in one of the opening intervals (as instants) of its local day
 *   or of a neighbouring one (an overnight interval of the previous day reaches into it), and its
 *   local date is not a holiday.
 *
 * Only whole-minute instants and whole minutes are accepted, so minute stepping is exact.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Guard against walking forever: two years of minutes. */
const MAX_STEPS = 2 * 366 * 1440;

/** `getUTCDay()` order: Sunday first. */
const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type DayKey = (typeof DAY_KEYS)[number];

export interface ReferenceSpec {
  readonly timeZone: string;
  readonly hours: '24/7' | { readonly [K in DayKey]?: readonly (readonly [string, string])[] };
  readonly holidays?: readonly string[];
}

export interface ReferenceCalendar {
  isOpen(at: number): boolean;
  nextOpen(at: number): number;
  addBusinessTime(start: number, minutes: number): number;
  businessMinutesBetween(from: number, to: number): number;
  /** The opening intervals (as instants) of the intervals listed for local day `day` (days since 1970-01-01). */
  openingsOfDay(day: number): readonly (readonly [number, number])[];
}

/** Local time of one zone: offsets and wall-clock readings, asked of Intl. */
class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly hourOffsets = new Map<number, number>();
  private readonly resolved = new Map<number, number>();

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** The offset (ms) at instant `utc`, straight from Intl: the wall-clock reading minus the instant. */
  private intlOffset(utc: number): number {
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(utc))) p[part.type] = Number(part.value);
    const reading = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!);
    return reading - utc;
  }

  private offsetAtHour(hour: number): number {
    let offset = this.hourOffsets.get(hour);
    if (offset === undefined) {
      offset = this.intlOffset(hour * HOUR);
      this.hourOffsets.set(hour, offset);
    }
    return offset;
  }

  /** The offset (ms) at the whole-minute instant `utc`. */
  offset(utc: number): number {
    const hour = Math.floor(utc / HOUR);
    const here = this.offsetAtHour(hour);
    return here === this.offsetAtHour(hour + 1) ? here : this.intlOffset(utc);
  }

  /** The local wall-clock reading at `utc`, written as if it were a UTC instant. */
  reading(utc: number): number {
    return utc + this.offset(utc);
  }

  /** The instant at which the wall clock reads `reading` (see the file comment for gaps and repeats). */
  instant(reading: number): number {
    let utc = this.resolved.get(reading);
    if (utc === undefined) {
      utc = this.scan(reading);
      this.resolved.set(reading, utc);
    }
    return utc;
  }

  private scan(reading: number): number {
    const from = reading - 15 * HOUR;
    const to = reading + 15 * HOUR;
    for (let u = from; u <= to; u += MINUTE) if (this.reading(u) === reading) return u;
    // No instant reads it: a spring-forward gap. Read it with the offset just before the jump.
    for (let u = from; u < to; u += MINUTE) {
      if (this.reading(u) < reading && this.reading(u + MINUTE) > reading) return reading - this.offset(u);
    }
    throw new Error(`reference: cannot place local time ${new Date(reading).toISOString()}`);
  }
}

const clocks = new Map<string, LocalClock>();

function clockOf(timeZone: string): LocalClock {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new LocalClock(timeZone);
    clocks.set(timeZone, clock);
  }
  return clock;
}

function minutesOfDay(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

function dayOfDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d!) / DAY;
}

export function referenceCalendar(spec: ReferenceSpec): ReferenceCalendar {
  const clock = clockOf(spec.timeZone);
  const holidays = new Set((spec.holidays ?? []).map(dayOfDate));
  const days = new Map<number, (readonly [number, number])[]>();

  /** The instant of local day `day` at `minutes` (0–1439) after its midnight. */
  function at(day: number, minutes: number): number {
    return clock.instant(day * DAY + minutes * MINUTE);
  }

  function openingsOfDay(day: number): readonly (readonly [number, number])[] {
    let list = days.get(day);
    if (!list) {
      list = [];
      if (spec.hours === '24/7') list.push([at(day, 0), at(day + 1, 0)]);
      else {
        const key = DAY_KEYS[new Date(day * DAY).getUTCDay()]!;
        for (const [open, close] of spec.hours[key] ?? []) {
          const s = minutesOfDay(open);
          let e = minutesOfDay(close);
          if (e <= s) e += 1440; // runs past midnight into the next day
          list.push([at(day, s), e >= 1440 ? at(day + 1, e - 1440) : at(day, e)]);
        }
      }
      days.set(day, list);
    }
    return list;
  }

  function isOpen(u: number): boolean {
    const day = Math.floor(clock.reading(u) / DAY);
    if (holidays.has(day)) return false;
    for (let d = day - 2; d <= day + 1; d++) {
      for (const [s, e] of openingsOfDay(d)) if (s <= u && u < e) return true;
    }
    return false;
  }

  function check(t: number): void {
    if (t % MINUTE !== 0) throw new Error(`reference: instants must be whole minutes, got ${new Date(t).toISOString()}`);
  }

  function nextOpen(from: number): number {
    check(from);
    for (let u = from, steps = 0; steps < MAX_STEPS; u += MINUTE, steps++) if (isOpen(u)) return u;
    throw new Error('reference: never opens');
  }

  function addBusinessTime(start: number, minutes: number): number {
    check(start);
    if (!Number.isInteger(minutes) || minutes < 0) throw new Error('reference: minutes must be a whole number');
    let counted = 0;
    for (let u = start, steps = 0; steps < MAX_STEPS; u += MINUTE, steps++) {
      const open = isOpen(u);
      // The latest instant with exactly `minutes` elapsed: the first open minute once the budget is spent.
      if (open && counted === minutes) return u;
      if (open) counted++;
    }
    throw new Error('reference: walked too far');
  }

  function businessMinutesBetween(from: number, to: number): number {
    check(from);
    check(to);
    if (to < from) return -businessMinutesBetween(to, from) || 0; // 0, not -0, when nothing is open
    let counted = 0;
    for (let u = from; u < to; u += MINUTE) if (isOpen(u)) counted++;
    return counted;
  }

  return {
    openingsOfDay,
    isOpen: (t) => {
      check(t);
      return isOpen(t);
    },
    nextOpen,
    addBusinessTime,
    businessMinutesBetween,
  };
}
