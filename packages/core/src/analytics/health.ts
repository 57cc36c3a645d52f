import { CrmNotFoundError } from '../errors/notFoundError.js';
import { CrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { toEpochMs } from '../schemas/primitives.js';
import type { Complaint } from '../schemas/complaint.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { SlaBrief } from '../sla/engine.js';
import type { CrmStore, HistoryItem, Page } from '../store/types.js';
import { scan } from './scan.js';
import {
  AtRiskQuerySchema,
  GAP_SAMPLE,
  LOW_SENTIMENT,
  NEGATIVE_OUTCOMES,
  UNRESOLVED,
  boundsOf,
  factsOf,
  isBreached,
  levelOf,
  reasonsOf,
  scoreFrom,
  scoreOf,
  silenceOf,
  type AtRiskQuery,
  type CustomerHealth,
  type TargetsOf,
} from './score.js';

// Health read from a store: one customer's (`crm.health`) and everyone's ranking (`crm.atRisk`).

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
  let past = false;
  let old = false;
  do {
    const page: Page<HistoryItem> = await store.history(customerId, { types: ['touchpoint'], limit, cursor });
    for (const item of page.items) {
      if (item.type !== 'touchpoint') continue;
      // Newest first: once one is past (or old), so is every one after it, and its time (one
      // more cache miss each, on a store of millions) need not be read again.
      if (!past) {
        if (item.at > nowIso) continue;
        past = true;
      }
      if (!old) old = item.at < recentIso;
      if (old && touchpoints.length >= GAP_SAMPLE) return touchpoints;
      touchpoints.push(item.touchpoint);
    }
    cursor = page.nextCursor;
    limit = 200;
  } while (cursor);
  return touchpoints;
}

/**
 * The numbers of every customer's health, in columns (one slot per customer, in creation order):
 * a few counts each, about 30 bytes a customer, and nothing of their records kept alive.
 */
class Tallies {
  readonly #slot = new Map<string, number>();
  readonly recent: Uint32Array;
  readonly negative: Uint32Array;
  readonly rated: Uint32Array;
  readonly sentiment: Float64Array;
  readonly open: Uint32Array;
  readonly breached: Uint32Array;
  readonly silent: Uint8Array;
  readonly recentIso: string;
  /** The instants of one customer's newest touchpoints, while their silence is worked out. */
  readonly #newest = new Float64Array(GAP_SAMPLE);

  constructor(
    ids: readonly string[],
    readonly now: number,
    readonly targetsOf: TargetsOf,
  ) {
    ids.forEach((id, i) => this.#slot.set(id, i));
    const n = ids.length;
    [this.recent, this.negative, this.rated, this.open, this.breached] = [1, 2, 3, 4, 5].map(() => new Uint32Array(n)) as [
      Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array,
    ];
    this.sentiment = new Float64Array(n);
    this.silent = new Uint8Array(n);
    this.recentIso = boundsOf(now).recentIso;
  }

  complaint(c: Complaint): void {
    const i = this.#slot.get(c.customerId);
    if (i === undefined) return;
    const isOpen = UNRESOLVED.has(c.status);
    if (isOpen) this.open[i]!++;
    if (isBreached(c, isOpen, this.recentIso, this.targetsOf)) this.breached[i]!++;
  }

  /** Counts customer `i`'s past touchpoints, newest first, as {@link recentTouchpoints} reads them. */
  touchpoints(i: number, touchpoints: readonly Touchpoint[]): void {
    for (const tp of touchpoints) {
      if (tp.occurredAt < this.recentIso) break;
      this.recent[i]!++;
      if (tp.outcome !== undefined && NEGATIVE_OUTCOMES.has(tp.outcome)) this.negative[i]!++;
      if (tp.sentiment !== undefined) {
        this.rated[i]!++;
        this.sentiment[i]! += tp.sentiment;
      }
    }
    const count = Math.min(touchpoints.length, GAP_SAMPLE);
    for (let k = 0; k < count; k++) this.#newest[k] = toEpochMs(touchpoints[k]!.occurredAt);
    if (count > 0 && silenceOf(this.#newest, 0, count, touchpoints.length, this.now) !== null) this.silent[i] = 1;
  }

  /** Customer `i`'s score: the same number {@link healthOf} gives from their records. */
  score(i: number): number {
    const rated = this.rated[i]!;
    const lowSentiment = rated > 0 && this.sentiment[i]! / rated <= LOW_SENTIMENT;
    return scoreFrom(this.open[i]!, this.breached[i]!, this.negative[i]!, lowSentiment, this.silent[i] === 1);
  }
}

/**
 * `crm.atRisk`: every customer's score from one pass over customers and complaints and each
 * customer's recent history, then the full {@link healthOf} (with its sentences) of the `limit`
 * lowest, lowest first (then the oldest customer), leaving out the healthy ones.
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
      tallies.touchpoints(i, await recentTouchpoints(ctx.store, ids[i]!, now));
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
