/**
 * `@crm/core/store`: for store authors. The checks, cursors and page builders every
 * {@link CrmStore} shares (memory, SQL, REST), so that a store of your own fails the same way
 * with the same messages and its cursors read back; and the table of list filters that stores,
 * services and the REST routes read. An app never calls these: it uses `createCrm` and a store.
 *
 * @example
 * ```ts
 * import { checkListQuery, listPage, checkWriteOps } from '@crm/core/store'
 * import { describeStoreContract } from '@crm/core/testing'
 * ```
 *
 * @packageDocumentation
 */
export { encodeCursor, decodeCursor, checkLimit } from './cursor.js';
export {
  STORE_FILTERS,
  isEntityName,
  checkEntity,
  normalizeEmail,
  checkListQuery,
  checkFieldFilter,
  fieldFilterProblems,
  matchesFieldFilter,
  MAX_FIELD_FILTERS,
  MAX_FIELD_FILTER_LENGTH,
  checkHistoryQuery,
  listPage,
  historyPage,
  checkChangesQuery,
  checkFeedPosition,
  checkWriteOptions,
  opId,
  MAX_WRITE_OPS,
  DEFAULT_ORIGIN,
  checkWriteOps,
  checkOpAgainst,
  checkAppendOnly,
  type CheckedListQuery,
  type CheckedHistoryQuery,
} from './queries.js';
export {
  LIST_FILTERS,
  LIST_PAGING,
  FIELDS_FILTER,
  isListFilter,
  type ListFilter,
  type ListFilterValue,
  type ListFilterMatch,
  type ListFilterName,
  type ListFiltersMatching,
} from './filters.js';
// The contract a store implements, here too so a store module needs one import.
export type * from './types.js';
