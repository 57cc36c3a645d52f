/**
 * `@crm/adapters/sync`: two-way sync between a local store and a remote CRM (HubSpot through
 * `@crm/adapters/hubspot`, or your own {@link SyncRemote}). `createSync({ local, remote })` pushes
 * the local change feed and pulls the remote's changes, with its cursors, id map and outbound queue
 * kept in the local store: on `sqlStore` they survive a crash, and several workers share the queue.
 *
 * @packageDocumentation
 */
export {
  createSync,
  syncStateFor,
  type Sync,
  type SyncOptions,
  type SyncProgress,
  type SyncReport,
  type SyncReportFailure,
  type SyncCounts,
  type SyncStep,
  type SyncStepEvent,
} from './engine.js';
export { mergePulled, sameValue, type ConflictPolicy, type ConflictRule, type MergeResult } from './merge.js';
export { memorySyncState } from './state/memoryState.js';
export * from './contract.js';
