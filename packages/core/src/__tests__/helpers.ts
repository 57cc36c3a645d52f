import { createCrm, type CrmOptions } from '../crm.js';
import { manualClock } from '../clock/clock.js';
import { memoryStore } from '../store/memoryStore.js';
import type { SlaPolicyInput } from '../schemas/slaPolicy.js';

/** A CRM on a fresh memory store with a manual clock at a fixed start. */
export function setup(options: CrmOptions = {}) {
  const clock = manualClock('2026-03-02T09:00:00Z');
  const store = memoryStore();
  const crm = createCrm({ store, clock, ...options });
  return { crm, clock, store };
}

/** Everything a store holds, for checking that a failed call wrote nothing. */
export async function snapshot(store: ReturnType<typeof memoryStore>) {
  const feed = await store.changes({ since: 0, limit: 1000 });
  return feed.lastSeq;
}

/**
 * Monday to Friday, 09:00–17:00 UTC: 480 business minutes a day. The SLA tests' calendar;
 * {@link setup}'s clock starts on Monday 2026-03-02 at 09:00 UTC.
 */
export const OFFICE_HOURS: SlaPolicyInput['calendar'] = {
  timeZone: 'UTC',
  hours: {
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
  },
};
