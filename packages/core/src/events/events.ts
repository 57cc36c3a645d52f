import type { Customer } from '../schemas/customer.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { Complaint, ComplaintActivity, ComplaintStatus } from '../schemas/complaint.js';

type Entry<T extends ComplaintActivity['type']> = Extract<ComplaintActivity, { type: T }>;

/** The SLA targets a complaint is measured against. */
export type SlaTarget = 'firstResponse' | 'nextResponse' | 'resolution';

/** What an SLA event tells: which complaint, which target, and when it is or was due. */
export interface SlaEvent {
  complaint: Complaint;
  target: SlaTarget;
  /** When the target is due (UTC ISO 8601). */
  dueAt: string;
  /** When the crossing happened (UTC ISO 8601). */
  at: string;
}

/** What every event tells besides its own fields. */
export interface EventMeta {
  /**
   * Who made the write the event comes from: `app` (the default origin of a CRM's writes),
   * `sync:hubspot` for a sync pull, or whatever origin the writer gave. Skip your own writes by it.
   */
  origin: string;
}

/**
 * Every event a {@link Crm} emits, with the one object its handlers receive. Handlers run after
 * the write has been stored; an error thrown by a handler never undoes the write (it is passed
 * to `error` handlers, or to `console.error` when there are none).
 *
 * Events come from the store's change feed, so writes made elsewhere — another process on the
 * same SQL database, another client of the same REST API, a sync, `crm.store.write` — are
 * announced too. Writes made through this CRM's own services are announced by the call itself,
 * before its promise resolves, with everything the service knew (such as `previous`).
 */
export interface CrmEvents {
  'customer.created': { customer: Customer } & EventMeta;
  /** `previous` is the version replaced, for updates made through this CRM; absent for writes made elsewhere. */
  'customer.updated': { customer: Customer; previous?: Customer } & EventMeta;
  /** A customer, their touchpoints and complaints were erased (`crm.customers.erase`). */
  'customer.erased': { customerId: string; reason?: string } & EventMeta;
  'touchpoint.logged': { touchpoint: Touchpoint } & EventMeta;
  /**
   * A touchpoint changed after it was logged: its custom fields (`crm.touchpoints.setFields`) or
   * its complaint suggestion. `previous` as for `customer.updated`.
   */
  'touchpoint.updated': { touchpoint: Touchpoint; previous?: Touchpoint } & EventMeta;
  'complaint.opened': { complaint: Complaint; touchpoint: Touchpoint | null } & EventMeta;
  'complaint.responded': { complaint: Complaint; activity: Entry<'responded'> } & EventMeta;
  'complaint.assigned': { complaint: Complaint; activity: Entry<'assigned'>; from: string | null; to: string; reason: string } & EventMeta;
  'complaint.status_changed': { complaint: Complaint; activity: Entry<'status_changed'>; from: ComplaintStatus; to: ComplaintStatus } & EventMeta;
  'complaint.resolved': { complaint: Complaint } & EventMeta;
  'complaint.updated': { complaint: Complaint; activity: ComplaintActivity } & EventMeta;
  /** A touchpoint that looks like an unspoken complaint. */
  'complaint.suggested': { touchpoint: Touchpoint; reasons: string[]; matches: string[] } & EventMeta;
  'sla.warning': SlaEvent;
  'sla.breached': SlaEvent;
  'sla.met': SlaEvent;
  /** A handler of another event threw, or the change feed could not be read. */
  error: { error: unknown; event: string };
}

/** The name of a CRM event. */
export type CrmEventName = keyof CrmEvents;
