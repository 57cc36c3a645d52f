import type { Complaint, ComplaintActivity } from '../schemas/complaint.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import { toEpochMs } from '../schemas/primitives.js';

/** What {@link complaintCounts} counts for one complaint. */
export interface ComplaintCounts {
  /** `assigned` entries that took the complaint from one owner to another (`from` not null). */
  handoffs: number;
  /**
   * Inbound touchpoints linked to the complaint (`complaintId`) after it was opened and while it
   * was not resolved: the customer having to get in touch again. The touchpoint the complaint was
   * opened from is not one.
   */
  repeatContacts: number;
}

const RESOLVED = new Set(['resolved', 'closed']);

/** Whether an `assigned` entry is a hand-off: it took the complaint from one owner to another. */
export const isHandoff = (entry: Extract<ComplaintActivity, { type: 'assigned' }>): boolean => entry.from !== null;

/**
 * Hand-offs and repeat contacts of a complaint (R1, R5), from its activity log and the touchpoints
 * linked to it, as they stood at `at` (epoch ms or a date; default: everything). Touchpoints of
 * other complaints are ignored, so any list of touchpoints can be passed. A pure function.
 *
 * @example
 * ```ts
 * const complaint = await crm.complaints.get(id)
 * const { items } = await crm.touchpoints.list({ complaintId: id, limit: 500 })
 * complaintCounts(complaint, items) // → { handoffs: 1, repeatContacts: 2 }
 * ```
 */
export function complaintCounts(complaint: Complaint, touchpoints: readonly Touchpoint[], at: number | Date = Infinity): ComplaintCounts {
  const until = typeof at === 'number' ? at : at.getTime();
  let handoffs = 0;
  for (const entry of complaint.activity) if (entry.type === 'assigned' && isHandoff(entry) && toEpochMs(entry.at) <= until) handoffs++;
  // Most complaints have no linked touchpoints: nothing more to read (KPIs count 100,000 at a time).
  if (touchpoints.length === 0) return { handoffs, repeatContacts: 0 };
  let openedAt = toEpochMs(complaint.createdAt);
  let openedFrom = complaint.touchpointId;
  // Instants at which the complaint became resolved / unresolved again, in log order.
  const changes: { t: number; resolved: boolean }[] = [];
  for (const entry of complaint.activity) {
    if (entry.type !== 'opened' && entry.type !== 'status_changed') continue;
    const t = toEpochMs(entry.at);
    if (t > until) continue;
    if (entry.type === 'opened') {
      openedAt = t;
      openedFrom = entry.touchpointId ?? openedFrom;
    } else changes.push({ t, resolved: RESOLVED.has(entry.to) });
  }
  changes.sort((a, b) => a.t - b.t);
  let repeatContacts = 0;
  for (const tp of touchpoints) {
    if (tp.complaintId !== complaint.id || tp.direction !== 'inbound' || tp.id === openedFrom) continue;
    const t = toEpochMs(tp.occurredAt);
    if (t <= openedAt || t > until) continue;
    let resolved = false;
    for (const change of changes) {
      if (change.t > t) break;
      resolved = change.resolved;
    }
    if (!resolved) repeatContacts++;
  }
  return { handoffs, repeatContacts };
}
