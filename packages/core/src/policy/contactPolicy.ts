import { businessCalendar, type BusinessCalendar } from '../calendar/calendar.js';
import type { Complaint } from '../schemas/complaint.js';
import type { ContactPolicy } from '../schemas/contactPolicy.js';
import type { Customer } from '../schemas/customer.js';
import { toEpochMs, type Channel } from '../schemas/primitives.js';

/** A rule of the contact-frequency policy that can block an outbound contact. */
export type ContactRule = 'opted_out' | 'after_resolution' | 'max_per_window' | 'quiet_hours';

/** What `crm.contactPolicy.check` answers. */
export type ContactCheck =
  | { allowed: true }
  | {
      allowed: false;
      /** The first rule (in the order above) that blocks a contact at the instant asked about. */
      rule: ContactRule;
      /** The rule, said for a person: "2 emails in the last 7 days (at most 2)". */
      reason: string;
      /** The earliest instant at which every rule allows the contact, or `null` for never (an opt-out, a limit of 0). */
      allowedAt: Date | null;
    };

const MINUTE = 60_000;

/**
 * Quiet-hours calendars, by time zone and hours: open whenever contacting is allowed. Each CRM
 * keeps its own (made by {@link quietCalendars}); `null` when the hours are empty.
 */
export type QuietCalendars = (timeZone: string, start: string, end: string) => BusinessCalendar | null;

/** A new cache of quiet-hours calendars, starting over past 500 of them. */
export function quietCalendars(): QuietCalendars {
  const calendars = new Map<string, BusinessCalendar>();
  return (timeZone, start, end) => {
    if (start === end) return null;
    const key = `${timeZone} ${start} ${end}`;
    let calendar = calendars.get(key);
    if (calendar) return calendar;
    // Quiet from `start` to `end` (over midnight when end < start): open the rest of each day.
    const open: [string, string][] =
      start < end
        ? [
            ['00:00', start],
            [end, '24:00'],
          ]
        : [[end, start]];
    const day = open.filter(([from, to]) => from !== to);
    calendar = businessCalendar({ timeZone, hours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day } });
    if (calendars.size > 500) calendars.clear();
    calendars.set(key, calendar);
    return calendar;
  };
}

/** When the customer's latest complaint resolution before `at` was, in epoch ms (or -Infinity). */
function lastResolution(complaints: readonly Complaint[], at: number): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const complaint of complaints) {
    for (const entry of complaint.activity) {
      if (entry.type !== 'status_changed' || entry.to !== 'resolved') continue;
      const t = toEpochMs(entry.at);
      if (t <= at && t > last) last = t;
    }
  }
  return last;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const days = (minutes: number) =>
  minutes % 1440 === 0 ? plural(minutes / 1440, 'day') : minutes % 60 === 0 ? plural(minutes / 60, 'hour') : plural(minutes, 'minute');

/**
 * A customer's outbound contacts, oldest first, as stored timestamps: a rule counts those in a
 * window by two binary searches, and only the timestamps the searches touch are parsed.
 */
export class ContactTimes {
  readonly #iso: string[] = [];
  readonly #channels: Channel[] = [];
  #ms = new Float64Array(0);
  /** Positions of each channel's contacts, made when a per-channel rule asks. */
  readonly #byChannel = new Map<Channel, number[]>();
  #all: number[] | null = null;

  /** Adds a contact; contacts come newest first (as a history pages them). */
  addNewest(iso: string, channel: Channel): void {
    this.#iso.push(iso);
    this.#channels.push(channel);
  }

  /** Call once all are added: puts them oldest first. */
  seal(): this {
    this.#iso.reverse();
    this.#channels.reverse();
    this.#ms = new Float64Array(this.#iso.length).fill(Number.NaN);
    return this;
  }

