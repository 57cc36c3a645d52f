import { isCrmError } from '../errors/crmError.js';
import { opId } from '../store/queries.js';
import type { Change, CrmStore, StoreWriteOptions, WriteOp, WriteResult } from '../store/types.js';

/** Hears each atomic write's changes, in feed order, whoever made the write. */
export type ChangeListener = (changes: readonly Change[]) => void;

/** Options of {@link feedHub}. */
export interface FeedHubOptions {
  store: CrmStore;
  /** Milliseconds between two reads of the feed, for stores that can't push. */
  pollIntervalMs: number;
  /** Timers, replaceable in tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Told about a failure to read the feed (the hub goes on trying). */
  onError(error: unknown): void;
  /** Told about every write: those this CRM made itself are marked `local`. */
  onWrite(changes: readonly Change[], local: boolean): void;
}

const keyOf = (entity: string, id: string, version: number) => `${entity}\u0001${id}\u0001${version}`;

/**
 * One subscription to a store's change feed, shared by everything in a CRM that follows it
 * (events, observers, `crm.subscribe`): opened with the first listener, closed with the last.
 * Stores that push (`capabilities.subscribe`) are subscribed to; the others are polled.
 *
 * Writes made through this CRM are recognised in the feed by their first op (entity, id and
 * version: only one write can make a given version), so the CRM announces its own writes with
 * the services' richer payloads, and derives events only for writes made elsewhere.
 */
export function feedHub(options: FeedHubOptions) {
  const { store } = options;
  const listeners = new Set<ChangeListener>();
  let holds = 0;
  let stop: (() => void) | null = null;
  const local = new Set<string>();

  const deliver = (changes: readonly Change[]) => {
    if (changes.length === 0) return;
    const first = changes[0]!;
    const key = keyOf(first.entity, first.id, first.version);
    const mine = local.delete(key);
    try {
      options.onWrite(changes, mine);
    } catch (error) {
      options.onError(error);
    }
    for (const listener of [...listeners]) {
      // A failing listener must neither starve the others nor stop the feed.
      try {
        listener(changes);
      } catch (error) {
        options.onError(error);
      }
    }
  };

  /** Follows a store that can't push by reading its feed every `pollIntervalMs`. */
  const poll = (): (() => void) => {
    let since: number | null = null;
    let stopped = false;
    let handle: unknown;
    const host = globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
    const set = options.setTimer ?? ((fn: () => void, ms: number) => host.setTimeout(fn, ms));
    const clear = options.clearTimer ?? ((h: unknown) => host.clearTimeout(h));
    const tick = async () => {
      try {
        if (since === null) {
          // Where the feed ends now: nothing before it is told.
          try {
            since = (await store.changes({ since: 0, limit: 1 })).head;
          } catch (error) {
            if (!isCrmError(error, 'FEED_EXPIRED')) throw error;
            since = (error as unknown as { lastSeq: number }).lastSeq;
          }
        } else {
          // Whole writes only: a write cut off by the page's end is read on with the next page.
          let carried: Change[] = [];
          let at = since;
          for (;;) {
            const page = await store.changes({ since: at, limit: 1000 });
            if (stopped || page.changes.length === 0) break;
            at = page.lastSeq;
            let group: Change[] = carried;
            carried = [];
            for (const change of page.changes) {
              if (group.length > 0 && change.writeId !== group[0]!.writeId) {
                deliver(group);
                since = group[group.length - 1]!.seq;
                group = [];
              }
              group.push(change);
            }
            const last = group[group.length - 1];
            if (last && last.seq === last.writeId) {
              deliver(group);
              since = last.seq;
            } else carried = group;
          }
        }
      } catch (error) {
        options.onError(error);
      }
      if (!stopped) handle = set(() => void tick(), options.pollIntervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clear(handle);
    };
  };

  const open = () => {
    if (stop) return;
    if (store.capabilities.subscribe && typeof store.subscribe === 'function') {
      stop = store.subscribe(deliver);
    } else stop = poll();
  };
  const closeIfIdle = () => {
    if (holds > 0 || listeners.size > 0 || !stop) return;
    const s = stop;
    stop = null;
    local.clear();
    s();
  };

  return {
    /** Calls `listener` with each write's changes. Returns the function that stops the calls. */
    subscribe(listener: ChangeListener): () => void {
      listeners.add(listener);
      open();
      return () => {
        listeners.delete(listener);
        closeIfIdle();
      };
    },
    /** Keeps the subscription open without a listener (for the CRM's event handlers). Returns the release. */
    hold(): () => void {
      holds++;
      open();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        closeIfIdle();
      };
    },
    /** Whether the feed is followed now. */
    get active(): boolean {
      return stop !== null;
    },
    /** A write through the CRM's services: marked as its own before it is made, so the feed knows it. */
    async write(ops: readonly WriteOp[], writeOptions?: StoreWriteOptions): Promise<WriteResult> {
      const first = ops[0];
      let key: string | null = null;
      if (stop && first) {
        const version = first.type === 'delete' ? first.expectedVersion + 1 : first.record.version;
        key = keyOf(first.entity, opId(first), version);
        local.add(key);
      }
      try {
        return await store.write(ops, writeOptions);
      } catch (error) {
        if (key) local.delete(key);
        throw error;
      }
    },
    close(): void {
      listeners.clear();
      holds = 0;
      closeIfIdle();
    },
  };
}

export type FeedHub = ReturnType<typeof feedHub>;
