import { CrmValidationError } from '../errors/validationError.js';
import { UNRESOLVED_STATUSES, type Priority } from '../schemas/complaint.js';
import type { Channel } from '../schemas/primitives.js';
import type { Customer } from '../schemas/customer.js';
import type { Staff } from '../schemas/staff.js';
import type { CrmStore, Page } from '../store/types.js';
import type { Complaint } from '../schemas/complaint.js';

/** What a routing function is asked: who should own this new complaint? */
export interface RoutingRequest {
  customer: Customer;
  complaint: { subject: string; priority: Priority; channel: Channel; locale?: string | undefined };
  /** The active staff, in directory order. */
  staff: readonly Staff[];
  /** How many unresolved complaints a member of staff owns now (read from the store on demand). */
  openLoad(staffId: string): Promise<number>;
}

/** A routing answer: the owner, and why, in phrases a person can check ("speaks zh-TW", "3 open of 10"). */
export interface RoutingDecision {
  ownerId: string;
  reasons: string[];
}

/**
 * Picks the owner of a complaint opened without one. Return `null` to leave it unowned.
 * @example
 * ```ts
 * createCrm({ staff, routing: ({ complaint, staff }) => complaint.priority === 'urgent' ? { ownerId: 'duty-manager', reasons: ['urgent'] } : null })
 * ```
 */
export type RoutingFunction = (request: RoutingRequest) => RoutingDecision | null | Promise<RoutingDecision | null>;

/** Chinese regions by the script they write. */
const HANT = new Set(['TW', 'HK', 'MO']);
const HANS = new Set(['CN', 'SG', 'MY']);

/**
 * The ways a language tag can be matched, best first: itself, then its language and script
 * (`zh-TW` → `zh-Hant`, `zh-CN` → `zh-Hans`), then its language alone (`zh`).
 */
export function localeFallbacks(tag: string): string[] {
  const parts = tag.split('-');
  const language = parts[0]!.toLowerCase();
  const script = parts.find((p) => p.length === 4);
  const region = parts.find((p) => p.length === 2 && p === p.toUpperCase() && p !== parts[0]);
  const chain = [tag];
  const implied = script ?? (language === 'zh' && region ? (HANT.has(region) ? 'Hant' : HANS.has(region) ? 'Hans' : undefined) : undefined);
  if (implied && `${language}-${implied}` !== tag) chain.push(`${language}-${implied}`);
  if (language !== tag) chain.push(language);
  return chain;
}

/**
 * How well someone speaking `spoken` serves a customer who wants `wanted`: the earlier in
 * `wanted`'s fallbacks a tag that `spoken` covers comes, the better (`zh-TW` for `zh-TW` is 3,
 * `zh-Hant` or `zh-HK` 2, `zh` or `zh-CN` 1; 0 for another language).
 */
export function languageScore(spoken: string, wanted: string): number {
  const want = localeFallbacks(wanted);
  const covers = localeFallbacks(spoken);
  const at = want.findIndex((tag) => covers.includes(tag));
  return at < 0 ? 0 : want.length - at;
}

/**
 * The default routing: the customer's own owner if they are active and have room; else the staff
 * who speak the customer's language best (`zh-TW`, then `zh-Hant`, then `zh`) with the fewest
 * open complaints, within capacity; else whoever has the fewest open complaints within capacity;
 * else (everyone full) whoever has the fewest.
 */
export const defaultRouting: RoutingFunction = async ({ customer, complaint, staff, openLoad }) => {
  if (staff.length === 0) return null;
  const load = new Map<string, number>();
  const loadOf = async (member: Staff) => {
    let n = load.get(member.id);
    if (n === undefined) load.set(member.id, (n = await openLoad(member.id)));
    return n;
  };
  const room = (member: Staff, n: number) => `${n} open of ${member.capacity}`;
  const own = customer.ownerId === undefined ? undefined : staff.find((m) => m.id === customer.ownerId);
  if (own) {
    const n = await loadOf(own);
    if (n < own.capacity) return { ownerId: own.id, reasons: ["the customer's own account owner", room(own, n)] };
  }
  const locale = complaint.locale ?? customer.locale;
  /** The least loaded of `members`, within capacity unless `full` is allowed. */
  const leastLoaded = async (members: readonly Staff[], full: boolean) => {
    let best: { member: Staff; n: number } | null = null;
    for (const member of members) {
      const n = await loadOf(member);
      if (!full && n >= member.capacity) continue;
      if (!best || n / Math.max(member.capacity, 1) < best.n / Math.max(best.member.capacity, 1)) best = { member, n };
    }
    return best;
  };
  if (locale) {
    const scored = staff.map((member) => ({ member, score: Math.max(0, ...member.languages.map((l) => languageScore(l, locale))) }));
    for (const level of [3, 2, 1].filter((l) => l <= localeFallbacks(locale).length)) {
      const speakers = scored.filter((s) => s.score === level).map((s) => s.member);
      const pick = await leastLoaded(speakers, false);
      if (pick) {
        const spoken = pick.member.languages.find((l) => languageScore(l, locale) === level)!;
        return {
          ownerId: pick.member.id,
          reasons: [`speaks ${spoken === locale ? locale : `${spoken} (for ${locale})`}`, room(pick.member, pick.n)],
        };
      }
    }
  }
  const anyone = await leastLoaded(staff, false);
  if (anyone) {
    return {
      ownerId: anyone.member.id,
      reasons: [locale ? `no one with room speaks ${locale}` : 'fewest open complaints', room(anyone.member, anyone.n)],
    };
  }
  const overloaded = (await leastLoaded(staff, true))!;
  return { ownerId: overloaded.member.id, reasons: ['everyone is at capacity: the least loaded', room(overloaded.member, overloaded.n)] };
};

/** What routing reads: the store (for each member's open complaints) and the staff directory. */
export interface RoutingContext {
  readonly store: CrmStore;
  readonly staff: ReadonlyMap<string, Staff> | null;
}

/** Counts the unresolved complaints `staffId` owns, a page of 500 at a time. */
async function openLoad(ctx: RoutingContext, staffId: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: Page<Complaint> = await ctx.store.list('complaints', {
      filter: { ownerId: staffId, status: UNRESOLVED_STATUSES },
      limit: 500,
      cursor,
    });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** Runs the routing for a complaint opened without an owner; checks the answer against the directory. */
export async function routeComplaint(
  ctx: RoutingContext,
  routing: RoutingFunction,
  customer: Customer,
  complaint: RoutingRequest['complaint'],
): Promise<RoutingDecision | null> {
  const staff = [...(ctx.staff?.values() ?? [])].filter((member) => member.active);
  const decision = await routing({ customer, complaint, staff, openLoad: (id) => openLoad(ctx, id) });
  if (decision === null || decision === undefined) return null;
  const member = ctx.staff?.get(decision.ownerId);
  if (typeof decision.ownerId !== 'string' || (ctx.staff && !member)) {
    throw CrmValidationError.field('routing decision', ['ownerId'], 'is not in the staff directory', 'unknown_reference');
  }
  if (!Array.isArray(decision.reasons) || decision.reasons.some((r) => typeof r !== 'string' || r === '')) {
    throw CrmValidationError.field('routing decision', ['reasons'], 'expected a list of non-empty strings');
  }
  return decision;
}
