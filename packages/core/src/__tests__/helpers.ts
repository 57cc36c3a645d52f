import { createCrm, type CrmOptions } from '../crm.js';
import { manualClock } from '../clock/clock.js';
import { memoryStore } from '../store/memoryStore.js';

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
