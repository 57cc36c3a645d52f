import type { BusinessCalendar } from '../calendar/calendar.js';
import type { SlaTarget } from '../events/events.js';
import type { Complaint, ComplaintActivity, ComplaintStatus, Priority } from '../schemas/complaint.js';
import type { SlaPolicy } from '../schemas/slaPolicy.js';
import { toEpochMs } from '../schemas/primitives.js';

const MINUTE = 60_000;

/**
 * Where one SLA target stands:
 * - `running`: the clock runs and less than the warning threshold is used;
 * - `warning`: the clock runs and the warning threshold is reached, the target not yet;
 * - `paused`: the clock is stopped by a pausing status (such as `pending_customer`);
 * - `breached`: more than the target is used and the clock has not stopped;
 * - `met`: the clock stopped (a response, the resolution) within the target;
 * - `missed`: the clock stopped, late.
 */
export type SlaState = 'running' | 'paused' | 'warning' | 'breached' | 'met' | 'missed';

/** One target of {@link SlaStatus}. */
export interface SlaTargetStatus {
  state: SlaState;
  /** The target, in business minutes, for the complaint's priority at the time asked about. */
  targetMinutes: number;
  /** Business minutes used so far (fractional). */
  elapsedMinutes: number;
  /** `targetMinutes - elapsedMinutes`: negative once the target is exceeded. */
  remainingMinutes: number;
  /**
   * The latest instant by which the target is met: stopping the clock at or before it meets the
   * target. `null` while paused within the target (it depends on when the clock resumes). For a
   * met target: when it would have been due had the clock kept running from where it stopped.
   */
  dueAt: Date | null;
  /** When the warning threshold is or was reached; `null` while paused before it. */
  warningAt: Date | null;
  /** When this clock started: the complaint's opening, or (next response) the customer's message. */
  startedAt: Date;
  /** When the clock stopped (met or missed), else `null`. */
  stoppedAt: Date | null;
}

/** What `crm.sla.status` returns. */
export interface SlaStatus {
  complaintId: string;
  /** The policy that applies, or `null` when none does (then `targets` is empty). */
  policyId: string | null;
  /** The priority the targets are taken from: the complaint's priority at `at`. */
  priority: Priority;
  /** The instant the status describes. */
  at: Date;
  /** Each target the policy sets for the priority. A next-response target appears once the customer has written after a response. */
  targets: Partial<Record<SlaTarget, SlaTargetStatus>>;
}

/** An SLA crossing, worked out from the activity log: what the scheduler emits and records. */
export interface SlaCrossing {
  target: SlaTarget;
  event: 'warning' | 'breached' | 'met';
  /** Id of the entry that started the clock (for `met`, the one that stopped it). */
  cycle: string;
  /** When it happens or happened (epoch ms): for `breached`, the first millisecond after `dueAt`. */
  at: number;
  dueAt: number;
}

const NONE_RECORDED: ReadonlySet<string> = new Set();
// Frozen: shared by every replay that has none, so a stray push would throw instead of leaking.
const NO_RESOLUTIONS = Object.freeze([]) as unknown as { id: string; at: number }[];
const NO_LENGTHS = Object.freeze([]) as unknown as number[];

/** A running-time measure of one clock: closed running segments, and whether it runs now. */
class Stopwatch {
  /** Closed running segments as [start, end, start, end, …] epoch ms. */
  readonly segments: number[] = [];
  runningSince = Number.NaN;
  stoppedAt = Number.NaN;
  /** Id of the entry that stopped the clock. */
  stoppedBy = '';
  /** Business ms of each closed segment, worked out once. */
  private lengths: number[] | null = null;
  /** Status parts that don't depend on the instant (see planOf). */
  plan: WatchPlan | null = null;

  constructor(readonly target: SlaTarget, readonly cycle: string, readonly startedAt: number) {}

  get stopped(): boolean {
    return !Number.isNaN(this.stoppedAt);
  }

  get running(): boolean {
    return !Number.isNaN(this.runningSince);
  }

  /** Business ms of each closed segment on `cal`. */
  segmentLengths(cal: BusinessCalendar): number[] {
    if (this.lengths === null) {
      const s = this.segments;
      this.lengths = s.length === 0 ? NO_LENGTHS : [];
      for (let i = 0; i < s.length; i += 2) this.lengths.push(cal.businessMsBetween(s[i]!, s[i + 1]!));
    }
    return this.lengths;
  }

