import type { Instant } from '../calendar/calendar.js';
import { CrmValidationError } from '../errors/validationError.js';
import { ContactTimes, evaluateContact, lookback, type ContactCheck } from '../policy/contactPolicy.js';
import type { Complaint } from '../schemas/complaint.js';
import type { ContactPolicy } from '../schemas/contactPolicy.js';
import type { Customer } from '../schemas/customer.js';
import { CHANNELS, type Channel } from '../schemas/primitives.js';
import type { HistoryItem, Page } from '../store/types.js';
import { getOrThrow, type ServiceContext } from './context.js';

/** `crm.contactPolicy`: may we contact this customer now, on this channel? */
export interface ContactPolicyService {
  /** The policy in force (durations in minutes), or `null` when `createCrm` got none. */
  readonly policy: ContactPolicy | null;
  /**
   * Whether an outbound contact with the customer on `channel` at `at` (default now) keeps to
   * the contact-frequency policy and the customer's own preferences (opted-out channels, quiet
   * hours in their time zone). When not, says which rule blocks it and the earliest instant at
   * which the contact would be allowed.
   *
   * @example
   * ```ts
   * const check = await crm.contactPolicy.check(customer.id, { channel: 'email' })
   * if (!check.allowed) console.log(check.reason, check.allowedAt)
   * ```
   */
  check(customerId: string, options: { channel: Channel; at?: Instant }): Promise<ContactCheck>;
}

const MINUTE_MS = 60_000;
const NO_POLICY: ContactPolicy = { limits: [], respectOptOuts: true };
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

/** Reads what the rules need about one customer and evaluates them. */
export async function checkContact(
  ctx: ServiceContext,
  policy: ContactPolicy,
  customer: Customer,
  channel: Channel,
  at: number,
): Promise<ContactCheck> {
  const from = at - lookback(policy) * MINUTE_MS;
  const contacts = new ContactTimes();
  if (from < at && (policy.limits.length > 0 || policy.afterResolution)) {
    // The customer's history, newest first, as far back as a rule looks. Stored timestamps are
    // canonical ISO strings, so they compare as strings: none is parsed here.
    const fromIso = new Date(from).toISOString();
    const atIso = new Date(at).toISOString();
    let cursor: string | null = null;
    read: do {
      const page: Page<HistoryItem> = await ctx.store.history(customer.id, { types: ['touchpoint'], limit: 500, cursor });
      for (const item of page.items) {
        if (item.at <= fromIso) break read;
        if (item.type !== 'touchpoint' || item.at > atIso) continue;
        const touchpoint = item.touchpoint;
        if (touchpoint.direction !== 'outbound' || (policy.channels && !policy.channels.includes(touchpoint.channel))) continue;
        contacts.addNewest(item.at, touchpoint.channel);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  contacts.seal();
  const complaints: Complaint[] = [];
  if (policy.afterResolution) {
    let cursor: string | null = null;
    do {
      const page: Page<Complaint> = await ctx.store.list('complaints', { filter: { customerId: customer.id }, limit: 500, cursor });
      complaints.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return evaluateContact(policy, customer, contacts, complaints, channel, at, ctx.quietCalendars);
}

/** `crm.contactPolicy`, over `policy` (or the customer's own preferences alone when it is null). */
export function contactPolicyService(ctx: ServiceContext, policy: ContactPolicy | null): ContactPolicyService {
  return {
    policy,
    async check(customerId, options) {
      const channel = options?.channel;
      if (!CHANNEL_SET.has(channel as string)) {
        throw CrmValidationError.field('contact check', ['channel'], `expected one of ${CHANNELS.join(', ')}`);
      }
      const at = options.at === undefined ? ctx.clock.now().getTime() : new Date(options.at).getTime();
      if (Number.isNaN(at)) throw CrmValidationError.field('contact check', ['at'], 'expected a Date or an ISO 8601 timestamp');
      const customer = await getOrThrow(ctx, 'customers', customerId);
      return checkContact(ctx, policy ?? NO_POLICY, customer, channel, at);
    },
  };
}
