import * as z from 'zod/mini';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import { CrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { toEpochMs, wholeNumber } from '../schemas/primitives.js';
import { UNRESOLVED_STATUSES, type Complaint } from '../schemas/complaint.js';
import type { Customer } from '../schemas/customer.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { SlaBrief, SlaState, SlaStatus } from '../sla/engine.js';
import type { CrmStore, HistoryItem, Page } from '../store/types.js';
import { scan } from './scan.js';

/** Why a customer's health is down: a sentence a person can act on, and the points it costs. */
export interface HealthReason {
  code: 'open_complaints' | 'sla_breached' | 'negative_outcomes' | 'negative_sentiment' | 'silence';
  message: string;
  /** Points taken off the score of 100. */
  points: number;
}

/** What `crm.health` returns. */
export interface CustomerHealth {
  customerId: string;
  /** `healthy` (score above 80), `at_risk` (50–80) or `critical` (below 50). */
  level: 'healthy' | 'at_risk' | 'critical';
  /** 100 minus the points of the reasons, at least 0. */
  score: number;
  /** Most points first. */
  reasons: HealthReason[];
}

/** Query of `crm.atRisk`. */
export const AtRiskQuerySchema = z.strictObject({ limit: z.optional(wholeNumber(1, 1000)) });
/** Query of `crm.atRisk`: how many customers, 1–1000 (default 20). */
export type AtRiskQuery = z.input<typeof AtRiskQuerySchema>;

const DAY = 86_400_000;
/** Touchpoints of the last 90 days are "recent". */
const RECENT = 90 * DAY;
/** The usual contact gap is the median gap between the newest 21 touchpoints. */
const GAP_SAMPLE = 21;
const UNRESOLVED: ReadonlySet<string> = new Set(UNRESOLVED_STATUSES);
const NEGATIVE_OUTCOMES: ReadonlySet<string> = new Set(['complaint', 'not_interested']);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const quoted = (list: readonly Complaint[]) =>
  list
    .slice(0, 3)
    .map((c) => `"${c.subject}"`)
    .join(', ') + (list.length > 3 ? ', …' : '');

/** What health is computed from: the numbers (cheap, for every customer), before any sentence is written. */
interface HealthFacts {
  customerId: string;
  open: number;
  /** The oldest open complaint. */
  oldestOpen: Complaint | undefined;
  breached: Complaint[];
  recent: number;
  negative: number;
  /** The negative outcomes seen, in order (empty when none). */
  outcomes: string[];
  rated: number;
  mean: number;
  /** Days of silence and the usual gap in days, when silence is a reason. */
  silence: { days: number; usualDays: number } | null;
}

/** The points each reason costs, from the numbers alone (shared by `health` and `atRisk`'s ranking). */
const POINTS = {
  open_complaints: (open: number) => Math.min(30, 10 * open),
  sla_breached: (breached: number) => Math.min(40, 20 * breached),
  negative_outcomes: (negative: number) => Math.min(24, 8 * negative),
  negative_sentiment: () => 15,
  silence: () => 20,
} as const;

/** Sentiment averaging this or less over the recent rated contacts is a reason. */
const LOW_SENTIMENT = -0.3;

/** The score out of 100 from the numbers health is made of. */
function scoreFrom(open: number, breached: number, negative: number, lowSentiment: boolean, silent: boolean): number {
  let points = 0;
  if (open) points += POINTS.open_complaints(open);
  if (breached) points += POINTS.sla_breached(breached);
  if (negative) points += POINTS.negative_outcomes(negative);
  if (lowSentiment) points += POINTS.negative_sentiment();
  if (silent) points += POINTS.silence();
  return Math.max(0, 100 - points);
}

/** The state of each SLA target of a complaint (at the instant health is computed for). */
type TargetsOf = (complaint: Complaint) => Readonly<Partial<Record<string, { readonly state: SlaState }>>>;

/**
 * Whether a complaint counts as breached: it has an SLA policy and a target breached or missed,
 * and it is open or was resolved in the last 90 days.
 */
function isBreached(c: Complaint, open: boolean, recentIso: string, targetsOf: TargetsOf): boolean {
  if (c.slaPolicyId === undefined || (!open && !(c.resolvedAt && c.resolvedAt >= recentIso))) return false;
  const targets = targetsOf(c);
  for (const name in targets) {
    const state = targets[name as keyof typeof targets]!.state;
    if (state === 'breached' || state === 'missed') return true;
  }
  return false;
}

const gapScratch = new Float64Array(GAP_SAMPLE - 1);

/**
 * Silence, from the instants (epoch ms, newest first) of the customer's newest `count` (at most
 * 21) past touchpoints, `total` of them in all: two weeks without contact at least, and over
 * twice the usual gap (the median gap between those touchpoints, at least a day).
 */
function silenceOf(newest: ArrayLike<number>, offset: number, count: number, total: number, now: number): HealthFacts['silence'] {
  if (total < 3 || now - newest[offset]! < 14 * DAY) return null;
  const n = Math.min(count, GAP_SAMPLE) - 1;
  for (let i = 0; i < n; i++) gapScratch[i] = newest[offset + i]! - newest[offset + i + 1]!;
  const gaps = gapScratch.subarray(0, n).sort();
  const usual = Math.max(DAY, gaps[n >> 1]!);
  const quiet = now - newest[offset]!;
  return quiet > 2 * usual ? { days: Math.floor(quiet / DAY), usualDays: Math.round(usual / DAY) } : null;
}

const NONE: Complaint[] = [];
const NO_OUTCOMES: string[] = [];

/** The instants health compares stored timestamps with, as stored timestamps (computed once per `now`). */
let bounds = { now: Number.NaN, nowIso: '', recentIso: '' };
function boundsOf(now: number) {
  if (bounds.now !== now) {
    bounds = { now, nowIso: new Date(now).toISOString(), recentIso: new Date(now - RECENT).toISOString() };
  }
  return bounds;
}

function factsOf(
  customerId: string,
  complaints: readonly Complaint[],
  touchpoints: readonly Touchpoint[],
  now: number,
  targetsOf: TargetsOf,
): HealthFacts {
  let open = 0;
  let oldestOpen: Complaint | undefined;
  let breached: Complaint[] = NONE;
  const { recentIso } = boundsOf(now);
  for (const c of complaints) {
    const isOpen = UNRESOLVED.has(c.status);
    if (isOpen) {
      open++;
      if (!oldestOpen || c.createdAt < oldestOpen.createdAt) oldestOpen = c;
    }
    if (isBreached(c, isOpen, recentIso, targetsOf)) {
      if (breached === NONE) breached = [];
      breached.push(c);
    }
  }
  let recent = 0;
  let negative = 0;
  let rated = 0;
  let sum = 0;
  let outcomes: string[] = NO_OUTCOMES;
  for (const tp of touchpoints) {
    // Stored timestamps compare as strings; touchpoints come newest first.
    if (tp.occurredAt < recentIso) break;
    recent++;
    if (tp.outcome !== undefined && NEGATIVE_OUTCOMES.has(tp.outcome)) {
      negative++;
      if (outcomes === NO_OUTCOMES) outcomes = [];
      if (!outcomes.includes(tp.outcome)) outcomes.push(tp.outcome);
    }
    if (tp.sentiment !== undefined) {
      rated++;
      sum += tp.sentiment;
    }
  }
  const newest = touchpoints.slice(0, GAP_SAMPLE).map((tp) => toEpochMs(tp.occurredAt));
  const silence = newest.length ? silenceOf(newest, 0, newest.length, touchpoints.length, now) : null;
  return { customerId, open, oldestOpen, breached, recent, negative, outcomes, rated, mean: rated ? sum / rated : 0, silence };
}

const pointsOf = (code: HealthReason['code'], f: HealthFacts): number =>
  code === 'open_complaints'
    ? POINTS.open_complaints(f.open)
    : code === 'sla_breached'
    ? POINTS.sla_breached(f.breached.length)
    : code === 'negative_outcomes'
    ? POINTS.negative_outcomes(f.negative)
    : POINTS[code]();

/** The reasons that apply, with their points, most first (their sentences only when `write`). */
function reasonsOf(f: HealthFacts, write: boolean): HealthReason[] {
  const reasons: HealthReason[] = [];
  const add = (code: HealthReason['code'], message: () => string) =>
    reasons.push({ code, points: pointsOf(code, f), message: write ? message() : '' });
  if (f.open) {
    add(
      'open_complaints',
      () =>
        `${plural(f.open, 'complaint')} open, the oldest ("${f.oldestOpen!.subject}") since ${day(
          toEpochMs(f.oldestOpen!.createdAt),
        )}: check that each has an owner working on it and a next step.`,
    );
  }
  if (f.breached.length) {
    add(
      'sla_breached',
      () =>
        `${plural(f.breached.length, 'complaint')} missed an SLA target (${quoted(
          f.breached,
        )}): escalate, and tell the customer when to expect an answer.`,
    );
  }
  if (f.negative) {
    add(
      'negative_outcomes',
      () =>
        `${f.negative} of the ${plural(f.recent, 'contact')} in the last 90 days ended badly (${[...f.outcomes].join(
          ', ',
        )}): read them before the next contact.`,
    );
  }
  if (f.rated && f.mean <= LOW_SENTIMENT) {
    add(
      'negative_sentiment',
      () =>
        `Sentiment averaged ${f.mean.toFixed(2)} over ${plural(
          f.rated,
          'rated contact',
        )} in the last 90 days: have the owner call to repair the relationship.`,
    );
  }
  if (f.silence) {
    const { days, usualDays } = f.silence;
    add(
      'silence',
      () => `No contact for ${plural(days, 'day')}, while there is usually contact every ${plural(usualDays, 'day')}: get in touch.`,
    );
  }
  return reasons.sort((a, b) => b.points - a.points);
}

const scoreOf = (reasons: readonly HealthReason[]) => Math.max(0, 100 - reasons.reduce((sum, r) => sum + r.points, 0));
const levelOf = (score: number): CustomerHealth['level'] => (score > 80 ? 'healthy' : score >= 50 ? 'at_risk' : 'critical');

/**
 * A customer's health at `now`: a pure function of their complaints, their touchpoints (newest
 * first; only the newest 90 days and 21 are read) and each complaint's SLA status.
 */
export function healthOf(
  customerId: string,
  complaints: readonly Complaint[],
  touchpoints: readonly Touchpoint[],
  now: number,
  statusOf: (complaint: Complaint) => SlaStatus,
): CustomerHealth {
  const reasons = reasonsOf(factsOf(customerId, complaints, touchpoints, now, (c) => statusOf(c).targets), true);
  const score = scoreOf(reasons);
  return { customerId, level: levelOf(score), score, reasons };
}

/** What health needs of the CRM. */
export interface HealthContext {
  store: CrmStore;
  now(): number;
  briefOf(complaint: Complaint, at: number): SlaBrief;
}

/** `crm.health(customerId)`: reads the customer's complaints and newest touchpoints. */
export async function customerHealth(ctx: HealthContext, customerId: string): Promise<CustomerHealth> {
  if (typeof customerId !== 'string' || customerId === '')
    throw CrmValidationError.field('customer id', ['id'], 'expected a non-empty string');
  return healthAt(ctx, customerId, ctx.now());
}

/**
 * A customer's health at `now`, from their complaints and what health reads of their history:
 * the past touchpoints of the last 90 days and at least the newest 21, newest first.
 */
async function healthAt(ctx: HealthContext, customerId: string, now: number): Promise<CustomerHealth> {
  const customer = await ctx.store.get('customers', customerId);
  if (!customer) throw new CrmNotFoundError('customer', customerId);
  const complaints: Complaint[] = [];
  const [, touchpoints] = await Promise.all([
    scan(ctx.store, 'complaints', (c) => void complaints.push(c), { customerId }),
    recentTouchpoints(ctx.store, customerId, now),
  ]);
  const reasons = reasonsOf(factsOf(customerId, complaints, touchpoints, now, (c) => ctx.briefOf(c, now)), true);
  const score = scoreOf(reasons);
  return { customerId, level: levelOf(score), score, reasons };
}

/**
 * The customer's past touchpoints as far back as health looks, newest first: those of the last 90
 * days and at least the newest 21. Future-dated touchpoints (planned visits) say nothing yet.
 */
async function recentTouchpoints(store: CrmStore, customerId: string, now: number): Promise<Touchpoint[]> {
  const { nowIso, recentIso } = boundsOf(now);
  const touchpoints: Touchpoint[] = [];
  let cursor: string | null = null;
  // Most customers need one short page; a busy one pages on in bigger ones.
  let limit = 32;
  do {
    const page: Page<HistoryItem> = await store.history(customerId, { types: ['touchpoint'], limit, cursor });
    for (const item of page.items) {
      if (item.type !== 'touchpoint' || item.at > nowIso) continue;
      if (item.at < recentIso && touchpoints.length >= GAP_SAMPLE) return touchpoints;
      touchpoints.push(item.touchpoint);
    }
    cursor = page.nextCursor;
    limit = 200;
  } while (cursor);
  return touchpoints;
}

/**
 * The numbers of every customer's health, in columns (one slot per customer, in creation order):
 * a million touchpoints then cost a few additions each and keep nothing alive, where a list per
 * customer would fill the heap.
 */
class Tallies {
  readonly #slot = new Map<string, number>();
  readonly total: Uint32Array;
  readonly recent: Uint32Array;
  readonly negative: Uint32Array;
  readonly rated: Uint32Array;
  readonly sentiment: Float64Array;
  readonly open: Uint32Array;
  readonly breached: Uint32Array;
  /** Per customer, the instants of the newest 21 past touchpoints, newest first. */
  readonly newest: Float64Array;

  constructor(
    readonly ids: readonly string[],
    readonly now: number,
    readonly targetsOf: TargetsOf,
  ) {
    ids.forEach((id, i) => this.#slot.set(id, i));
    const n = ids.length;
    [this.total, this.recent, this.negative, this.rated, this.open, this.breached] = [1, 2, 3, 4, 5, 6].map(() => new Uint32Array(n)) as [
      Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array,
    ];
    this.sentiment = new Float64Array(n);
    this.newest = new Float64Array(n * GAP_SAMPLE);
    this.recentIso = boundsOf(now).recentIso;
  }

  readonly recentIso: string;

  complaint(c: Complaint): void {
    const i = this.#slot.get(c.customerId);
    if (i === undefined) return;
    const isOpen = UNRESOLVED.has(c.status);
    if (isOpen) this.open[i]!++;
    if (isBreached(c, isOpen, this.recentIso, this.targetsOf)) this.breached[i]!++;
  }

  /** Counts customer `i`'s touchpoint, a past one (future-dated ones are left out by the caller). */
  touchpoint(i: number, tp: Touchpoint): void {
    const at = tp.occurredAt;
    if (at >= this.recentIso) {
      this.recent[i]!++;
      if (tp.outcome !== undefined && NEGATIVE_OUTCOMES.has(tp.outcome)) this.negative[i]!++;
      if (tp.sentiment !== undefined) {
        this.rated[i]!++;
        this.sentiment[i]! += tp.sentiment;
      }
    }
    // Insert into the customer's newest 21, kept sorted newest first.
    const count = Math.min(this.total[i]!++, GAP_SAMPLE);
    const base = i * GAP_SAMPLE;
    const t = toEpochMs(at);
    if (count === GAP_SAMPLE && t <= this.newest[base + GAP_SAMPLE - 1]!) return;
    let k = count === GAP_SAMPLE ? GAP_SAMPLE - 1 : count;
    while (k > 0 && this.newest[base + k - 1]! < t) {
      this.newest[base + k] = this.newest[base + k - 1]!;
      k--;
    }
    this.newest[base + k] = t;
  }

  /** Customer `i`'s score: the same number {@link healthOf} gives from their records. */
  score(i: number): number {
    const total = this.total[i]!;
    const rated = this.rated[i]!;
    const silent = total > 0 && silenceOf(this.newest, i * GAP_SAMPLE, Math.min(total, GAP_SAMPLE), total, this.now) !== null;
    return scoreFrom(this.open[i]!, this.breached[i]!, this.negative[i]!, rated > 0 && this.sentiment[i]! / rated <= LOW_SENTIMENT, silent);
  }
}

/**
 * `crm.atRisk`: every customer's score from one pass over customers and complaints and each
 * customer's recent history, then the full {@link healthOf} (with its sentences) of the `limit` lowest, lowest first (then
 * the oldest customer), leaving out the healthy ones.
 */
export async function atRisk(ctx: HealthContext, query: AtRiskQuery = {}): Promise<CustomerHealth[]> {
  const { limit = 20 } = parseOrThrow(AtRiskQuerySchema, query, 'at-risk query');
  const now = ctx.now();
  // Customers first: their slots follow creation order, the order among equal scores.
  const ids: string[] = [];
  await scan(ctx.store, 'customers', (c) => void ids.push(c.id));
  const tallies = new Tallies(ids, now, (c) => ctx.briefOf(c, now));
  // Each customer's touchpoints through their history (an index every store has), as far back
  // as health looks: grouping a scan of every touchpoint by customer would cost a hash lookup
  // per touchpoint, and read the years nobody asks about. A few customers at a time, so a
  // store over a network or a connection pool has some in flight.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      for (const tp of await recentTouchpoints(ctx.store, ids[i]!, now)) tallies.touchpoint(i, tp);
    }
  };
  await Promise.all([scan(ctx.store, 'complaints', (c) => tallies.complaint(c)), worker(), worker(), worker(), worker()]);
  const scores = new Float64Array(ids.length);
  const found: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    scores[i] = tallies.score(i);
    if (levelOf(scores[i]!) !== 'healthy') found.push(i);
  }
  found.sort((a, b) => scores[a]! - scores[b]! || a - b);
  // The sentences, for the customers returned only, from their own records.
  const results: CustomerHealth[] = [];
  for (const i of found.slice(0, limit)) results.push(await healthAt(ctx, ids[i]!, now));
  return results;
}
