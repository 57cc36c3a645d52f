/**
 * {@link memorySyncState}: the sync state in memory, for tests and for syncs beside a memory store.
 *
 * @module
 */
import type { MapEntry, QueueEntry, SyncEntity, SyncFailure, SyncState } from '../contract.js';
import {
  AVAILABLE_AT_ONCE,
  checkClaim,
  checkCursorMove,
  checkDate,
  checkEntity,
  checkFailure,
  checkKey,
  checkLimit,
  checkList,
  checkMapEntry,
  checkQueueItem,
  checkText,
  checkWorker,
  compareText,
  keyString,
  newestItems,
} from './checks.js';

/** A queue row: the entry and who holds it. */
interface Row {
  entity: SyncEntity;
  localId: string;
  op: 'upsert' | 'delete';
  version: number;
  seq: number;
  attempts: number;
  sentAt: string | null;
  lastError: SyncFailure | null;
  availableAt: string;
  status: 'pending' | 'failed';
  /** The worker that claimed it last (kept after its lease ends, until another claim or a release). */
  claimedBy: string | null;
  /** The version the row held when it was claimed: a newer one was queued since if `version` is greater. */
  claimedVersion: number | null;
  leaseUntil: string | null;
}

const entryOf = (row: Row): QueueEntry => ({
  entity: row.entity,
  localId: row.localId,
  op: row.op,
  version: row.version,
  seq: row.seq,
  attempts: row.attempts,
  sentAt: row.sentAt,
  lastError: row.lastError === null ? null : { ...row.lastError },
  availableAt: row.availableAt,
  status: row.status,
});

const bySeq = (a: Row, b: Row) => a.seq - b.seq || compareText(a.entity, b.entity) || compareText(a.localId, b.localId);

/** Clears a row's claim: it is claimable again (once available). */
function unclaim(row: Row): void {
  row.claimedBy = null;
  row.claimedVersion = null;
  row.leaseUntil = null;
}

/**
 * A {@link SyncState} in memory: cursors, the id map and the outbound queue of one remote, gone when
 * the process ends. It follows the same rules as `sqlSyncState` (the shared contract suite runs on
 * both), including those for several workers: a claim is exclusive until its lease ends, and a
 * worker acts only on the items it holds. Every method runs to completion before another starts
 * (nothing awaits in between), so each is atomic.
 *
 * Times are the ones passed in (`now`, `at`, `retryAt`), kept as UTC ISO 8601 strings; an item
 * without backoff is available from `1970-01-01T00:00:00.000Z`, so a sync with any clock can claim it.
 *
 * @example
 * ```ts
 * import { createSync, memorySyncState } from '@crm/adapters/sync'
 * const sync = createSync({ local: store, remote, state: memorySyncState() })
 * ```
 */
