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

/**
 * Every event a {@link Crm} emits, with the one object its handlers receive. Handlers run after
 * the write has been stored; an error thrown by a handler never undoes the write (it is passed
 * to `error` handlers, or to `console.error` when there are none).
 */
export interface CrmEvents {
  'customer.created': { customer: Customer };
  'customer.updated': { customer: Customer; previous: Customer };
  'touchpoint.logged': { touchpoint: Touchpoint };
  'complaint.opened': { complaint: Complaint; touchpoint: Touchpoint | null };
  'complaint.responded': { complaint: Complaint; activity: Entry<'responded'> };
  'complaint.assigned': { complaint: Complaint; activity: Entry<'assigned'>; from: string | null; to: string; reason: string };
  'complaint.status_changed': { complaint: Complaint; activity: Entry<'status_changed'>; from: ComplaintStatus; to: ComplaintStatus };
  'complaint.resolved': { complaint: Complaint };
  'complaint.updated': { complaint: Complaint; activity: ComplaintActivity };
  /** A touchpoint that looks like an unspoken complaint. */
  'complaint.suggested': { touchpoint: Touchpoint; reasons: string[]; matches: string[] };
  'sla.warning': SlaEvent;
  'sla.breached': SlaEvent;
  'sla.met': SlaEvent;
  /** A handler of another event threw. */
  error: { error: unknown; event: string };
}

/** The name of a CRM event. */
export type CrmEventName = keyof CrmEvents;
