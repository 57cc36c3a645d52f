import type { Change } from '@crm/core';
import type { SqlDriver } from './driver.js';

type Listener = (changes: readonly Change[]) => void;
type FeedChange = Change;

/** What {@link followChanges} needs from its store. */
export interface FollowOptions {
  driver: SqlDriver;
  tenant: string;
  ready(): Promise<unknown>;
  /** Changes after `since`, at most `limit` (each `writeId` is the seq of its write's last change). */
  read(since: number, limit: number): Promise<FeedChange[]>;
  /** The seq of the tenant's newest change. */
  currentSeq(): Promise<number>;
}

const PAGE = 500;

/**
 * A store's `subscribe`: listeners get each atomic write's changes in one call, in feed order,
 * whether this store or another process wrote them (other processes are heard through the
 * driver's LISTEN, when it has one). It follows the change feed from the moment of the first
 * subscription, so nothing is told twice or out of order.
 */
export function followChanges(options: FollowOptions) {
  const listeners = new Set<Listener>();
  let started: Promise<void> | undefined;
  let delivered = 0;
  let stopListening: (() => Promise<void>) | undefined;
  let pumping: Promise<void> | undefined;
  let again = false;
  let generation = 0;

  /** The generation whose start has read the feed's position into `delivered`. */
  let positioned = -1;

  const start = async (mine: number) => {
    await options.ready();
    const seq = await options.currentSeq();
    if (mine !== generation) return;
    delivered = seq;
    positioned = mine;
    if (options.driver.listen) {
      const stop = await listenShared(options.driver, options.tenant, pump);
      if (mine === generation) stopListening = stop;
      else await stop();
    }
  };

  /** Reads what is new and tells the listeners; one pass at a time, again if asked meanwhile. */
  function pump(): void {
    if (!started) return;
    if (pumping) {
      again = true;
      return;
    }
    const mine = generation;
    pumping = (async () => {
      do {
        again = false;
        await started;
        for (;;) {
          if (mine !== generation) return;
          let batch = await options.read(delivered, PAGE);
          if (batch.length === 0) break;
          // Only whole writes: the last one may go on past this page.
          const end = batch[batch.length - 1]!.writeId;
          if (end > batch[batch.length - 1]!.seq) {
            const whole = batch.filter((c) => c.writeId <= batch[batch.length - 1]!.seq);
            batch = whole.length > 0 ? whole : await readWrite(batch[0]!.writeId);
          }
          if (mine !== generation) return;
          for (const changes of groupByWrite(batch)) tell(changes);
          delivered = batch[batch.length - 1]!.seq;
        }
      } while (again);
    })()
      .catch((error: unknown) => console()?.error('sqlStore: could not read the change feed for subscribers', error))
      .finally(() => {
        pumping = undefined;
        if (again) pump();
      });
  }

  /** Every change of the write that ends at `writeId` (a write larger than a page). */
  const readWrite = async (writeId: number): Promise<FeedChange[]> => {
    const out: FeedChange[] = [];
    while (out.length === 0 || out[out.length - 1]!.seq < writeId) {
      const page = await options.read(out.length === 0 ? delivered : out[out.length - 1]!.seq, 1000);
      if (page.length === 0) break;
      out.push(...page.filter((c) => c.seq <= writeId));
    }
    return out;
  };

  const tell = (changes: readonly Change[]) => {
    for (const listener of [...listeners]) {
      // The write is committed: a failing listener must neither fail it nor starve the others.
      try {
        listener(changes);
      } catch (error) {
        console()?.error('sqlStore: a subscribe listener threw', error);
      }
    }
  };

  const begin = () => {
    if (started) return;
    const mine = generation;
    const promise: Promise<void> = start(mine).catch((error: unknown) => {
      console()?.error('sqlStore: could not start following the change feed', error);
      // Without the feed's position nothing can be told (`delivered` is stale: the feed would be
      // replayed from there): start again on the next subscribe or write.
      if (started === promise && positioned !== mine) started = undefined;
    });
    started = promise;
  };

  const stop = async () => {
    generation++;
    started = undefined;
    const unlisten = stopListening;
    stopListening = undefined;
    if (unlisten) await unlisten();
  };

  return {
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      begin();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stop().catch((error: unknown) => console()?.error('sqlStore: could not stop listening for changes', error));
        }
      };
    },
    /** A write waits until a new subscription knows where the feed stood, so it is not missed. */
    async beforeWrite(): Promise<void> {
      if (listeners.size > 0) begin();
      if (started) await started;
    },
    afterWrite(): void {
      if (listeners.size > 0) pump();
    },
    async close(): Promise<void> {
      listeners.clear();
      await stop();
    },
  };
}

function groupByWrite(changes: readonly FeedChange[]): Change[][] {
  const groups: Change[][] = [];
  let current: Change[] = [];
  let writeId = -1;
  for (const change of changes) {
    if (change.writeId !== writeId && current.length > 0) {
      groups.push(current);
      current = [];
    }
    writeId = change.writeId;
    current.push(change);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

const console = () => (globalThis as { console?: { error(...data: unknown[]): void } }).console;

/** One LISTEN per driver, shared by every store on it; each store hears only its tenant. */
const channels = new WeakMap<SqlDriver, { tenants: Map<string, Set<() => void>>; stop: Promise<() => Promise<void>> }>();

async function listenShared(driver: SqlDriver, tenant: string, onChange: () => void): Promise<() => Promise<void>> {
  let shared = channels.get(driver);
  if (!shared) {
    const tenants = new Map<string, Set<() => void>>();
    const stop = driver.listen!(
      'crm_changes',
      (payload) => {
        for (const callback of tenants.get(payload) ?? []) callback();
      },
      {
        // Listening again after a lost connection: any tenant may have missed a write meanwhile.
        onReconnect: () => {
          for (const callbacks of [...tenants.values()]) for (const callback of [...callbacks]) callback();
        },
      },
    );
    shared = { tenants, stop };
    channels.set(driver, shared);
    stop.catch(() => channels.delete(driver));
  }
  const { tenants } = shared;
  let set = tenants.get(tenant);
  if (!set) tenants.set(tenant, (set = new Set()));
  set.add(onChange);
  await shared.stop;
  const entry = shared;
  return async () => {
    set!.delete(onChange);
    if (set!.size === 0) tenants.delete(tenant);
    if (tenants.size === 0 && channels.get(driver) === entry) {
      channels.delete(driver);
      await (await entry.stop)();
    }
  };
}
