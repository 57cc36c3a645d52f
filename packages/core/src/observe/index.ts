/**
 * Observers: live, batched views of a CRM with stable snapshots, for any UI (React binds them
 * with `useSyncExternalStore` in `@crm/react`). No framework, no DOM, no Node APIs.
 *
 * @module
 */
export { Subscribable } from './subscribable.js';
export {
  batch,
  notifyManager,
  createNotifyManager,
  type NotifyManager,
  type NotifyManagerOptions,
  type NotifyCallback,
  type NotifyScheduler,
  type NotifyFunction,
  type BatchNotifyFunction,
} from './notifyManager.js';
export type { ObserverTimers } from './timers.js';
export {
  observerClient,
  type ObserverClient,
  type ObserverClientOptions,
  type ChangeInterest,
  type ChangeWatcher,
} from './observerClient.js';
export {
  CrmObserver,
  type ObserverSnapshot,
  type ObserverStatus,
  type SnapshotListener,
  type SnapshotSource,
  type RefreshOptions,
} from './crmObserver.js';
export { PagedObserver, type PagedSnapshot, type ListEditor } from './pagedObserver.js';
export { RecordObserver, type RecordSnapshot } from './recordObserver.js';
export { CustomerObserver, type CustomerSnapshot } from './customerObserver.js';
export { ComplaintObserver, type ComplaintSnapshot } from './complaintObserver.js';
export { HistoryObserver, type HistoryObserverQuery, type HistorySnapshot } from './historyObserver.js';
export { ComplaintListObserver, type ComplaintListQuery, type ComplaintListSnapshot } from './complaintListObserver.js';
export { SlaStatusObserver, type SlaStatusSnapshot, type SlaTargetDisplay } from './slaStatusObserver.js';
export { KpisObserver, type KpisSnapshot } from './kpisObserver.js';
export { HealthObserver, type HealthSnapshot } from './healthObserver.js';
