import type { Crm } from '../crm.js';
import { CrmValidationError } from '../errors/validationError.js';
import type { Change } from '../store/types.js';
import { observerClient, type ChangeInterest, type ObserverClient } from './observerClient.js';
import { Subscribable } from './subscribable.js';

/**
 * Where an observer's data stands: not there yet, there, or the last read failed.
 *
 * @example
 * ```ts
 * const { status } = observer.getSnapshot()
 * if (status === 'loading') return spinner()
 * ```
 */
export type ObserverStatus = 'loading' | 'success' | 'error';

/**
 * What every observer's `getSnapshot()` returns: the same object until something a widget shows
 * changes, so it can go straight to React's `useSyncExternalStore`. Frozen.
 *
 * @example
 * ```ts
 * const { status, data, error } = new CustomerObserver(crm, id).getSnapshot()
 * if (status === 'error') console.log(error?.message)
 * ```
 */
export interface ObserverSnapshot<TData> {
  /** `loading` until the first read ends; `error` when the last read failed (or the record is gone). */
  readonly status: ObserverStatus;
  /** The data, once read; kept while a refresh runs and after a refresh fails (`undefined` once the record is deleted). */
  readonly data: TData | undefined;
  /** Why the last read failed (a `CrmNotFoundError` once the record is deleted), else `null`. */
  readonly error: Error | null;
  /**
   * A read is under way: the first, or one asked for with `refetch()`. The short refreshes that
   * follow changes don't set it, so that a write wakes each observer once.
   */
  readonly isFetching: boolean;
  /** When `data` was last read or brought up to date by a change (epoch ms, the CRM's clock); 0 before. */
  readonly updatedAt: number;
}

/**
 * The listener of an observer: called after its snapshot changed, with the new snapshot (React's
 * `onStoreChange`, which takes nothing, fits too).
 *
 * @example
 * ```ts
 * const listener: SnapshotListener<CustomerSnapshot> = ({ data }) => console.log(data?.name)
 * ```
 */
export type SnapshotListener<TSnapshot> = (snapshot: TSnapshot) => void;

/**
 * What a UI binding needs of an observer — exactly what React's `useSyncExternalStore` takes.
 * Every observer is one, whatever its data.
 *
 * @example
 * ```ts
 * function useObserver<S>(observer: SnapshotSource<S>): S {
 *   return useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot)
 * }
 * ```
 */
export interface SnapshotSource<TSnapshot> {
  subscribe(listener: SnapshotListener<TSnapshot>): () => void;
  getSnapshot(): TSnapshot;
  getServerSnapshot(): TSnapshot;
}

/**
 * Options of {@link KpisObserver}, {@link HealthObserver} (and `refreshDelayMs` of
 * {@link ComplaintListObserver}, for the changes it can't patch in).
 *
 * @example
 * ```ts
 * new HealthObserver(crm, customerId, { refreshDelayMs: 500 })
 * ```
 */
export interface RefreshOptions {
  /**
   * How long after the first relevant change the figures are read again; every change in that
   * time is folded into the same read.
   * @default 250 (100 for a `ComplaintListObserver`)
   * @example
   * ```ts
   * new KpisObserver(crm, query, { refreshDelayMs: 1000 }) // a wall display: once a second at most
   * ```
   */
  refreshDelayMs?: number;
}

/** Checks `refreshDelayMs` (default 250) once, naming the observer in the message. */
export function refreshDelayOf(subject: string, options: RefreshOptions | undefined, fallback = 250): number {
  const delay = options?.refreshDelayMs ?? fallback;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    throw CrmValidationError.field(`${subject} options`, ['refreshDelayMs'], 'must be a number of milliseconds, 0 or more');
  }
  return delay;
}

/** `error` as an `Error` (a thrown string, say, becomes its message). */
export const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * The base of the observers: a snapshot, a lifecycle (live while it has listeners: it watches the
 * CRM's changes through the {@link ObserverClient} and reads its data; it stops when the last
 * listener leaves), and reads whose late results never overwrite newer ones.
 *
 * To write an observer: give `load` (a full read), `interests` (which changes concern it) and
 * `applyChanges` (bring the data up to date from them, or call `invalidate` to read again).
 *
 * @example
 * ```ts
 * class StaffCountObserver extends CrmObserver<number> {
 *   protected load() { return Promise.resolve(this.crm.staff.length) }
 *   protected interests() { return [] }
 *   protected applyChanges() {}
 * }
 * ```
 */
export abstract class CrmObserver<TData, TSnapshot extends ObserverSnapshot<TData> = ObserverSnapshot<TData>> extends Subscribable<
  SnapshotListener<TSnapshot>
