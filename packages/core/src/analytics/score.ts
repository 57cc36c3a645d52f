import * as z from 'zod/mini';
import { wholeNumber, toEpochMs } from '../schemas/primitives.js';
import { UNRESOLVED_STATUSES, type Complaint } from '../schemas/complaint.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { SlaState, SlaStatus } from '../sla/engine.js';

// Health as a pure function of a customer's records: the scoring rules, the reasons and their
// sentences. Public (`healthOf`) and light; reading the records is in health.ts, loaded on first use.

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

export const DAY = 86_400_000;
/** Touchpoints of the last 90 days are "recent". */
const RECENT = 90 * DAY;
/** The usual contact gap is the median gap between the newest 21 touchpoints. */
export const GAP_SAMPLE = 21;
export const UNRESOLVED: ReadonlySet<string> = new Set(UNRESOLVED_STATUSES);
export const NEGATIVE_OUTCOMES: ReadonlySet<string> = new Set(['complaint', 'not_interested']);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const quoted = (list: readonly Complaint[]) =>
  list
    .slice(0, 3)
    .map((c) => `"${c.subject}"`)
    .join(', ') + (list.length > 3 ? ', …' : '');

/** What health is computed from: the numbers (cheap, for every customer), before any sentence is written. */
export interface HealthFacts {
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
export const LOW_SENTIMENT = -0.3;

/** The score out of 100 from the numbers health is made of. */
export function scoreFrom(open: number, breached: number, negative: number, lowSentiment: boolean, silent: boolean): number {
  let points = 0;
  if (open) points += POINTS.open_complaints(open);
  if (breached) points += POINTS.sla_breached(breached);
  if (negative) points += POINTS.negative_outcomes(negative);
  if (lowSentiment) points += POINTS.negative_sentiment();
  if (silent) points += POINTS.silence();
  return Math.max(0, 100 - points);
}

/** The state of each SLA target of a complaint (at the instant health is computed for). */
export type TargetsOf = (complaint: Complaint) => Readonly<Partial<Record<string, { readonly state: SlaState }>>>;

/**
 * Whether a complaint counts as breached: it has an SLA policy and a target breached or missed,
 * and it is open or was resolved in the last 90 days.
 */
export function isBreached(c: Complaint, open: boolean, recentIso: string, targetsOf: TargetsOf): boolean {
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
export function silenceOf(newest: ArrayLike<number>, offset: number, count: number, total: number, now: number): HealthFacts['silence'] {
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
export function boundsOf(now: number) {
  if (bounds.now !== now) {
    bounds = { now, nowIso: new Date(now).toISOString(), recentIso: new Date(now - RECENT).toISOString() };
  }
  return bounds;
}

export function factsOf(
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
export function reasonsOf(f: HealthFacts, write: boolean): HealthReason[] {
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

export const scoreOf = (reasons: readonly HealthReason[]) => Math.max(0, 100 - reasons.reduce((sum, r) => sum + r.points, 0));
export const levelOf = (score: number): CustomerHealth['level'] => (score > 80 ? 'healthy' : score >= 50 ? 'at_risk' : 'critical');

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

