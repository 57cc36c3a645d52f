import { CrmError, CrmNotFoundError, type Change, type Complaint, type Crm } from '@crm/core';

/**
 * Who a request to the service API acts for, as `authorize` tells {@link createCrmHandler}:
 *
 * - `staff`: a staff member. Their `staffId` becomes the `actorId` of every write they make; a
 *   request that names another actor is refused (403).
 * - `customer`: a customer of the tenant, signed in to a self-service page. They may open a
 *   complaint for themselves, read their own complaints and their SLA status, and follow them
 *   live — nothing else.
 *
 * @example
 * ```ts
 * const staff: CrmPrincipal = { kind: 'staff', staffId: 'linda' }
 * const customer: CrmPrincipal = { kind: 'customer', customerId: '01J9Z6Q8W3E5R7T9Y1U3I5O7P9' }
 * ```
 */
export type CrmPrincipal = { kind: 'staff'; staffId: string } | { kind: 'customer'; customerId: string };

/**
 * What `authorize` returns for an authenticated request: the tenant whose CRM it reaches, and who
 * it acts for.
 *
 * @example
 * ```ts
 * const authorization: CrmAuthorization = { tenant: 'acme', principal: { kind: 'staff', staffId: 'linda' } }
 * ```
 */
export interface CrmAuthorization {
  /** The tenant: every request reaches only this tenant's `Crm`, whatever ids it sends. Non-empty. */
  tenant: string;
  principal: CrmPrincipal;
}

/** The kinds of principal, as the route table names who may call an operation. */
export type Role = CrmPrincipal['kind'];

/** The `CrmError` a refused request is answered with (403, `code: 'FORBIDDEN'`). */
export const forbidden = (message: string) => new CrmError(message, { code: 'FORBIDDEN' });

/** The channels a customer may open a complaint on. */
export const CUSTOMER_CHANNELS: readonly string[] = ['self_service', 'web_form'];

/** The fields of `complaints.open` a customer may give; anything else is for staff to decide (owner, priority, SLA policy). */
const CUSTOMER_OPEN_FIELDS: ReadonlySet<string> = new Set(['customerId', 'subject', 'description', 'channel', 'locale']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Makes the staff member the actor of a write: an `actorId` that names someone else is refused
 * (403), a missing one is filled in. `where` is the path to the options in the request body, for
 * the message (`inputs[3].`). Non-objects are left to the service to reject.
 */
export function claimActor(options: unknown, staffId: string, where = ''): void {
  if (!isObject(options)) return;
  if (options.actorId !== undefined && options.actorId !== staffId) {
    throw forbidden(`${where}actorId: you act as staff member "${staffId}"; a request can't act for someone else`);
  }
  options.actorId = staffId;
}

/**
 * A customer's `complaints.open` input, checked: for themselves only (a `customerId` naming
 * anyone else is refused), on `self_service` (the default) or `web_form`, with the fields a
 * customer may give. Refusals are 403s that say what was refused and never whether another
 * customer exists.
 */
export function customerOpenInput(body: Record<string, unknown>, customerId: string): Record<string, unknown> {
  for (const key of Object.keys(body)) {
    if (!CUSTOMER_OPEN_FIELDS.has(key)) throw forbidden(`${key}: a customer may not set this field of a complaint; staff decide it`);
  }
  if (body.customerId !== undefined && body.customerId !== customerId) throw forbidden('customerId: a customer may open complaints only for themselves');
  const channel = body.channel ?? 'self_service';
  if (!CUSTOMER_CHANNELS.includes(channel as string)) {
    throw forbidden(`channel: a customer may open complaints only on ${CUSTOMER_CHANNELS.map((c) => `"${c}"`).join(' or ')}`);
  }
  return { ...body, customerId, channel };
}

/**
 * A complaint as its customer sees it: without the internal notes of its activity log (`note`
 * entries), which are for staff.
 */
export function customerView(complaint: Complaint): Complaint {
  if (!complaint.activity.some((entry) => entry.type === 'note')) return complaint;
  return { ...complaint, activity: complaint.activity.filter((entry) => entry.type !== 'note') };
}

/**
 * The complaint `id` if it belongs to `customerId`; otherwise the same `CrmNotFoundError` as for
 * an id that does not exist, so a customer can't tell another customer's complaint from none.
 */
export async function ownComplaint(crm: Crm, id: string, customerId: string): Promise<Complaint> {
  const complaint = await crm.complaints.get(id);
  if (complaint.customerId !== customerId) throw new CrmNotFoundError('complaint', id);
  return complaint;
}

/**
 * What of one write's changes a principal may see: everything for staff; for a customer, the
 * changes of their own complaints (as {@link customerView} shows them). Tombstones carry no
 * record to tell whose they were, so customers get none.
 */
export function visibleChanges(principal: CrmPrincipal, changes: readonly Change[]): readonly Change[] {
  if (principal.kind === 'staff') return changes;
  const out: Change[] = [];
  for (const change of changes) {
    if (change.entity !== 'complaints' || !change.record || change.record.customerId !== principal.customerId) continue;
    out.push({ ...change, record: customerView(change.record) });
  }
  return out;
}

/** Checks what `authorize` returned: `null` for "not authenticated", a checked authorization, or a `TypeError` for a programming mistake. */
export function checkAuthorization(value: unknown): CrmAuthorization | null {
  if (value === null || value === undefined) return null;
  const fail = (what: string): never => {
    throw new TypeError(
      `createCrmHandler: authorize() must return { tenant, principal: { kind: 'staff', staffId } | { kind: 'customer', customerId } }, null or undefined (${what})`,
    );
  };
  if (!isObject(value)) return fail('got something else');
  const { tenant, principal } = value;
  if (typeof tenant !== 'string' || tenant === '') fail('tenant must be a non-empty string');
  if (!isObject(principal)) return fail('principal is missing');
  if (principal.kind === 'staff') {
    if (typeof principal.staffId !== 'string' || principal.staffId === '') fail('staffId must be a non-empty string');
    return { tenant: tenant as string, principal: { kind: 'staff', staffId: principal.staffId as string } };
  }
  if (principal.kind === 'customer') {
    if (typeof principal.customerId !== 'string' || principal.customerId === '') fail('customerId must be a non-empty string');
    return { tenant: tenant as string, principal: { kind: 'customer', customerId: principal.customerId as string } };
  }
  return fail('principal.kind must be "staff" or "customer"');
}
