import type { Crm } from '../crm.js';
import { CrmError } from '../errors/crmError.js';
import type { Change, EntityName } from '../store/types.js';
import { notifyManager as defaultNotifyManager, type NotifyManager } from './notifyManager.js';
import { hostTimers, type ObserverTimers } from './timers.js';

/**
 * What an observer wants to hear about: one record (`entity` and `id`), every record of an entity
 * (`entity` alone), or everything of one customer (`customerId`: the customer, their touchpoints
 * and their complaints).
 *
 * @example
 * ```ts
 * const interests: ChangeInterest[] = [{ entity: 'complaints', id: complaintId }, { customerId }]
 * ```
 */
export type ChangeInterest = { readonly entity: EntityName; readonly id?: string } | { readonly customerId: string };

/**
 * Gets the changes of one write that match its interests: once per write, never with an empty list.
 *
 * @example
 * ```ts
 * const watcher: ChangeWatcher = (changes) => console.log(changes.map((c) => `${c.entity} ${c.op}`))
 * ```
 */
export type ChangeWatcher = (changes: readonly Change[]) => void;

/**
 * Options of {@link observerClient}: given on the first call for a CRM.
 *
 * @example
 * ```ts
 * observerClient(crm, { notifyManager: createNotifyManager(), onError: (error) => report(error) })
 * ```
 */
export interface ObserverClientOptions {
  /**
   * Batches the observers' notifications.
   * @default the shared {@link notifyManager}
   */
  notifyManager?: NotifyManager;
  /**
   * Timers for refresh delays, and for SLA wake-ups when the CRM's clock has no `setTimer`.
   * @default the runtime's `setTimeout`
   */
  timers?: ObserverTimers;
  /**
   * Told about an error an observer could not show in its snapshot (a watcher that threw).
   * @default `console.error`
   */
  onError?: (error: unknown) => void;
}

/**
 * One CRM's observers together: it holds the single `crm.subscribe` subscription that all of
 * them share (open while any observer has listeners) and hands each write's changes to the
 * observers they concern, inside one batch.
 *
 * @example
 * ```ts
 * const client = observerClient(crm)
 * client.subscribed // true while any observer has listeners
 * ```
 */
export interface ObserverClient {
  /** The CRM observed. */
  readonly crm: Crm;
  /** The notify manager the observers schedule their notifications on. */
  readonly notifyManager: NotifyManager;
  /** The timers the observers use. */
  readonly timers: ObserverTimers;
  /**
   * Calls `watcher` with the changes of each write that match `interests`, once per write.
   * Opens the CRM subscription if it is the first watcher. Returns the function that stops it
   * (and closes the subscription if it was the last).
   *
   * @example
   * ```ts
   * const stop = observerClient(crm).watch([{ entity: 'complaints' }], (changes) => console.log(changes.length))
   * ```
   */
  watch(interests: readonly ChangeInterest[], watcher: ChangeWatcher): () => void;
  /** Whether the CRM subscription is open now. */
  readonly subscribed: boolean;
  /** Watchers now registered (one per observer with listeners). */
  readonly watchers: number;
  /** Reports an error nobody else can show. */
  reportError(error: unknown): void;
}

const clients = new WeakMap<Crm, { client: ObserverClient; options: ObserverClientOptions | undefined }>();

/**
 * The observer client of `crm`: made on the first call and the same for the CRM afterwards, so
 * every observer of one CRM shares one subscription, while two CRMs share nothing. Options apply
 * to the first call only; passing different ones later is an error.
 *
 * @example
 * ```ts
 * import { observerClient, createNotifyManager } from '@crm/core'
 * observerClient(crm, { notifyManager: createNotifyManager() }) // before the first observer
 * const customer = new CustomerObserver(crm, customerId) // uses that client
 * ```
 */
