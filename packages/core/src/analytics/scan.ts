import type { CrmStore, EntityFilters, EntityName, EntityRecords, Page } from '../store/types.js';

/** Reads every record of `entity` matching `filter` through `list`, 500 at a time, oldest first, calling `each`. */
export async function scan<E extends EntityName>(
  store: CrmStore,
  entity: E,
  each: (record: EntityRecords[E]) => void,
  filter?: EntityFilters[E],
): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: Page<EntityRecords[E]> = await store.list(entity, { limit: 500, cursor, order: 'asc', ...(filter ? { filter } : {}) });
    for (const record of page.items) each(record);
    cursor = page.nextCursor;
  } while (cursor);
}
