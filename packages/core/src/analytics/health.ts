import * as z from 'zod/mini';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import { CrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { toEpochMs, wholeNumber } from '../schemas/primitives.js';
import { UNRESOLVED_STATUSES, type Complaint } from '../schemas/complaint.js';
import type { Customer } from '../schemas/customer.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { SlaStatus } from '../sla/engine.js';
import type { CrmStore, Page } from '../store/types.js';
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

const POINTS = {
  open_complaints: (f: HealthFacts) => Math.min(30, 10 * f.open),
  sla_breached: (f: HealthFacts) => Math.min(40, 20 * f.breached.length),
  negative_outcomes: (f: HealthFacts) => Math.min(24, 8 * f.negative),
  negative_sentiment: () => 15,
  silence: () => 20,
} as const;

const NONE: Complaint[] = [];
const NO_OUTCOMES: string[] = [];

/** The instants health compares stored timestamps with, as stored timestamps (computed once per `now`). */
let bounds = { now: Number.NaN, recentIso: '', quietIso: '' };
function boundsOf(now: number) {
  if (bounds.now !== now) {
    bounds = { now, recentIso: new Date(now - RECENT).toISOString(), quietIso: new Date(now - 14 * DAY).toISOString() };
  }
  return bounds;
}

function factsOf(
  customerId: string,
  complaints: readonly Complaint[],
  touchpoints: readonly Touchpoint[],
  now: number,
  statusOf: (complaint: Complaint) => SlaStatus,
): HealthFacts {
  let open = 0;
  let oldestOpen: Complaint | undefined;
  let breached: Complaint[] = NONE;
  const { recentIso, quietIso } = boundsOf(now);
  for (const c of complaints) {
    const isOpen = UNRESOLVED.has(c.status);
    if (isOpen) {
      open++;
      if (!oldestOpen || c.createdAt < oldestOpen.createdAt) oldestOpen = c;
    }
    // Breached: an open complaint past a target, or one resolved in the last 90 days that missed one.
    if (c.slaPolicyId === undefined || (!isOpen && !(c.resolvedAt && c.resolvedAt >= recentIso))) continue;
    const { targets } = statusOf(c);
    for (const name in targets) {
      const state = targets[name as keyof typeof targets]!.state;
      if (state === 'breached' || state === 'missed') {
        if (breached === NONE) breached = [];
        breached.push(c);
        break;
      }
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
  let silence: HealthFacts['silence'] = null;
  // Silence needs two weeks without contact at least: most customers are spared the gaps.
  if (touchpoints.length >= 3 && touchpoints[0]!.occurredAt <= quietIso) {
    const gaps: number[] = [];
    for (let i = 1; i < Math.min(GAP_SAMPLE, touchpoints.length); i++) {
      gaps.push(toEpochMs(touchpoints[i - 1]!.occurredAt) - toEpochMs(touchpoints[i]!.occurredAt));
    }
    gaps.sort((a, b) => a - b);
    const usual = Math.max(DAY, gaps[gaps.length >> 1]!);
    const quiet = now - toEpochMs(touchpoints[0]!.occurredAt);
    // Longer than twice the usual gap, and at least two weeks.
    if (quiet > 2 * usual && quiet >= 14 * DAY) silence = { days: Math.floor(quiet / DAY), usualDays: Math.round(usual / DAY) };
  }
  return { customerId, open, oldestOpen, breached, recent, negative, outcomes, rated, mean: rated ? sum / rated : 0, silence };
}

/** The reasons that apply, with their points, most first (their sentences only when `write`). */
function reasonsOf(f: HealthFacts, write: boolean): HealthReason[] {
  const reasons: HealthReason[] = [];
  const add = (code: HealthReason['code'], message: () => string) =>
    reasons.push({ code, points: POINTS[code](f), message: write ? message() : '' });
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
  if (f.rated && f.mean <= -0.3) {
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
  const reasons = reasonsOf(factsOf(customerId, complaints, touchpoints, now, statusOf), true);
  const score = scoreOf(reasons);
  return { customerId, level: levelOf(score), score, reasons };
}

/** What health needs of the CRM. */
export interface HealthContext {
  store: CrmStore;
  now(): number;
  statusOf(complaint: Complaint, at: Date): SlaStatus;
}

const byNewest = (a: Touchpoint, b: Touchpoint) =>
  a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/** `crm.health(customerId)`: reads the customer's complaints and newest touchpoints. */
export async function customerHealth(ctx: HealthContext, customerId: string): Promise<CustomerHealth> {
  if (typeof customerId !== 'string' || customerId === '')
    throw CrmValidationError.field('customer id', ['id'], 'expected a non-empty string');
  const customer = await ctx.store.get('customers', customerId);
  if (!customer) throw new CrmNotFoundError('customer', customerId);
  const now = ctx.now();
  const complaints: Complaint[] = [];
  const touchpoints: Touchpoint[] = [];
  const [, page] = await Promise.all([
    scan(ctx.store, 'complaints', (c) => void complaints.push(c), { customerId }),
    ctx.store.history(customerId, { types: ['touchpoint'], limit: 500 }),
  ]);
  for (const item of (page as Page<{ type: string; touchpoint?: Touchpoint }>).items)
    if (item.touchpoint) touchpoints.push(item.touchpoint);
  // Future-dated touchpoints (planned visits) say nothing about silence yet.
  const past = touchpoints.filter((tp) => toEpochMs(tp.occurredAt) <= now);
  return healthOf(customerId, complaints, past, now, (c) => ctx.statusOf(c, new Date(now)));
}

/**
 * `crm.atRisk`: every customer's health from one pass over customers, complaints and touchpoints,
 * the lowest scores first (then the oldest customer), leaving out the healthy ones.
 */
export async function atRisk(ctx: HealthContext, query: AtRiskQuery = {}): Promise<CustomerHealth[]> {
  const { limit = 20 } = parseOrThrow(AtRiskQuerySchema, query, 'at-risk query');
  const now = ctx.now();
  const customers: Customer[] = [];
  const complaints = new Map<string, Complaint[]>();
  /**
   * Per customer, only what health reads: the touchpoints of the last 90 days, and the newest
   * 21 (for the usual gap), kept newest first. A million touchpoints then cost a comparison
   * or two each, not a sort of every customer's whole history.
   */
  const kept = new Map<string, { recent: Touchpoint[]; newest: Touchpoint[] }>();
  const nowIso = new Date(now).toISOString();
  const recentIso = new Date(now - RECENT).toISOString();
  const keep = (tp: Touchpoint) => {
    if (tp.occurredAt > nowIso) return; // Planned contacts say nothing about silence yet.
    let entry = kept.get(tp.customerId);
    if (!entry) kept.set(tp.customerId, (entry = { recent: [], newest: [] }));
    if (tp.occurredAt > recentIso) entry.recent.push(tp);
    const newest = entry.newest;
    if (newest.length < GAP_SAMPLE || byNewest(tp, newest[newest.length - 1]!) < 0) {
      let i = newest.length;
      while (i > 0 && byNewest(tp, newest[i - 1]!) < 0) i--;
      newest.splice(i, 0, tp);
      if (newest.length > GAP_SAMPLE) newest.pop();
    }
  };
  await Promise.all([
    scan(ctx.store, 'customers', (c) => void customers.push(c)),
    scan(ctx.store, 'complaints', (c) => {
      const list = complaints.get(c.customerId);
      if (list) list.push(c);
      else complaints.set(c.customerId, [c]);
    }),
    scan(ctx.store, 'touchpoints', keep),
  ]);
  const at = new Date(now);
  // Scores first, for everyone; sentences only for the customers returned.
  const found: { facts: HealthFacts; score: number }[] = [];
  for (const customer of customers) {
    const entry = kept.get(customer.id);
    let tps: Touchpoint[] = [];
    if (entry) {
      // The recent ones newest first, then those of the newest 21 that are older.
      tps = entry.recent.sort(byNewest);
      for (const tp of entry.newest) if (tp.occurredAt <= recentIso) tps.push(tp);
    }
    const facts = factsOf(customer.id, complaints.get(customer.id) ?? [], tps, now, (c) => ctx.statusOf(c, at));
    const score = scoreOf(reasonsOf(facts, false));
    if (levelOf(score) !== 'healthy') found.push({ facts, score });
  }
  // Customers are read in creation order; a stable sort keeps the oldest first among equals.
  return found
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map(({ facts, score }) => ({ customerId: facts.customerId, level: levelOf(score), score, reasons: reasonsOf(facts, true) }));
}