  run(t: number): void {
    if (!this.stopped && !this.running) this.runningSince = t;
  }

  pause(t: number): void {
    if (!this.running) return;
    if (t > this.runningSince) this.segments.push(this.runningSince, t);
    this.lengths = null;
    this.plan = null;
    this.runningSince = Number.NaN;
  }

  stop(t: number, by: string): void {
    if (this.stopped) return;
    this.pause(t);
    this.stoppedAt = t;
    this.stoppedBy = by;
  }
}

const RESOLVED: ReadonlySet<ComplaintStatus> = new Set(['resolved', 'closed']);

/**
 * The activity up to `at` (epoch ms) with each entry's instant, in time order (the log is nearly
 * always in order already), and the priority the first priority change of the whole log started
 * from (the complaint's priority before it), found in the same pass.
 */
function activityUntil(
  activity: readonly ComplaintActivity[],
  at: number,
): { entries: readonly ComplaintActivity[]; times: number[]; initialPriority: Priority | null; whole: boolean; last: number } {
  let sorted = true;
  let all = true;
  const times: number[] = [];
  let initialPriority: Priority | null = null;
  for (let i = 0; i < activity.length; i++) {
    const entry = activity[i]!;
    if (initialPriority === null && entry.type === 'priority_changed') initialPriority = entry.from;
    const t = toEpochMs(entry.at);
    if (times.length && t < times[times.length - 1]!) sorted = false;
    if (t > at) all = false;
    times.push(t);
  }
  // The usual case, asking about now: the whole log, already in order.
  if (sorted && all)
    return { entries: activity, times, initialPriority, whole: true, last: times.length ? times[times.length - 1]! : -Infinity };
  const order = times
    .map((_, i) => i)
    .filter((i) => times[i]! <= at)
    .sort((a, b) => times[a]! - times[b]! || a - b);
  const last = times.reduce((a, b) => Math.max(a, b), -Infinity);
  return { entries: order.map((i) => activity[i]!), times: order.map((i) => times[i]!), initialPriority, whole: all, last };
}

/** What the activity log says about the complaint's SLA clocks up to an instant. */
export interface SlaTimeline {
  priority: Priority;
  /** The first-response and resolution clocks, and one next-response clock per cycle, in order. */
  watches: Stopwatch[];
  /** The first-response and resolution clocks, and the latest next-response one. */
  first: Stopwatch | null;
  next: Stopwatch | null;
  resolution: Stopwatch | null;
  /** Keys (`target/cycle/event`) of crossings already recorded in the log. */
  recorded: ReadonlySet<string>;
  /** For resolution: ids of the entries that resolved the complaint, with the instants. */
  resolutions: { id: string; at: number }[];
}

/**
 * Replays of whole activity logs, by complaint id, each for one stored record. Stored records
 * are immutable (a change writes a new record), so the replay of a record's whole log holds for
 * every instant after its last entry: asking about the same open complaints again (a dashboard
 * refreshing) skips the replay, and with it reading every entry of every log, which at 100,000
 * complaints costs more in cache misses than the arithmetic. A Map by id rather than a WeakMap
 * by record: a newer version replaces the older one, and the Map costs the garbage collector
 * far less than 100,000 weak keys. It starts over past {@link MAX_REPLAYS} entries.
 *
 * Each CRM owns one ({@link replayCache}), so two CRMs never share or evict each other's; the
 * functions below replay afresh when given none.
 */
export type ReplayCache = Map<string, { record: Complaint; policy: SlaPolicy; last: number; line: SlaTimeline }>;
const MAX_REPLAYS = 250_000;

/** A new, empty {@link ReplayCache}. */
export function replayCache(): ReplayCache {
  return new Map();
}

/** Replays the activity log up to `at` (epoch ms) into SLA clocks, through `replays` when given. */
export function timeline(complaint: Complaint, policy: SlaPolicy, at: number, replays?: ReplayCache): SlaTimeline {
  const known = replays?.get(complaint.id);
  if (known !== undefined && known.record === complaint && known.policy === policy && at >= known.last) return known.line;
  const line = replay(complaint, policy, at);
  if (replays && line.whole && Object.isFrozen(complaint)) {
    if (replays.size >= MAX_REPLAYS) replays.clear();
    replays.set(complaint.id, { record: complaint, policy, last: line.last, line });
  }
  return line;
}