> {
  /** The CRM observed. */
  readonly crm: Crm;
  /** The CRM's observer client (shared subscription, notify manager, timers). */
  protected readonly client: ObserverClient;
  #snapshot: TSnapshot;
  #release: (() => void) | null = null;
  #generation = 0;
  /** Changes that arrived while the current read was under way: applied again to its result. */
  #buffer: Change[] | null = null;
  #refreshTimer: unknown = null;
  #refreshPending = false;

  /**
   * The current snapshot: the same object until something changes. Bound, for `useSyncExternalStore`.
   *
   * @example
   * ```ts
   * observer.getSnapshot() === observer.getSnapshot() // true until a change
   * ```
   */
  readonly getSnapshot = (): TSnapshot => this.#snapshot;

  /**
   * The snapshot for server rendering and hydration: the same function as {@link getSnapshot}.
   * It touches nothing of the browser (no `window`); on a server, `await observer.refetch()`
   * first to render with data.
   *
   * @example
   * ```ts
   * useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot)
   * ```
   */
  readonly getServerSnapshot: () => TSnapshot = this.getSnapshot;

  constructor(crm: Crm, extra: Omit<TSnapshot, keyof ObserverSnapshot<TData>>) {
    super();
    this.crm = crm;
    this.client = observerClient(crm);
    this.#snapshot = Object.freeze({
      status: 'loading',
      data: undefined,
      error: null,
      isFetching: false,
      updatedAt: 0,
      ...extra,
    } as TSnapshot);
  }

  /**
   * Whether the observer is live: it has listeners, follows the CRM's changes and keeps its timers.
   *
   * @example
   * ```ts
   * const stop = observer.subscribe(render)
   * observer.active // true
   * stop()
   * observer.active // false
   * ```
   */
  get active(): boolean {
    return this.#release !== null;
  }

  /**
   * Reads the data again (and, on a server, for the first time: it needs no listener). Resolves
   * with the snapshot once the read is applied; never rejects (a failure is in the snapshot).
   *
   * @example
   * ```ts
   * const observer = new CustomerObserver(crm, id)
   * const { status, data } = await observer.refetch() // server rendering
   * ```
   */
  refetch(): Promise<TSnapshot> {
    return this.#read(false);
  }

  /** A read; a `quiet` one (a refresh after changes) leaves `isFetching` alone, so a write wakes the listeners once. */
  async #read(quiet: boolean): Promise<TSnapshot> {
    const generation = ++this.#generation;
    this.#buffer = [];
    if (!quiet) this.setSnapshot({ isFetching: true } as Partial<TSnapshot>);
    let data: TData;
    try {
      data = await this.load();
    } catch (error) {
      if (generation === this.#generation) {
        this.#buffer = null;
        this.setSnapshot({ status: 'error', error: toError(error), isFetching: false } as Partial<TSnapshot>);
      }
      return this.#snapshot;
    }
    if (generation !== this.#generation) return this.#snapshot;
    const buffered = this.#buffer;
    this.#buffer = null;
    this.client.notifyManager.batch(() => {
      this.setSnapshot({ ...this.loaded(data), status: 'success', data, error: null, isFetching: false, updatedAt: this.now() });
      if (buffered?.length) this.applyChanges(buffered);
    });
    return this.#snapshot;
  }

  /**
   * Removes every listener and stops (as when the last one leaves). The observer can be
   * subscribed again; it then reads its data afresh.
   *
   * @example
   * ```ts
   * observer.destroy() // a dashboard closing, whatever still listens
   * ```
   */
  destroy(): void {
    this.listeners.clear();
    this.#stop();
  }

  protected override onSubscribe(): void {
    if (this.#release) return;
    const interests = this.interests();
    this.#release = this.client.watch(interests, (changes) => {
      this.#buffer?.push(...changes);
      this.applyChanges(changes);
    });
    this.onStart();
    void this.refetch();
  }

  protected override onUnsubscribe(): void {
    if (!this.hasListeners()) this.#stop();
  }

  #stop(): void {
    const release = this.#release;
    if (!release) return;
    this.#release = null;
    release();
    if (this.#refreshTimer !== null) this.client.timers.clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    this.#refreshPending = false;
    this.onStop();
  }

  /** Reads the data whole. */
  protected abstract load(): Promise<TData>;
  /** Which changes concern this observer. */
  protected abstract interests(): readonly ChangeInterest[];
  /** Brings the data up to date from the changes of one write (or of several, replayed after a read). */
  protected abstract applyChanges(changes: readonly Change[]): void;
  /** Extra snapshot fields to set with freshly read data. */
  protected loaded(_data: TData): Partial<TSnapshot> {
    return {};
  }
  /** Called when the observer becomes live. */
  protected onStart(): void {}
  /** Called when the observer stops: cancel timers here. */
  protected onStop(): void {}

  /** Now, on the CRM's clock (epoch ms). */
  protected now(): number {
    return this.crm.clock.now().getTime();
  }

  /**
   * Replaces the fields given, making a new snapshot only if one of them differs, and schedules
   * the listeners' notification. Returns whether the snapshot changed.
   */
  protected setSnapshot(patch: Partial<TSnapshot>): boolean {
    const current = this.#snapshot as Record<string, unknown>;
    let changed = false;
    for (const key in patch) {
      if (!Object.is(current[key], (patch as Record<string, unknown>)[key])) {
        changed = true;
        break;
      }
    }
    if (!changed) return false;
    this.#snapshot = Object.freeze({ ...this.#snapshot, ...patch });
    if (this.listeners.size > 0) this.client.notifyManager.schedule(this.#notify);
    return true;
  }

  /**
   * Reads again after `delayMs`, folding every change of that time into the one read. While a
   * read is pending nothing more is scheduled.
   */
  protected invalidate(delayMs: number): void {
    if (!this.active || this.#refreshPending) return;
    this.#refreshPending = true;
    this.#refreshTimer = this.client.timers.setTimeout(() => {
      this.#refreshTimer = null;
      this.#refreshPending = false;
      if (this.active) void this.#read(true);
    }, delayMs);
  }

  readonly #notify = (): void => {
    const snapshot = this.#snapshot;
    for (const listener of [...this.listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        this.client.reportError(error);
      }
    }
  };
}
