import type { Change, Complaint, ComplaintActivity, CrmEventName, CrmEvents, Touchpoint } from '@crm/core';

/** An event and its payload, ready to emit. */
export type RemoteEvent = { [E in CrmEventName]: [E, CrmEvents[E]] }[CrmEventName];

const SLA_EVENTS = { warning: 'sla.warning', breached: 'sla.breached', met: 'sla.met' } as const;

/**
 * Turns the changes a `remoteCrm` hears from the server's event stream into the CRM's events:
 * what `createCrm` announces for writes made elsewhere, and also the SLA scheduler's `sla.*`
 * events — the scheduler runs on the server and records each crossing in the complaint's
 * activity log (an `sla` entry), which is where a client learns of it. Remembers how long each
 * complaint's log was when last seen (bounded), so an update announces the entries it appended.
 */
export function remoteEvents(max = 10_000) {
  const lengths = new Map<string, number>();
  const remember = (complaint: Complaint) => {
    lengths.delete(complaint.id);
    lengths.set(complaint.id, complaint.activity.length);
    if (lengths.size > max) lengths.delete(lengths.keys().next().value!);
  };

  const ofEntry = (complaint: Complaint, activity: ComplaintActivity, origin: string): RemoteEvent[] => {
    switch (activity.type) {
      case 'responded':
        return [['complaint.responded', { complaint, activity, origin }]];
      case 'assigned':
        return [['complaint.assigned', { complaint, activity, from: activity.from, to: activity.to, reason: activity.reason, origin }]];
      case 'status_changed': {
        const changed: RemoteEvent = ['complaint.status_changed', { complaint, activity, from: activity.from, to: activity.to, origin }];
        return activity.to === 'resolved' ? [changed, ['complaint.resolved', { complaint, origin }]] : [changed];
      }
      case 'sla':
        return [[SLA_EVENTS[activity.event], { complaint, target: activity.target, dueAt: activity.dueAt, at: activity.at }]];
      default:
        return [];
    }
  };

  /** The events of one atomic write, in the order `createCrm` emits them. */
  return (changes: readonly Change[]): RemoteEvent[] => {
    const origin = changes[0]?.origin ?? 'app';
    const out: RemoteEvent[] = [];
    const logged = new Map<string, Touchpoint>();
    const opened = new Set<string>();
    for (const change of changes) {
      if (change.entity === 'touchpoints' && change.op === 'create' && change.record?.complaintId) logged.set(change.record.complaintId, change.record);
      if (change.entity === 'complaints' && change.op === 'create') opened.add(change.id);
    }
    for (const change of changes) {
      if (change.op === 'delete') {
        if (change.entity === 'customers') out.push(['customer.erased', { customerId: change.id, origin }]);
        else if (change.entity === 'complaints') lengths.delete(change.id);
        continue;
      }
      if (change.entity === 'customers' && change.record) {
        out.push(change.op === 'create' ? ['customer.created', { customer: change.record, origin }] : ['customer.updated', { customer: change.record, origin }]);
      } else if (change.entity === 'touchpoints' && change.record && change.op === 'update') {
        out.push(['touchpoint.updated', { touchpoint: change.record, origin }]);
      } else if (change.entity === 'touchpoints' && change.record && change.op === 'create') {
        const touchpoint = change.record;
        // Logged with a complaint opened in the same write: announced just before it, as `complaints.open` does.
        if (touchpoint.complaintId !== undefined && opened.has(touchpoint.complaintId)) continue;
        out.push(['touchpoint.logged', { touchpoint, origin }]);
        const { signal } = touchpoint;
        if (signal?.state === 'suggested') out.push(['complaint.suggested', { touchpoint, reasons: [...signal.reasons], matches: [...signal.matches], origin }]);
      } else if (change.entity === 'complaints' && change.record) {
        const complaint = change.record;
        const before = lengths.get(complaint.id);
        remember(complaint);
        if (change.op === 'create') {
          const touchpoint = logged.get(complaint.id) ?? null;
          if (touchpoint) out.push(['touchpoint.logged', { touchpoint, origin }]);
          out.push(['complaint.opened', { complaint, touchpoint, origin }]);
          continue;
        }
        for (const activity of complaint.activity.slice(before ?? -1)) {
          out.push(['complaint.updated', { complaint, activity, origin }], ...ofEntry(complaint, activity, origin));
        }
      }
    }
    return out;
  };
}