function replay(complaint: Complaint, policy: SlaPolicy, at: number): SlaTimeline & { whole: boolean; last: number } {
  const pause = policy.pauseStatuses;
  const watches: Stopwatch[] = [];
  // Most logs have neither: both start as shared empty values, copied on first write.
  let recorded: ReadonlySet<string> = NONE_RECORDED;
  let resolutions: { id: string; at: number }[] = NO_RESOLUTIONS;
  let first: Stopwatch | null = null;
  let resolution: Stopwatch | null = null;
  let next: Stopwatch | null = null;
  let status: ComplaintStatus = 'new';
  let priority: Priority | null = null;
  let responded = false;

  const { entries, times, initialPriority, whole, last: lastEntryAt } = activityUntil(complaint.activity, at);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const t = times[i]!;
    switch (entry.type) {
      case 'opened':
        first = new Stopwatch('firstResponse', entry.id, t);
        resolution = new Stopwatch('resolution', entry.id, t);
        watches.push(first, resolution);
        break;
      case 'status_changed':
        status = entry.to;
        if (RESOLVED.has(status)) {
          first?.stop(t, entry.id);
          next?.stop(t, entry.id);
          if (status === 'resolved' && entry.from !== 'resolved') resolutions = [...resolutions, { id: entry.id, at: t }];
        }
        break;
      case 'responded':
        if (entry.direction === 'outbound') {
          responded = true;
          first?.stop(t, entry.id);
          next?.stop(t, entry.id);
        } else if (responded && (!next || next.stopped) && !RESOLVED.has(status)) {
          next = new Stopwatch('nextResponse', entry.id, t);
          watches.push(next);
        }
        break;
      case 'priority_changed':
        priority ??= entry.from;
        priority = entry.to;
        break;
      case 'sla':
        if (recorded === NONE_RECORDED) recorded = new Set();
        (recorded as Set<string>).add(`${entry.target}/${entry.cycle}/${entry.event}`);
        break;
    }
    // Every clock runs unless the status pauses or ends it.
    if (pause.includes(status) || RESOLVED.has(status)) {
      first?.pause(t);
      next?.pause(t);
      resolution?.pause(t);
    } else {
      first?.run(t);
      next?.run(t);
      resolution?.run(t);
    }
  }
  // A resolved (or closed) complaint's resolution clock stands stopped at its last resolution.
  const last = resolutions[resolutions.length - 1];
  if (resolution && RESOLVED.has(status) && last) resolution.stop(last.at, last.id);
  // Before any priority change up to `at`, the priority is the one the first change started from.
  priority ??= initialPriority ?? complaint.priority;
  return { priority, watches, first, next, resolution, recorded, resolutions, whole, last: lastEntryAt };
}

/** Business ms a watch has run by `now`. */
function elapsedMs(cal: BusinessCalendar, w: Stopwatch, now: number): number {
  let ms = 0;
  for (const len of w.segmentLengths(cal)) ms += len;
  if (w.running && now > w.runningSince) ms += cal.businessMsBetween(w.runningSince, now);
  return ms;
}

/**
 * The latest instant at which the watch has used exactly `budget` business ms, if its segments
 * (the running one taken as open-ended) reach past it; NaN if they don't.
 */
function crossing(cal: BusinessCalendar, w: Stopwatch, budget: number): number {
  let used = 0;
  const lengths = w.segmentLengths(cal);
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    if (used + len > budget) return cal.addBusinessMs(w.segments[2 * i]!, budget - used);
    used += len;
  }
  return w.running ? cal.addBusinessMs(w.runningSince, budget - used) : Number.NaN;
}

/** The business ms of `target` for `priority` under `policy`, or undefined when the policy sets none. */
function budgetOf(policy: SlaPolicy, priority: Priority, target: SlaTarget): number | undefined {
  const minutes = policy.targets[priority]?.[target];
  return minutes === undefined ? undefined : Math.round(minutes * MINUTE);
}

/** What a watch's status needs that doesn't depend on the instant asked about (for instants after its last entry). */
interface WatchPlan {
  budget: number;
  /** Business ms of the closed segments. */
  closedMs: number;
  /** Due and warning instants (NaN when not known: paused within the target). */
  due: number;
  warn: number;
}