  #time(i: number): number {
    let t = this.#ms[i]!;
    if (Number.isNaN(t)) this.#ms[i] = t = toEpochMs(this.#iso[i]!);
    return t;
  }

  /** The positions of the contacts on `channel` (all contacts when undefined), oldest first. */
  positions(channel: Channel | undefined): readonly number[] {
    if (channel === undefined) return (this.#all ??= this.#iso.map((_, i) => i));
    let list = this.#byChannel.get(channel);
    if (!list) {
      list = [];
      for (let i = 0; i < this.#channels.length; i++) if (this.#channels[i] === channel) list.push(i);
      this.#byChannel.set(channel, list);
    }
    return list;
  }

  /** How many of `list` come after `t` (epoch ms): the first index of `list` past `t`. */
  #after(list: readonly number[], t: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#time(list[mid]!) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The contacts of `list` in `(from, to]`: the first index and the index past the last. */
  within(list: readonly number[], from: number, to: number): { start: number; end: number } {
    return { start: this.#after(list, from), end: this.#after(list, to) };
  }

  /** The instant of `list[k]`. */
  timeOf(list: readonly number[], k: number): number {
    return this.#time(list[k]!);
  }
}

/**
 * The contact-frequency rules, evaluated on what is known about one customer: their outbound
 * contacts and their complaints. Pure, so the service only gathers the data. `calendars` caches
 * the quiet-hours calendars (a fresh cache by default).
 */
export function evaluateContact(
  policy: ContactPolicy,
  customer: Pick<Customer, 'timeZone' | 'contactPreferences'>,
  contacts: ContactTimes,
  complaints: readonly Complaint[],
  channel: Channel,
  at: number,
  calendars: QuietCalendars = quietCalendars(),
): ContactCheck {
  const optedOut = policy.respectOptOuts && (customer.contactPreferences?.optedOutChannels ?? []).includes(channel);
  const quiet = customer.contactPreferences?.quietHours ?? policy.quietHours;
  const calendar = quiet ? calendars(customer.timeZone ?? 'UTC', quiet.start, quiet.end) : null;
  const resolvedAt = policy.afterResolution ? lastResolution(complaints, at) : Number.NEGATIVE_INFINITY;

  /** The first blocking rule at `t`, with when it stops blocking (null: never), or null when all allow. */
  const blocker = (t: number): { rule: ContactRule; reason: string; until: number | null } | null => {
    if (optedOut) return { rule: 'opted_out', reason: `the customer opted out of ${channel}`, until: null };
    const after = policy.afterResolution;
    if (after && t < resolvedAt + after.quietFor * MINUTE) {
      const { start, end } = contacts.within(contacts.positions(undefined), resolvedAt, t);
      const since = end - start;
      if (since >= after.followUps) {
        return {
          rule: 'after_resolution',
          reason: `a complaint was resolved less than ${days(after.quietFor)} ago and ${plural(since, 'follow-up')} ${
            since === 1 ? 'was' : 'were'
          } made (at most ${after.followUps})`,
          until: resolvedAt + after.quietFor * MINUTE,
        };
      }
    }
    for (const limit of policy.limits) {
      if (limit.channel !== undefined && limit.channel !== channel) continue;
      const list = contacts.positions(limit.channel);
      const { start, end } = contacts.within(list, t - limit.window * MINUTE, t);
      const count = end - start;
      if (count >= limit.max) {
        return {
          rule: 'max_per_window',
          reason: `${plural(count, `outbound ${limit.channel ? `${limit.channel} ` : ''}contact`)} in the last ${days(
            limit.window,
          )} (at most ${limit.max})`,
          // The oldest contacts leave the window one by one; one fewer than `max` must remain.
          until: limit.max === 0 ? null : contacts.timeOf(list, end - limit.max) + limit.window * MINUTE,
        };
      }
    }
    if (calendar && !calendar.isOpen(new Date(t))) {
      return {
        rule: 'quiet_hours',
        reason: `it is within the customer's quiet hours (${quiet!.start}–${quiet!.end}, ${customer.timeZone ?? 'UTC'})`,
        until: calendar.nextOpen(new Date(t)).getTime(),
      };
    }
    return null;
  };

  const first = blocker(at);
  if (!first) return { allowed: true };
  // The earliest instant every rule allows: move to where the blocking rule stops, and check again.
  let t = first.until;
  for (let round = 0; t !== null && round < 50; round++) {
    const next = blocker(t);
    if (!next) break;
    t = next.until === null ? null : Math.max(next.until, t + 1);
  }
  return { allowed: false, rule: first.rule, reason: first.reason, allowedAt: t === null ? null : new Date(t) };
}

/** The longest stretch of past contacts any rule looks at, in minutes. */
export function lookback(policy: ContactPolicy): number {
  let minutes = 0;
  for (const limit of policy.limits) minutes = Math.max(minutes, limit.window);
  if (policy.afterResolution) minutes = Math.max(minutes, policy.afterResolution.quietFor);
  return minutes;
}
