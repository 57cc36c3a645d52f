/**
 * UTC offsets of an IANA time zone, from the runtime's own time zone data (`Intl`), with no date
 * library. A zone's offset changes are found once per year of interest (one `Intl` call per day
 * of the year, then bisection to the second at each change) and kept in a sorted list, so turning
 * instants into local wall-clock time and back is arithmetic and a binary search.
 */

const DAY = 86_400_000;
const YEAR_DAYS = 366;

/** One offset change: from `at` (epoch ms) on, local time is UTC + `offset` ms. */
interface Transition {
  readonly at: number;
  readonly offset: number;
}

/** Offsets of one time zone. Shared by every calendar in that zone. */
export interface Zone {
  readonly name: string;
  /** The offset from UTC at the instant `utc` (epoch ms), in ms: local reading = `utc + offsetAt(utc)`. */
  offsetAt(utc: number): number;
  /**
   * The instant at which the local wall clock reads `local` (epoch ms of that reading in UTC),
   * disambiguated like Temporal's `compatible`: in a repeated hour the earlier instant; in a
   * skipped hour, the reading moved forward by the length of the gap.
   */
  toUtc(local: number): number;
}

const zones = new Map<string, Zone>();

/** The shared {@link Zone} for an IANA zone name the runtime knows. */
export function zone(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    z = createZone(name);
    zones.set(name, z);
  }
  return z;
}

function createZone(name: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    era: 'short',
  });

  /** The offset at `utc` (whole seconds) asked of Intl: slow, used only while loading a year. */
  function intlOffset(utc: number): number {
    const seconds = Math.floor(utc / 1000) * 1000;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of format.formatToParts(seconds)) {
      switch (part.type) {
        case 'year':
          year = +part.value;
          break;
        case 'month':
          month = +part.value;
          break;
        case 'day':
          day = +part.value;
          break;
        case 'hour':
          hour = +part.value;
          break;
        case 'minute':
          minute = +part.value;
          break;
        case 'second':
          second = +part.value;
          break;
        case 'era':
          bc = part.value.startsWith('B');
          break;
      }
    }
    const local = Date.UTC(bc ? 1 - year : year, month - 1, day, hour, minute, second);
    // Date.UTC maps years 0–99 to 1900–1999; set the year exactly.
    const fixed = year < 100 || bc ? new Date(local).setUTCFullYear(bc ? 1 - year : year) : local;
    return fixed - seconds;
  }

  // Offset changes in the loaded years, sorted, plus the offset before the first loaded year.
  const ats: number[] = [];
  const offsets: number[] = [];
  let loadedFrom = 0;
  let loadedTo = 0;
  let baseOffset = 0;
  let loaded = false;

  /** The changes in [from, to), found by daily sampling and bisection to the second. */
  function scan(from: number, to: number): Transition[] {
    const found: Transition[] = [];
    let prevAt = from;
    let prev = intlOffset(from);
    for (let t = from + DAY; ; t += DAY) {
      const at = Math.min(t, to);
      const offset = intlOffset(at);
      if (offset !== prev) {
        let lo = prevAt; // offset here is `prev`
        let hi = at; // offset here is `offset`
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (intlOffset(mid) === prev) lo = mid;
          else hi = mid;
        }
        found.push({ at: hi, offset });
        prev = offset;
      }
      prevAt = at;
      if (at >= to) break;
    }
    return found;
  }

  /** Makes sure offsets are known around `utc` (the whole UTC year, plus margins). */
  function load(utc: number): void {
    const from = Math.floor(utc / (YEAR_DAYS * DAY)) * YEAR_DAYS * DAY - 2 * DAY;
    const to = from + YEAR_DAYS * DAY + 4 * DAY;
    if (!loaded) {
      baseOffset = intlOffset(from);
      for (const t of scan(from, to)) {
        ats.push(t.at);
        offsets.push(t.offset);
      }
      loadedFrom = from;
      loadedTo = to;
      loaded = true;
      return;
    }
    if (utc < loadedFrom) {
      const start = Math.min(from, loadedFrom);
      const before = scan(start, loadedFrom);
      baseOffset = intlOffset(start);
      ats.unshift(...before.map((t) => t.at));
      offsets.unshift(...before.map((t) => t.offset));
      loadedFrom = start;
    } else if (utc >= loadedTo) {
      const end = Math.max(to, loadedTo);
      for (const t of scan(loadedTo, end)) {
        ats.push(t.at);
        offsets.push(t.offset);
      }
      loadedTo = end;
    }
  }

  function offsetAt(utc: number): number {
    if (!loaded || utc < loadedFrom || utc >= loadedTo) load(utc);
    // The last change at or before `utc`.
    let lo = 0;
    let hi = ats.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ats[mid]! <= utc) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? baseOffset : offsets[lo - 1]!;
  }

  function toUtc(local: number): number {
    const before = offsetAt(local - DAY);
    const after = offsetAt(local + DAY);
    if (before === after) {
      // No change nearby (the usual case), unless the offset moved and came back within two days.
      const t = local - before;
      if (offsetAt(t) === before) return t;
    }
    const early = local - before;
    const late = local - after;
    const earlyOk = offsetAt(early) === before;
    const lateOk = offsetAt(late) === after;
    if (earlyOk && lateOk) return Math.min(early, late); // repeated hour: the earlier instant
    if (earlyOk) return early;
    if (lateOk) return late;
    return local - before; // skipped hour: forward by the gap
  }

  return { name, offsetAt, toUtc };
}