/** The parts of a watch's status that hold for every instant from its replay on, worked out once. */
function planOf(cal: BusinessCalendar, policy: SlaPolicy, w: Stopwatch, budget: number): WatchPlan {
  if (w.plan !== null && w.plan.budget === budget) return w.plan;
  let closedMs = 0;
  for (const len of w.segmentLengths(cal)) closedMs += len;
  const warnBudget = Math.round(budget * policy.warningThreshold);
  let due = crossing(cal, w, budget);
  let warn = crossing(cal, w, warnBudget);
  if (w.stopped) {
    // Met: when it would have been due had the clock run on from where it stopped.
    if (Number.isNaN(due)) due = cal.addBusinessMs(w.stoppedAt, budget - closedMs);
    if (Number.isNaN(warn) && closedMs <= warnBudget) warn = cal.addBusinessMs(w.stoppedAt, warnBudget - closedMs);
  }
  w.plan = { budget, closedMs, due, warn };
  return w.plan;
}

/** Business ms a watch has used by `now`: its closed segments (worked out once), and the running one. */
function usedMs(cal: BusinessCalendar, w: Stopwatch, now: number): number {
  let ms = 0;
  for (const len of w.segmentLengths(cal)) ms += len;
  return w.running && now > w.runningSince ? ms + cal.businessMsBetween(w.runningSince, now) : ms;
}

/**
 * The state of a watch that has used `used` business ms of `budget` by `now`. Only a running
 * watch within its budget needs its warning instant (the plan), so a stopped one costs no search.
 */
function stateOf(cal: BusinessCalendar, policy: SlaPolicy, w: Stopwatch, budget: number, used: number, now: number): SlaState {
  if (w.stopped) return used <= budget ? 'met' : 'missed';
  if (used > budget) return 'breached';
  if (!w.running) return 'paused';
  return now >= planOf(cal, policy, w, budget).warn ? 'warning' : 'running';
}

/** The status of one watch at `now` (epoch ms). */
function watchStatus(cal: BusinessCalendar, policy: SlaPolicy, w: Stopwatch, budget: number, now: number): SlaTargetStatus {
  const { due, warn } = planOf(cal, policy, w, budget);
  const used = usedMs(cal, w, now);
  return {
    state: stateOf(cal, policy, w, budget, used, now),
    targetMinutes: budget / MINUTE,
    elapsedMinutes: used / MINUTE,
    remainingMinutes: (budget - used) / MINUTE,
    dueAt: Number.isNaN(due) ? null : new Date(due),
    warningAt: Number.isNaN(warn) ? null : new Date(warn),
    startedAt: new Date(w.startedAt),
    stoppedAt: w.stopped ? new Date(w.stoppedAt) : null,
  };
}

/** What analytics reads of one target's status: no instants, so nothing to allocate but itself. */
export interface SlaTargetBrief {
  state: SlaState;
  elapsedMinutes: number;
  /** Whether the clock stopped (met or missed). */
  stopped: boolean;
}

/** The state of each target of a complaint: {@link slaStatus} without the instants. */
export type SlaBrief = Partial<Record<SlaTarget, SlaTargetBrief>>;

const NO_TARGETS: SlaBrief = Object.freeze({});

/**
 * {@link slaStatus}'s states and business minutes alone, at `now` (epoch ms): what KPIs and
 * health read of 100,000 complaints at a time, without the four dates per target.
 */
export function slaBrief(
  complaint: Complaint,
  policy: SlaPolicy | null,
  cal: BusinessCalendar | null,
  now: number,
  replays?: ReplayCache,
): SlaBrief {
  if (!policy || !cal) return NO_TARGETS;
  const line = timeline(complaint, policy, now, replays);
  const brief: SlaBrief = {};
  const add = (target: SlaTarget, w: Stopwatch | null) => {
    const budget = w ? budgetOf(policy, line.priority, target) : undefined;
    if (!w || budget === undefined) return;
    const used = usedMs(cal, w, now);
    brief[target] = { state: stateOf(cal, policy, w, budget, used, now), elapsedMinutes: used / MINUTE, stopped: w.stopped };
  };
  add('firstResponse', line.first);
  add('nextResponse', line.next);
  add('resolution', line.resolution);
  return brief;
}

/**
 * The SLA status of `complaint` under `policy` at `now`: a pure function of the activity log,
 * the policy and the instant.
 */