export function memorySyncState(): SyncState {
  const cursors = new Map<string, string>();
  const queue = new Map<string, Row>();
  /**
   * The rows of each entity in claim order (`bySeq`), sorted again only after a row was added or
   * moved, so a claim reads from the front instead of sorting the whole queue. Rows that left the
   * queue stay in the list until it is compacted; `live` tells them apart.
   */
  const live = new Set<Row>();
  const ordered = new Map<SyncEntity, { rows: Row[]; sorted: boolean }>();
  const orderOf = (entity: SyncEntity) => {
    let order = ordered.get(entity);
    if (!order) ordered.set(entity, (order = { rows: [], sorted: true }));
    return order;
  };
  const forget = (id: string) => {
    const row = queue.get(id);
    if (!row) return;
    queue.delete(id);
    live.delete(row);
  };
  const map = new Map<string, MapEntry>();

  /** The rows of `keys` that `worker` holds (its claim, live or not, that no other worker took over). */
  const heldBy = (method: string, worker: unknown, keys: unknown): Row[] => {
    const who = checkWorker(method, worker);
    const rows = new Set<Row>();
    for (const key of checkList(method, 'keys', keys, (k, path) => checkKey(method, path, k))) {
      const row = queue.get(keyString(key));
      if (row && row.claimedBy === who) rows.add(row);
    }
    return [...rows];
  };

  return {
    async getCursor(key) {
      return cursors.get(checkText('getCursor', 'key', key)) ?? null;
    },

    async setCursor(key, value) {
      cursors.set(checkText('setCursor', 'key', key), checkText('setCursor', 'value', value, { empty: true }));
    },

    async enqueue(items, cursor) {
      const list = newestItems(checkList('enqueue', 'items', items, (item, path) => checkQueueItem('enqueue', path, item)));
      const move = checkCursorMove(cursor);
      if ((cursors.get(move.key) ?? null) !== move.from) return false;
      for (const item of list) {
        const key = keyString(item);
        const row = queue.get(key);
        if (!row) {
          const fresh: Row = {
            ...item,
            attempts: 0,
            sentAt: null,
            lastError: null,
            availableAt: AVAILABLE_AT_ONCE,
            status: 'pending',
            claimedBy: null,
            claimedVersion: null,
            leaseUntil: null,
          };
          queue.set(key, fresh);
          live.add(fresh);
          const order = orderOf(item.entity);
          order.rows.push(fresh);
          order.sorted = false;
        } else if (item.version > row.version) {
          // A newer version: sent in place of the old one; a send in doubt stays in doubt, and a
          // worker holding the row keeps it (its complete() will see the newer version).
          Object.assign(row, { op: item.op, version: item.version, seq: item.seq, status: 'pending', lastError: null, availableAt: AVAILABLE_AT_ONCE });
          orderOf(row.entity).sorted = false; // its seq moved
        }
      }
      cursors.set(move.key, move.to);
      return true;
    },

    async claim(options) {
      const { worker, entity, limit, leaseMs, now } = checkClaim(options);
      const at = now.toISOString();
      const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
      const order = orderOf(entity);
      if (!order.sorted) {
        order.rows = order.rows.filter((row) => live.has(row)).sort(bySeq);
        order.sorted = true;
      }
      const claimable: Row[] = [];
      let gone = 0;
      for (const row of order.rows) {
        if (claimable.length >= limit) break;
        if (!live.has(row)) {
          gone++;
          continue;
        }
        if (row.status === 'pending' && row.availableAt <= at && (row.leaseUntil === null || row.leaseUntil <= at)) claimable.push(row);
      }
      if (gone > 1000 && gone * 2 > order.rows.length) order.rows = order.rows.filter((row) => live.has(row));
      for (const row of claimable) Object.assign(row, { claimedBy: worker, claimedVersion: row.version, leaseUntil });
      return claimable.map(entryOf);
    },

    async markSent(worker, keys, at) {
      checkWorker('markSent', worker);
      const when = checkDate('markSent', 'at', at).toISOString();
      const seen = new Set<string>();
      // Whoever holds the row: the caller sends whether or not its lease passed to another worker, and
      // an unrecorded send is what could make a blind resend.
      for (const key of checkList('markSent', 'keys', keys, (k, path) => checkKey('markSent', path, k))) {
        const id = keyString(key);
        const row = queue.get(id);
        if (!row || seen.has(id)) continue;
        seen.add(id);
        row.sentAt = when;
        row.attempts++;
      }
    },

    async complete(worker, done) {
      const who = checkWorker('complete', worker);
      const newest = new Map<string, MapEntry>();
      for (const entry of checkList('complete', 'done', done, (e, path) => checkMapEntry('complete', path, e))) {
        const known = newest.get(keyString(entry));
        if (!known || entry.localVersion >= known.localVersion) newest.set(keyString(entry), entry);
      }
      for (const [id, entry] of newest) {
        const mapped = map.get(id);
        // A send of an older version (a worker whose lease ran out) never moves the map back.
        if (!mapped || mapped.localVersion <= entry.localVersion) map.set(id, { ...entry });
        const row = queue.get(id);
        if (!row || row.claimedBy !== who) continue;
        if (row.version <= entry.localVersion) {
          forget(id);
          continue;
        }
        // A newer version was queued meanwhile: it is to be sent, as an update now.
        unclaim(row);
        Object.assign(row, { sentAt: null, attempts: 0, lastError: null });
      }
    },

    async fail(worker, failures) {
      const who = checkWorker('fail', worker);
      const last = new Map<string, { error: SyncFailure; retryAt: Date | null }>();
      checkList('fail', 'failures', failures, (f, path) => {
        const key = checkKey('fail', path, f);
        const { error, retryAt } = f as { error?: unknown; retryAt?: unknown };
        last.set(keyString(key), {
          error: checkFailure('fail', `${path}.error`, error),
          retryAt: retryAt === null ? null : checkDate('fail', `${path}.retryAt`, retryAt),
        });
      });
      for (const [id, { error, retryAt }] of last) {
        const row = queue.get(id);
        if (!row || row.claimedBy !== who) continue;
        // Given up only on the version that failed: a newer one queued since may well succeed.
        const changed = row.version > (row.claimedVersion ?? row.version);
        row.lastError = error;
        if (retryAt) row.availableAt = retryAt.toISOString();
        row.status = retryAt || changed ? 'pending' : 'failed';
        unclaim(row);
      }
    },

    async release(worker, keys, retryAt) {
      const rows = heldBy('release', worker, keys);
      const at = checkDate('release', 'retryAt', retryAt).toISOString();
      for (const row of rows) {
        unclaim(row);
        row.availableAt = at;
      }
    },

    async drop(worker, keys) {
      for (const row of heldBy('drop', worker, keys)) {
        // Never a version queued after the claim: that one is released instead, to be sent.
        if (row.version === row.claimedVersion) forget(keyString(row));
        else unclaim(row);
      }
    },

    async mappings(entity, localIds) {
      checkEntity('mappings', 'entity', entity);
      const out = new Map<string, MapEntry>();
      for (const localId of checkList('mappings', 'localIds', localIds, (id, path) => checkText('mappings', path, id))) {
        const entry = map.get(keyString({ entity, localId }));
        if (entry) out.set(localId, { ...entry });
      }
      return out;
    },

    async mappingsByRemote(entity, remoteIds) {
      checkEntity('mappingsByRemote', 'entity', entity);
      const wanted = new Set(checkList('mappingsByRemote', 'remoteIds', remoteIds, (id, path) => checkText('mappingsByRemote', path, id)));
      const out = new Map<string, MapEntry>();
      for (const entry of map.values()) {
        if (entry.entity !== entity || !wanted.has(entry.remoteId)) continue;
        // Two local records linked to one remote one: the first local id (code-unit order) answers.
        const known = out.get(entry.remoteId);
        if (!known || compareText(entry.localId, known.localId) < 0) out.set(entry.remoteId, { ...entry });
      }
      return out;
    },

    async saveMappings(entries) {
      const list = checkList('saveMappings', 'entries', entries, (e, path) => checkMapEntry('saveMappings', path, e));
      for (const entry of list) map.set(keyString(entry), { ...entry });
    },

    async removeMappings(entity, localIds) {
      checkEntity('removeMappings', 'entity', entity);
      for (const localId of checkList('removeMappings', 'localIds', localIds, (id, path) => checkText('removeMappings', path, id))) {
        map.delete(keyString({ entity, localId }));
      }
    },

    async queueStats() {
      let pending = 0;
      let failed = 0;
      let inDoubt = 0;
      for (const [id, row] of queue) {
        if (row.status === 'failed') failed++;
        else {
          pending++;
          if (row.sentAt !== null && !map.has(id)) inDoubt++;
        }
      }
      return { pending, failed, inDoubt };
    },

    async failures(limit) {
      const n = checkLimit(limit);
      return [...queue.values()].filter((row) => row.status === 'failed').sort(bySeq).slice(0, n).map(entryOf);
    },
  };
}
