import { activityEntry, withActivity, type AppendBuild, type EntryMaker } from '../complaints/activity.js';
import { activityEvents } from '../events/derive.js';
import type { Complaint, ComplaintActivity } from '../schemas/complaint.js';
import { mutate, nowIso, type ServiceContext } from './context.js';

/** Makes activity entries with ids from the CRM's generator, `at` now unless given. */
export function entryMaker(ctx: ServiceContext): EntryMaker {
  return (type, fields, at = nowIso(ctx)) => activityEntry(ctx.newId(), at, type, fields);
}

/**
 * Appends entries (and field changes) to a complaint with optimistic concurrency, then emits
 * what happened and tells the CRM's listeners of complaint writes. `build` may run more than
 * once (after a conflict) and must be pure.
 */
export async function appendActivity(
  ctx: ServiceContext,
  id: string,
  version: number | undefined,
  build: AppendBuild,
): Promise<{ record: Complaint; entries: ComplaintActivity[] }> {
  let entries: ComplaintActivity[] = [];
  const { record } = await mutate(ctx, 'complaints', id, version === undefined ? undefined : { version }, (current) => {
    const append = build(current);
    entries = append.entries;
    return withActivity(current, append);
  });
  for (const activity of entries) for (const [event, payload] of activityEvents(record, activity, ctx.origin)) ctx.emit(event, payload as never);
  ctx.complaintWritten.call(record);
  return { record, entries };
}