export function slaStatus(
  complaint: Complaint,
  policy: SlaPolicy | null,
  cal: BusinessCalendar | null,
  now: Date,
  replays?: ReplayCache,
): SlaStatus {
  const nowMs = now.getTime();
  if (!policy || !cal) {
    return { complaintId: complaint.id, policyId: null, priority: complaint.priority, at: now, targets: {} };
  }
  const line = timeline(complaint, policy, nowMs, replays);
  const targets: SlaStatus['targets'] = {};
  // The latest watch of each target describes it (the first response and resolution have one).
  const { first, next, resolution } = line;
  let budget: number | undefined;
  if (first && (budget = budgetOf(policy, line.priority, 'firstResponse')) !== undefined) {
    targets.firstResponse = watchStatus(cal, policy, first, budget, nowMs);
  }
  if (next && (budget = budgetOf(policy, line.priority, 'nextResponse')) !== undefined) {
    targets.nextResponse = watchStatus(cal, policy, next, budget, nowMs);
  }
  if (resolution && (budget = budgetOf(policy, line.priority, 'resolution')) !== undefined) {
    targets.resolution = watchStatus(cal, policy, resolution, budget, nowMs);
  }
  return { complaintId: complaint.id, policyId: policy.id, priority: line.priority, at: now, targets };
}

/**
 * Every SLA crossing of the complaint, past and projected, by its clocks as they stand at `now`:
 * the scheduler emits those at or before `now` that are not recorded yet and waits for the
 * earliest later one. Projections past `now` assume nothing else happens.
 */
export function slaCrossings(
  complaint: Complaint,
  policy: SlaPolicy,
  cal: BusinessCalendar,
  now: number,
  replays?: ReplayCache,
): { due: SlaCrossing[]; next: number; recorded: ReadonlySet<string> } {
  const line = timeline(complaint, policy, now, replays);
  const due: SlaCrossing[] = [];
  let next = Number.POSITIVE_INFINITY;
  const consider = (c: SlaCrossing) => {
    if (line.recorded.has(`${c.target}/${c.cycle}/${c.event}`)) return;
    if (c.at <= now) due.push(c);
    else if (c.at < next) next = c.at;
  };
  for (const w of line.watches) {
    const budget = budgetOf(policy, line.priority, w.target);
    if (budget === undefined) continue;
    const dueAt = crossing(cal, w, budget);
    const warnBudget = Math.round(budget * policy.warningThreshold);
    const warnAt = crossing(cal, w, warnBudget);
    // crossing() finds an instant only inside a stretch the clock ran (NaN otherwise), so a
    // stopped clock has a crossing only where it ran past it: stopped exactly at its warning
    // instant, it has no warning; stopped at `dueAt` it is met, with no breach; stopped at
    // `dueAt + 1` ms or later it is missed, and has its breach (at `dueAt + 1`, as when live).
    if (!Number.isNaN(warnAt)) {
      // A clock that stopped (or paused) before its due instant has no crossing of it: the warning
      // then says the due instant as it stood when the warning was reached.
      const due = Number.isNaN(dueAt) ? cal.addBusinessMs(warnAt, budget - warnBudget) : dueAt;
      consider({ target: w.target, event: 'warning', cycle: w.cycle, at: warnAt, dueAt: due });
    }
    if (!Number.isNaN(dueAt)) consider({ target: w.target, event: 'breached', cycle: w.cycle, at: dueAt + 1, dueAt });
    if (w.target !== 'resolution' && w.stopped && elapsedMs(cal, w, w.stoppedAt) <= budget) {
      const stopDue = cal.addBusinessMs(w.stoppedAt, budget - elapsedMs(cal, w, w.stoppedAt));
      consider({ target: w.target, event: 'met', cycle: w.stoppedBy, at: w.stoppedAt, dueAt: stopDue });
    }
  }
  // Resolution is met at each resolution within the target (it may be reopened and resolved again).
  const res = line.watches.find((w) => w.target === 'resolution');
  const budget = budgetOf(policy, line.priority, 'resolution');
  if (res && budget !== undefined) {
    for (const r of line.resolutions) {
      const used = elapsedUntil(cal, res, r.at);
      if (used <= budget) {
        consider({ target: 'resolution', event: 'met', cycle: r.id, at: r.at, dueAt: cal.addBusinessMs(r.at, budget - used) });
      }
    }
  }
  return { due, next, recorded: line.recorded };
}

/** Business ms the watch had run by instant `t` (which may be in the past). */
function elapsedUntil(cal: BusinessCalendar, w: Stopwatch, t: number): number {
  let ms = 0;
  const s = w.segments;
  for (let i = 0; i < s.length; i += 2) {
    if (s[i]! >= t) break;
    ms += cal.businessMsBetween(s[i]!, Math.min(s[i + 1]!, t));
  }
  if (w.running && w.runningSince < t) ms += cal.businessMsBetween(w.runningSince, t);
  return ms;
}
