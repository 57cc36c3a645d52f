import type { Complaint, ComplaintActivity, ComplaintActivityType } from '../schemas/complaint.js';

/** The entry of activity type `T`. */
export type ActivityOf<T extends ComplaintActivityType> = Extract<ComplaintActivity, { type: T }>;

/** What an entry of type `T` says besides its id, instant and type. */
export type EntryFields<T extends ComplaintActivityType> = Omit<ActivityOf<T>, 'id' | 'at' | 'type'>;

/** Makes an activity entry of the type given, with its fields (an id and instant are filled in by the maker). */
export type EntryMaker = <T extends ComplaintActivityType>(type: T, fields: EntryFields<T>, at?: string) => ActivityOf<T>;

/**
 * A new activity entry with this id and instant. Undefined fields are left out (never stored as
 * keys), so an entry without an `actorId` has none.
 */
export function activityEntry<T extends ComplaintActivityType>(id: string, at: string, type: T, fields: EntryFields<T>): ActivityOf<T> {
  const out: Record<string, unknown> = { id, at, type };
  // Copied key by key, leaving out undefined values: deleting them afterwards would turn every
  // entry into a slow dictionary-mode object, and the SLA engine reads entries in hot loops.
  for (const key in fields) {
    const value = (fields as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as ActivityOf<T>;
}

/** What an append adds to a complaint: activity entries, and changes to its fields. */
export interface ActivityAppend {
  entries: ComplaintActivity[];
  fields?: Partial<Complaint>;
  clear?: (keyof Complaint)[];
}

/** Works out an append from the complaint as it stands; may run more than once, so it must be pure. */
export type AppendBuild = (current: Complaint) => ActivityAppend;

/**
 * The complaint after `append`: its entries at the end of the log, its fields set or cleared,
 * and the status the last `status_changed` entry moves to. Version and `updatedAt` are the
 * writer's to set.
 */
export function withActivity(current: Complaint, append: ActivityAppend): Complaint {
  let status = current.status;
  for (const e of append.entries) if (e.type === 'status_changed') status = e.to;
  const next: Complaint = { ...current, ...append.fields, status, activity: [...current.activity, ...append.entries] };
  for (const key of append.clear ?? []) delete next[key];
  return next;
}
