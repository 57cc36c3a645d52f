import * as z from 'zod/mini';
import type { BusinessCalendar } from '../calendar/calendar.js';
import { CrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { TimestampSchema, toEpochMs } from '../schemas/primitives.js';
import type { Complaint } from '../schemas/complaint.js';
import type { Staff } from '../schemas/staff.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { SlaBrief, SlaTargetBrief } from '../sla/engine.js';
import type { CrmStore } from '../store/types.js';
import { complaintCounts, isHandoff } from './counts.js';
import { scan } from './scan.js';
import { KPI_NAMES, KpiQuerySchema, type KpiName, type KpiQuery } from './targets.js';


const HIGHER_IS_BETTER: ReadonlySet<KpiName> = new Set(['slaAttainment', 'satisfaction', 'retention']);

/** One KPI: its value (`null` without data), its target (`null` when none was set) and whether it is met. */
export interface Kpi {
  value: number | null;
  target: number | null;
  /** `null` when there is no value or no target. */
  met: boolean | null;
}

/** KPIs of one set of complaints. */
export interface KpiSet {
  /** Complaints opened in the period. */
  complaints: number;
  kpis: Record<KpiName, Kpi>;
}

/** What `crm.kpis` returns. */
export interface KpiReport extends KpiSet {
  from: string;
  to: string;
  /** Customers created before `to`. */
  customers: number;
  /** With `groupBy`: each group's KPIs, most complaints first (`key` null: no owner or department). Retention is not grouped. */
  groups?: (KpiSet & { key: string | null })[];
}

/** What the KPIs need of the CRM. */
export interface KpiContext {
  store: CrmStore;
  now(): number;
  staff: ReadonlyMap<string, Staff> | null;
  targets: Partial<Record<KpiName, number>>;
  briefOf(complaint: Complaint, at: number): SlaBrief;
  calendarOf(complaint: Complaint): BusinessCalendar | null;
}

/** Facts of one complaint of the period. */
interface Facts {
  group: string | null;
  firstResponse: number | null;
  resolution: number | null;
  met: number;
  decided: number;
  breached: boolean;
  handoffs: number;
  repeats: number;
  satisfaction: number | null;
}

/** Median: the middle value, or the mean of the two middle ones. */
export function median(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** The nearest-rank percentile `q` (0–1] of sorted values: the smallest value with at least `q` of them at or below it. */
export function percentile(sorted: ArrayLike<number>, q: number): number | null {
  return sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! : null;
}

const RESOLVED = new Set(['resolved', 'closed']);
const NO_TOUCHPOINTS: readonly Touchpoint[] = [];
const MINUTE = 60_000;


/** The instant KPIs are measured at, as epoch ms and as a stored timestamp (made once per call). */
interface Instant {
  ms: number;
  iso: string;
}

/** Reads one complaint's facts into `f` (one object reused for a whole cohort: nothing to collect). */
function factsOf(ctx: KpiContext, c: Complaint, at: Instant, linked: readonly Touchpoint[], groupBy: string | undefined, f: Facts): Facts {
  // Stored timestamps are canonical ISO strings: compared as strings, and only the three that
  // count are parsed (a hundred thousand logs of a dozen entries each add up).
  const atIso = at.iso;
  let openedAt = c.createdAt;
  let respondedAt: string | undefined;
  let resolvedAt: string | undefined;
  let isResolved = false;
  let owner = c.ownerId ?? null;
  let satisfaction: number | null = null;
  let handoffs = 0;
  // The type first: an entry's time is read only when the entry counts (each is one more cache miss).
  for (const e of c.activity) {
    switch (e.type) {
      case 'opened':
        if (e.at <= atIso) openedAt = e.at;
        break;
      case 'assigned':
        if (e.at <= atIso) {
          owner = e.to;
          if (isHandoff(e)) handoffs++;
        }
        break;
      case 'satisfaction_recorded':
        if (e.at <= atIso) satisfaction = e.score;
        break;
      case 'responded':
        if (e.direction === 'outbound' && respondedAt === undefined && e.at <= atIso) respondedAt = e.at;
        break;
      case 'status_changed':
        if (e.at <= atIso) {
          isResolved = RESOLVED.has(e.to);
          if (e.to === 'resolved' && e.from !== 'resolved') resolvedAt = e.at;
          if (isResolved && respondedAt === undefined) respondedAt = e.at;
        }
        break;
    }
  }
  const targets = c.slaPolicyId === undefined ? undefined : ctx.briefOf(c, at.ms);
  const cal = ctx.calendarOf(c);
  let met = 0;
  let decided = 0;
  let breached = false;
  for (const name in targets) {
    const t = targets[name as keyof typeof targets]!;
    if (t.state === 'met') met++;
    if (t.state === 'met' || t.state === 'missed' || t.state === 'breached') decided++;
    if (t.state === 'missed' || t.state === 'breached') breached = true;
  }
  // Repeat contacts need the linked touchpoints; most complaints have none.
  const repeats = linked.length ? complaintCounts(c, linked, at.ms).repeatContacts : 0;
  const group =
    groupBy === 'channel'
      ? c.channel
      : groupBy === 'owner'
      ? owner
      : groupBy === 'department'
      ? (owner && ctx.staff?.get(owner)?.departments[0]) ?? null
      : null;
  f.group = group;
  f.firstResponse = respondedAt === undefined ? null : businessMinutes(targets?.firstResponse, cal, openedAt, respondedAt);
  f.resolution = isResolved && resolvedAt !== undefined ? businessMinutes(targets?.resolution, cal, openedAt, resolvedAt) : null;
  f.met = met;
  f.decided = decided;
  f.breached = breached;
  f.handoffs = handoffs;
  f.repeats = repeats;
  f.satisfaction = satisfaction;
  return f;
}

/**
 * Minutes from `opened` to `stop` (stored timestamps): the SLA clock's business minutes (pauses
 * left out) when it measured this span, else the calendar's, else wall-clock minutes.
 */
function businessMinutes(target: SlaTargetBrief | undefined, cal: BusinessCalendar | null, opened: string, stop: string): number {
  if (target?.stopped) return target.elapsedMinutes;
  const [from, to] = [toEpochMs(opened), toEpochMs(stop)];
  return (cal ? cal.businessMsBetween(from, to) : to - from) / MINUTE;
}

/** Numbers kept for a median, in a typed array that grows (sorted natively, no comparator). */
class Values {
  #values = new Float64Array(256);
  #n = 0;
  push(value: number): void {
    if (this.#n === this.#values.length) {
      const bigger = new Float64Array(this.#n * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#n++] = value;
  }
  sorted(): Float64Array {
    return this.#values.subarray(0, this.#n).sort();
  }
}

/** The running totals of one set of complaints (the whole cohort, or one group). */
class KpiTally {
  complaints = 0;
  met = 0;
  decided = 0;
  breaches = 0;
  handoffs = 0;
  repeats = 0;
  readonly first = new Values();
  readonly resolution = new Values();
  readonly satisfaction = new Values();

  add(f: Facts): void {
    this.complaints++;
    this.met += f.met;
    this.decided += f.decided;
    if (f.breached) this.breaches++;
    this.handoffs += f.handoffs;
    this.repeats += f.repeats;
    if (f.firstResponse !== null) this.first.push(f.firstResponse);
    if (f.resolution !== null) this.resolution.push(f.resolution);
    if (f.satisfaction !== null) this.satisfaction.push(f.satisfaction);
  }
}

function kpi(ctx: KpiContext, name: KpiName, value: number | null): Kpi {
  const target = ctx.targets[name] ?? null;
  const met = value === null || target === null ? null : HIGHER_IS_BETTER.has(name) ? value >= target : value <= target;
  return { value, target, met };
}

function kpiSet(ctx: KpiContext, tally: KpiTally, customers: number, retention: number | null): KpiSet {
  const first = tally.first.sorted();
  const resolution = tally.resolution.sorted();
  const rated = tally.satisfaction.sorted();
  const { complaints: n, met, decided, breaches, handoffs, repeats } = tally;
  const values: Record<KpiName, number | null> = {
    firstResponseMedian: median(first),
    firstResponseP90: percentile(first, 0.9),
    resolutionMedian: median(resolution),
    resolutionP90: percentile(resolution, 0.9),
    slaAttainment: decided ? met / decided : null,
    breaches,
    handoffsPerComplaint: n ? handoffs / n : null,
    repeatContactsPerComplaint: n ? repeats / n : null,
    satisfaction: rated.length ? rated.reduce((a, b) => a + b, 0) / rated.length : null,
    complaintsPer100Customers: customers ? (100 * n) / customers : null,
    retention,
  };
  const kpis = {} as Record<KpiName, Kpi>;
  for (const name of KPI_NAMES) kpis[name] = kpi(ctx, name, values[name]);
  return { complaints: n, kpis };
}

/**
 * The KPIs of `[from, to)`. Complaint KPIs are over the complaints opened in the period, as they
 * stood at `to` (or now, if earlier). Reads every customer, complaint and touchpoint once through
 * the store's `list`, so it works on any store.
 */
export async function computeKpis(ctx: KpiContext, query: KpiQuery): Promise<KpiReport> {
  const { from, to, groupBy } = parseOrThrow(KpiQuerySchema, query, 'KPI query');
  const fromMs = toEpochMs(from);
  const toMs = toEpochMs(to);
  if (fromMs >= toMs) throw CrmValidationError.field('KPI query', ['from'], 'must be before `to`', 'invalid_range');
  const atMs = Math.min(toMs, ctx.now());
  const at: Instant = { ms: atMs, iso: new Date(atMs).toISOString() };
  const prevFrom = fromMs - (toMs - fromMs);
  // The period's bounds as stored timestamps, to compare records' timestamps as strings.
  const [fromIso, toIso, prevFromIso] = [fromMs, toMs, prevFrom].map((ms) => new Date(ms).toISOString()) as [string, string, string];

  let customers = 0;
  const cohort: Complaint[] = [];
  const linked = new Map<string, Touchpoint[]>();
  const orderedNow = new Set<string>();
  const orderedBefore = new Set<string>();
  await Promise.all([
    scan(ctx.store, 'customers', (c) => {
      if (c.createdAt < toIso) customers++;
    }),
    scan(ctx.store, 'complaints', (c) => {
      const opened = c.activity[0]?.type === 'opened' ? c.activity[0].at : c.createdAt;
      if (opened >= fromIso && opened < toIso) cohort.push(c);
    }),
    scan(ctx.store, 'touchpoints', (tp) => {
      if (tp.complaintId !== undefined && tp.direction === 'inbound') {
        const list = linked.get(tp.complaintId);
        if (list) list.push(tp);
        else linked.set(tp.complaintId, [tp]);
      }
      if (tp.outcome === 'order') {
        const t = tp.occurredAt;
        if (t >= fromIso && t < toIso) orderedNow.add(tp.customerId);
        else if (t >= prevFromIso && t < fromIso) orderedBefore.add(tp.customerId);
      }
    }),
  ]);

  let retained = 0;
  for (const id of orderedNow) if (orderedBefore.has(id)) retained++;
  const retention = orderedBefore.size ? retained / orderedBefore.size : null;
  const all = new KpiTally();
  const groups = new Map<string | null, KpiTally>();
  const scratch: Facts = { group: null, firstResponse: null, resolution: null, met: 0, decided: 0, breached: false, handoffs: 0, repeats: 0, satisfaction: null };
  for (const c of cohort) {
    const f = factsOf(ctx, c, at, linked.get(c.id) ?? NO_TOUCHPOINTS, groupBy, scratch);
    all.add(f);
    if (groupBy) {
      let tally = groups.get(f.group);
      if (!tally) groups.set(f.group, (tally = new KpiTally()));
      tally.add(f);
    }
  }
  const report: KpiReport = { from, to, customers, ...kpiSet(ctx, all, customers, retention) };
  if (groupBy) {
    report.groups = [...groups]
      .map(([key, tally]) => ({ key, ...kpiSet(ctx, tally, customers, null) }))
      .sort((a, b) => b.complaints - a.complaints || String(a.key).localeCompare(String(b.key)));
  }
  return report;
}
