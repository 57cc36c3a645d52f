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
  const reasons: HealthReason[] = [];
  const open = complaints.filter((c) => UNRESOLVED.has(c.status)).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  if (open.length) {
    reasons.push({
      code: 'open_complaints',
      points: Math.min(30, 10 * open.length),
      message: `${plural(open.length, 'complaint')} open, the oldest ("${open[0]!.subject}") since ${day(
        toEpochMs(open[0]!.createdAt),
      )}: check that each has an owner working on it and a next step.`,
    });
  }
  // Breached: an open complaint past a target, or one resolved in the last 90 days that missed one.
  const breached = complaints.filter((c) => {
    if (c.slaPolicyId === undefined) return false;
    const open = UNRESOLVED.has(c.status);
    if (!open && !(c.resolvedAt && now - toEpochMs(c.resolvedAt) <= RECENT)) return false;
    return Object.values(statusOf(c).targets).some((t) => t.state === 'breached' || t.state === 'missed');
  });
  if (breached.length) {
    reasons.push({
      code: 'sla_breached',
      points: Math.min(40, 20 * breached.length),
      message: `${plural(breached.length, 'complaint')} missed an SLA target (${quoted(
        breached,
      )}): escalate, and tell the customer when to expect an answer.`,
    });
  }
  const recent: Touchpoint[] = [];
  for (const tp of touchpoints) {
    if (now - toEpochMs(tp.occurredAt) > RECENT) break;
    recent.push(tp);
  }
  const negative = recent.filter((tp) => tp.outcome !== undefined && NEGATIVE_OUTCOMES.has(tp.outcome));
  if (negative.length) {
    const outcomes = [...new Set(negative.map((tp) => tp.outcome))].join(', ');
    reasons.push({
      code: 'negative_outcomes',
      points: Math.min(24, 8 * negative.length),
      message: `${negative.length} of the ${plural(
        recent.length,
        'contact',
      )} in the last 90 days ended badly (${outcomes}): read them before the next contact.`,
    });
  }
  const rated = recent.filter((tp) => tp.sentiment !== undefined);
  const mean = rated.reduce((sum, tp) => sum + tp.sentiment!, 0) / (rated.length || 1);
  if (rated.length && mean <= -0.3) {
    reasons.push({
      code: 'negative_sentiment',
      points: 15,
      message: `Sentiment averaged ${mean.toFixed(2)} over ${plural(
        rated.length,
        'rated contact',
      )} in the last 90 days: have the owner call to repair the relationship.`,
    });
  }
  if (touchpoints.length >= 3) {
    const gaps: number[] = [];
    for (let i = 1; i < Math.min(GAP_SAMPLE, touchpoints.length); i++) {
      gaps.push(toEpochMs(touchpoints[i - 1]!.occurredAt) - toEpochMs(touchpoints[i]!.occurredAt));
    }
    gaps.sort((a, b) => a - b);
    const usual = Math.max(DAY, gaps[gaps.length >> 1]!);
    const silence = now - toEpochMs(touchpoints[0]!.occurredAt);
    // Longer than twice the usual gap, and at least two weeks.
    if (silence > 2 * usual && silence >= 14 * DAY) {
      reasons.push({
        code: 'silence',
        points: 20,
        message: `No contact for ${plural(Math.floor(silence / DAY), 'day')}, while there is usually contact every ${plural(
          Math.round(usual / DAY),
          'day',
        )}: get in touch.`,
      });
    }
  }
  reasons.sort((a, b) => b.points - a.points);
  const score = Math.max(0, 100 - reasons.reduce((sum, r) => sum + r.points, 0));
  return { customerId, level: score > 80 ? 'healthy' : score >= 50 ? 'at_risk' : 'critical', score, reasons };
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
  const found: CustomerHealth[] = [];
  for (const customer of customers) {
    const entry = kept.get(customer.id);
    let tps: Touchpoint[] = [];
    if (entry) {
      // The recent ones newest first, then those of the newest 21 that are older.
      tps = entry.recent.sort(byNewest);
      for (const tp of entry.newest) if (tp.occurredAt <= recentIso) tps.push(tp);
    }
    const health = healthOf(customer.id, complaints.get(customer.id) ?? [], tps, now, (c) => ctx.statusOf(c, at));
    if (health.level !== 'healthy') found.push(health);
  }
  // Customers are read in creation order; a stable sort keeps the oldest first among equals.
  return found.sort((a, b) => a.score - b.score).slice(0, limit);
}
