import type { ActivityAppend, EntryMaker } from '../complaints/activity.js';
import type { Complaint, ComplaintActivity, Priority } from '../schemas/complaint.js';
import type { SlaPolicy } from '../schemas/slaPolicy.js';
import type { SlaCrossing } from './engine.js';

const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

/** Whether a crossing is a breach that the policy escalates (`onBreach`, for all targets or this one). */
export function escalates(policy: SlaPolicy, crossing: SlaCrossing): boolean {
  const on = policy.onBreach;
  return crossing.event === 'breached' && !!on && (!on.targets || on.targets.includes(crossing.target));
}

/**
 * What recording `crossings` adds to the complaint: an `sla` entry for each, and for each breach
 * the policy escalates, a raised priority and a hand-off to the escalation owner, each with
 * its reason. Pure: `entry` makes the entries.
 */
export function slaEscalation(
  current: Complaint,
  policy: SlaPolicy,
  crossings: readonly SlaCrossing[],
  entry: EntryMaker,
): ActivityAppend & { fields: Pick<Complaint, 'priority'> & Partial<Pick<Complaint, 'ownerId'>> } {
  const entries: ComplaintActivity[] = [];
  let priority = current.priority;
  let ownerId = current.ownerId;
  for (const c of crossings) {
    entries.push(
      entry('sla', { target: c.target, event: c.event, cycle: c.cycle, dueAt: new Date(c.dueAt).toISOString() }, new Date(c.at).toISOString()),
    );
    if (!escalates(policy, c)) continue;
    const reason = `SLA ${c.target} target breached (due ${new Date(c.dueAt).toISOString()})`;
    const raise = policy.onBreach!.raisePriority;
    if (raise !== undefined) {
      const to = raise === true ? PRIORITIES[Math.min(3, PRIORITIES.indexOf(priority) + 1)]! : raise;
      if (PRIORITIES.indexOf(to) > PRIORITIES.indexOf(priority)) {
        entries.push(entry('priority_changed', { from: priority, to, reason }));
        priority = to;
      }
    }
    const owner = policy.onBreach!.reassignTo;
    if (owner !== undefined && owner !== ownerId) {
      entries.push(entry('assigned', { from: ownerId ?? null, to: owner, reason: `${reason}: escalated` }));
      ownerId = owner;
    }
  }
  return { entries, fields: { priority, ...(ownerId === undefined ? {} : { ownerId }) } };
}