export function observerClient(crm: Crm, options?: ObserverClientOptions): ObserverClient {
  if (crm === null || typeof crm !== 'object' || typeof (crm as Partial<Crm>).subscribe !== 'function') {
    throw new CrmError('observe: expected a Crm (from createCrm or remoteCrm), with a subscribe method');
  }
  const known = clients.get(crm);
  if (known) {
    if (options !== undefined && options !== known.options) {
      throw new CrmError(
        'observerClient: this CRM already has an observer client; pass its options on the first call, before any observer is made',
      );
    }
    return known.client;
  }
  const client = createObserverClient(crm, options ?? {});
  clients.set(crm, { client, options });
  return client;
}

const logError = (error: unknown) =>
  (globalThis as { console?: { error(...data: unknown[]): void } }).console?.error('@crm/core: an observer failed', error);

function createObserverClient(crm: Crm, options: ObserverClientOptions): ObserverClient {
  const manager = options.notifyManager ?? defaultNotifyManager;
  const timers = options.timers ?? hostTimers;
  const reportError = options.onError ?? logError;
  const byRecord = new Map<string, Set<ChangeWatcher>>();
  const byEntity = new Map<EntityName, Set<ChangeWatcher>>();
  const byCustomer = new Map<string, Set<ChangeWatcher>>();
  let count = 0;
  let unsubscribe: (() => void) | null = null;

  const add = <K>(map: Map<K, Set<ChangeWatcher>>, key: K, watcher: ChangeWatcher) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(watcher);
  };
  const remove = <K>(map: Map<K, Set<ChangeWatcher>>, key: K, watcher: ChangeWatcher) => {
    const set = map.get(key);
    if (set?.delete(watcher) && set.size === 0) map.delete(key);
  };

  const dispatch = (changes: readonly Change[]) => {
    const hits = new Map<ChangeWatcher, Change[]>();
    const hit = (set: Set<ChangeWatcher> | undefined, change: Change) => {
      if (set)
        for (const watcher of set) {
          const list = hits.get(watcher);
          if (!list) hits.set(watcher, [change]);
          else if (list[list.length - 1] !== change) list.push(change);
        }
    };
    for (const change of changes) {
      hit(byEntity.get(change.entity), change);
      hit(byRecord.get(`${change.entity}\u0001${change.id}`), change);
      if (byCustomer.size === 0) continue;
      if (change.entity === 'customers') hit(byCustomer.get(change.id), change);
      else if (change.record) hit(byCustomer.get(change.record.customerId), change);
      // A tombstone doesn't say whose record it was: everyone watching a customer checks.
      else for (const set of byCustomer.values()) hit(set, change);
    }
    if (hits.size === 0) return;
    manager.batch(() => {
      for (const [watcher, list] of hits) {
        try {
          watcher(list);
        } catch (error) {
          reportError(error);
        }
      }
    });
  };

  return {
    crm,
    notifyManager: manager,
    timers,
    get subscribed() {
      return unsubscribe !== null;
    },
    get watchers() {
      return count;
    },
    reportError,
    watch(interests, watcher) {
      // Each registration gets its own function, so one watcher can be registered twice.
      const own: ChangeWatcher = (changes) => watcher(changes);
      for (const interest of interests) {
        if ('customerId' in interest) add(byCustomer, interest.customerId, own);
        else if (interest.id === undefined) add(byEntity, interest.entity, own);
        else add(byRecord, `${interest.entity}\u0001${interest.id}`, own);
      }
      count++;
      if (!unsubscribe) unsubscribe = crm.subscribe(dispatch);
      let watching = true;
      return () => {
        if (!watching) return;
        watching = false;
        for (const interest of interests) {
          if ('customerId' in interest) remove(byCustomer, interest.customerId, own);
          else if (interest.id === undefined) remove(byEntity, interest.entity, own);
          else remove(byRecord, `${interest.entity}\u0001${interest.id}`, own);
        }
        count--;
        if (count === 0 && unsubscribe) {
          const stop = unsubscribe;
          unsubscribe = null;
          stop();
        }
      };
    },
  };
}
