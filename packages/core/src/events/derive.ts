import type { Complaint, ComplaintActivity } from '../schemas/complaint.js';
import type { Customer } from '../schemas/customer.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { Change } from '../store/types.js';
import type { CrmEventName, CrmEvents } from './events.js';

/** An event and its payload, ready to emit. */
export type EventOf = { [E in CrmEventName]: [E, CrmEvents[E]] }[CrmEventName];

/** The events one activity entry of a complaint stands for, in the order they are emitted. */
export function activityEvents(complaint: Complaint, activity: ComplaintActivity, origin: string): EventOf[] {
  const out: EventOf[] = [['complaint.updated', { complaint, activity, origin }]];
  if (activity.type === 'responded') out.push(['complaint.responded', { complaint, activity, origin }]);
  if (activity.type === 'assigned') {
    out.push(['complaint.assigned', { complaint, activity, from: activity.from, to: activity.to, reason: activity.reason, origin }]);
  }
  if (activity.type === 'status_changed') {
    out.push(['complaint.status_changed', { complaint, activity, from: activity.from, to: activity.to, origin }]);
    if (activity.to === 'resolved') out.push(['complaint.resolved', { complaint, origin }]);
  }
  return out;
}

/** The suggestion event of a touchpoint that carries a pending complaint suggestion, if it does. */
export function suggestionEvent(touchpoint: Touchpoint, origin: string): EventOf | null {
  const signal = touchpoint.signal;
  if (signal?.state !== 'suggested') return null;
  return ['complaint.suggested', { touchpoint, reasons: [...signal.reasons], matches: [...signal.matches], origin }];
}

/**
 * Remembers how long each complaint's activity log was when last seen in the feed, so that an
 * update made elsewhere announces exactly the entries it appended. Bounded: the oldest entries
 * are forgotten first, and a complaint not remembered announces its newest entry only.
 */
export function activityMemory(max = 10_000) {
  const lengths = new Map<string, number>();
  return {
    /** The entries `complaint` appended since this memory last saw it. */
    appended(complaint: Complaint): ComplaintActivity[] {
      const before = lengths.get(complaint.id);
      lengths.delete(complaint.id);
      lengths.set(complaint.id, complaint.activity.length);
      if (lengths.size > max) lengths.delete(lengths.keys().next().value!);
      if (before === undefined) return complaint.activity.slice(-1);
      return complaint.activity.slice(before);
    },
    seen(complaint: Complaint): void {
      lengths.delete(complaint.id);
      lengths.set(complaint.id, complaint.activity.length);
      if (lengths.size > max) lengths.delete(lengths.keys().next().value!);
    },
    forget(id: string): void {
      lengths.delete(id);
    },
  };
}

/**
 * The events a write made elsewhere (another process, another client, a sync, `crm.store.write`)
 * stands for, derived from its changes alone: what the services emit for their own writes, with
 * what the feed can tell (`customer.updated` without `previous`; complaint updates announce the
 * entries appended since the complaint was last seen).
 */
export function eventsOfWrite(changes: readonly Change[], memory: ReturnType<typeof activityMemory>): EventOf[] {
  const out: EventOf[] = [];
  const origin = changes[0]?.origin ?? 'app';
  // A complaint opened together with the touchpoint it came from: one `complaint.opened` with it.
  const created = new Map<string, Touchpoint>();
  for (const change of changes) {
    if (change.entity === 'touchpoints' && change.op === 'create' && change.record?.complaintId) created.set(change.record.complaintId, change.record);
  }
  for (const change of changes) {
    if (change.op === 'delete') {
      if (change.entity === 'customers') out.push(['customer.erased', { customerId: change.id, origin }]);
      if (change.entity === 'complaints') memory.forget(change.id);
      continue;
    }
    const record = change.record;
    if (!record) continue;
    if (change.entity === 'customers') {
      const customer = record as Customer;
      out.push(change.op === 'create' ? ['customer.created', { customer, origin }] : ['customer.updated', { customer, origin }]);
    } else if (change.entity === 'touchpoints') {
      const touchpoint = record as Touchpoint;
      out.push(change.op === 'create' ? ['touchpoint.logged', { touchpoint, origin }] : ['touchpoint.updated', { touchpoint, origin }]);
      const suggested = suggestionEvent(touchpoint, origin);
      if (suggested && change.op === 'create') out.push(suggested);
    } else {
      const complaint = record as Complaint;
      if (change.op === 'create') {
        memory.seen(complaint);
        out.push(['complaint.opened', { complaint, touchpoint: created.get(complaint.id) ?? null, origin }]);
      } else {
        for (const activity of memory.appended(complaint)) out.push(...activityEvents(complaint, activity, origin));
      }
    }
  }
  return out;
}
