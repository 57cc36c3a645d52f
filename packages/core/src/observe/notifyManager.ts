/**
 * A notification waiting to be delivered: an observer telling its listeners.
 *
 * @example
 * ```ts
 * const callback: NotifyCallback = () => listeners.forEach((listener) => listener())
 * ```
 */
export type NotifyCallback = () => void;

/**
 * Runs `flush` later: by default on a microtask.
 *
 * @example
 * ```ts
 * const nextFrame: NotifyScheduler = (flush) => requestAnimationFrame(flush)
 * ```
 */
export type NotifyScheduler = (flush: () => void) => void;

/**
 * Wraps the delivery of one notification (React's `act` in tests, say).
 *
 * @example
 * ```ts
 * notifyManager.setNotifyFunction((callback) => act(callback))
 * ```
 */
export type NotifyFunction = (callback: NotifyCallback) => void;

/**
 * Wraps the delivery of a whole flush (a framework's batched-updates function, say).
 *
 * @example
 * ```ts
 * notifyManager.setBatchNotifyFunction(ReactDOM.unstable_batchedUpdates) // React 17
 * ```
 */
export type BatchNotifyFunction = (deliver: () => void) => void;

/**
 * Options of {@link createNotifyManager}.
 *
 * @example
 * ```ts
 * createNotifyManager({ onError: (error) => logger.error(error) })
 * ```
 */
export interface NotifyManagerOptions {
  /**
   * When notifications scheduled outside a batch are delivered.
   * @default a microtask (`queueMicrotask`, else a resolved promise)
   * @example
   * ```ts
   * createNotifyManager({ scheduler: (flush) => setTimeout(flush, 0) })
   * ```
   */
  scheduler?: NotifyScheduler;
  /** Wraps each notification. @default calls it */
  notify?: NotifyFunction;
  /** Wraps each flush. @default calls it */
  batchNotify?: BatchNotifyFunction;
  /**
   * Told about a notification that threw; the others are delivered all the same.
   * @default `console.error`
   */
  onError?: (error: unknown) => void;
}

/**
 * Batches notifications: each callback scheduled is delivered once per flush, however often it
 * was scheduled. Inside {@link NotifyManager.batch} they wait for the end of the outermost batch;
 * outside, for the scheduler (a microtask). Made by {@link createNotifyManager}.
 *
 * @example
 * ```ts
 * notifyManager.schedule(render)
 * notifyManager.schedule(render) // render runs once, on the next microtask
 * ```
 */
export interface NotifyManager {
  /**
   * Runs `fn`; notifications scheduled while it runs are delivered once, together, when the
   * outermost batch returns (or throws). Only the synchronous part of `fn` is covered.
   *
   * @example
   * ```ts
   * notifyManager.batch(() => {
   *   store.write(ops1) // a memory store tells its subscribers synchronously
   *   store.write(ops2)
   * }) // every observer that changed wakes once, here
   * ```
   */
  batch<T>(fn: () => T): T;
  /** Delivers `callback` with the next flush. Scheduling the same function twice before it delivers it once. */
  schedule(callback: NotifyCallback): void;
  /** Delivers what is waiting now. */
  flush(): void;
  /** Replaces the scheduler (see {@link NotifyManagerOptions.scheduler}). */
  setScheduler(scheduler: NotifyScheduler): void;
  /** Replaces the function that wraps each notification. */
  setNotifyFunction(notify: NotifyFunction): void;
  /** Replaces the function that wraps each flush. */
  setBatchNotifyFunction(batchNotify: BatchNotifyFunction): void;
}

const microtask: NotifyScheduler = (flush) => {
  const queue = (globalThis as { queueMicrotask?: (fn: () => void) => void }).queueMicrotask;
  if (typeof queue === 'function') queue(flush);
  else void Promise.resolve().then(flush);
};

const logError = (error: unknown) =>
  (globalThis as { console?: { error(...data: unknown[]): void } }).console?.error('@crm/core: an observer listener threw', error);

/**
 * Creates a {@link NotifyManager}, with its own queue: for an observer client that must not share
 * the default {@link notifyManager}'s batches.
 *
 * @example
 * ```ts
 * const manager = createNotifyManager()
 * manager.schedule(() => console.log('once'))
 * manager.schedule(() => console.log('twice')) // both delivered on the next microtask
 * ```
 */
export function createNotifyManager(options: NotifyManagerOptions = {}): NotifyManager {
  let scheduler = options.scheduler ?? microtask;
  let notify: NotifyFunction = options.notify ?? ((callback) => callback());
  let batchNotify: BatchNotifyFunction = options.batchNotify ?? ((deliver) => deliver());
  const onError = options.onError ?? logError;
  const queue = new Set<NotifyCallback>();
  let depth = 0;
  let scheduled = false;

  const flush = () => {
    if (queue.size === 0) return;
    const callbacks = [...queue];
    queue.clear();
    batchNotify(() => {
      for (const callback of callbacks) {
        try {
          notify(callback);
        } catch (error) {
          onError(error);
        }
      }
    });
  };

  return {
    batch(fn) {
      depth++;
      try {
        return fn();
      } finally {
        depth--;
        if (depth === 0) flush();
      }
    },
    schedule(callback) {
      queue.add(callback);
      if (depth > 0 || scheduled) return;
      scheduled = true;
      scheduler(() => {
        scheduled = false;
        if (depth === 0) flush();
      });
    },
    flush,
    setScheduler(next) {
      scheduler = next;
    },
    setNotifyFunction(next) {
      notify = next;
    },
    setBatchNotifyFunction(next) {
      batchNotify = next;
    },
  };
}

/**
 * The notify manager that observer clients use unless given their own. It holds no CRM data:
 * only the notifications waiting for the end of the current batch or microtask.
 *
 * @example
 * ```ts
 * import { notifyManager } from '@crm/core'
 * notifyManager.setNotifyFunction((fn) => act(fn)) // React tests
 * ```
 */
export const notifyManager: NotifyManager = /* @__PURE__ */ createNotifyManager();

/**
 * {@link NotifyManager.batch} of the default {@link notifyManager}: observers that change while
 * `fn` runs tell their listeners once, together, when it returns. Every store write is already
 * delivered to the observers in one batch, so a write of 500 records wakes each observer once.
 *
 * @example
 * ```ts
 * import { batch } from '@crm/core'
 * batch(() => {
 *   void store.write(first)
 *   void store.write(second)
 * })
 * ```
 */
export function batch<T>(fn: () => T): T {
  return notifyManager.batch(fn);
}
