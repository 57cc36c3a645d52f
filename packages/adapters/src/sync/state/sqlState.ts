/**
 * {@link sqlSyncState}: the sync state in Postgres tables beside the records (`crm_sync_cursors`,
 * `crm_sync_map`, `crm_sync_queue`, migration 4), shared safely by several workers.
 *
 * @module
 */
import type { SqlDriver, SqlExecutor } from '../../sql/driver.js';
import { migrate } from '../../sql/migrations.js';
import { retryable, withRetry, type RetryPolicy } from '../../http/retry.js';
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
  checkName,
  checkQueueItem,
  checkText,
  checkWorker,
  keyString,
  newestItems,
  type QueueKey,
} from './checks.js';

/** Options of {@link sqlSyncState}. */
export interface SqlSyncStateOptions {
  /** The database: the same driver as the store's (`pgliteDriver(…)` or `pgDriver(pool)`). */
  driver: SqlDriver;
  /**
   * Whose sync this is: as `sqlStore`'s `tenant`, every row carries it and every query is scoped by it.
   * @default 'default'
   */
  tenant?: string;
  /**
   * The remote's name (`SyncRemote.name`, such as `hubspot`): each remote has cursors, an id map and a
   * queue of its own.
   * @example 'hubspot'
   */
  remote: string;
  /**
   * How a method is made again when the database aborts its transaction as a serialization failure
   * (`40001`) or a deadlock (`40P01`), as `sqlStore`'s `retry`. `false` makes each once.
   * @default { limit: 5, baseMs: 20, maxMs: 1000 }
   */
  retry?: false | Pick<RetryPolicy, 'limit' | 'baseMs' | 'maxMs' | 'random' | 'onRetry'>;
}

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const DEFAULT_RETRY = { limit: 5, baseMs: 20, maxMs: 1000 } as const;

/** A timestamptz column as UTC ISO 8601 with milliseconds (what `Date#toISOString` makes), whatever the session's time zone. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const ENTRY_COLUMNS =
  `q.entity, q.local_id, q.op, q.version, q.seq, q.attempts, ${iso('q.sent_at')} AS sent_at, q.last_error, ` +
  `${iso('q.available_at')} AS available_at, q.status`;

/** `$1` tenant, `$2` remote, `$3` the keys as JSON: the rows of those keys. */
const KEYS = `jsonb_to_recordset($3::jsonb) AS k(entity text, local_id text)`;
const ROW_OF_KEY = `q.tenant = $1 AND q.remote = $2 AND q.entity = k.entity AND q.local_id = k.local_id`;

const SQL = {
  getCursor: 'SELECT value FROM crm_sync_cursors WHERE tenant = $1 AND remote = $2 AND key = $3',
  setCursor:
    'INSERT INTO crm_sync_cursors (tenant, remote, key, value) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, remote, key) DO UPDATE SET value = EXCLUDED.value',
  // The cursor's compare-and-set. The row's lock (taken by the insert or the update) serializes
  // workers ingesting one feed: the second waits, then finds the value moved, and changes nothing.
  createCursor: 'INSERT INTO crm_sync_cursors (tenant, remote, key, value) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING key',
  moveCursor: 'UPDATE crm_sync_cursors SET value = $5 WHERE tenant = $1 AND remote = $2 AND key = $3 AND value = $4 RETURNING key',
  // A newer version replaces the queued one (keeping sent_at, attempts and the claim; a failed
  // entry becomes pending); an older or equal one changes nothing. Rows in key order, so that two
  // transactions never lock the same rows in opposite orders.
  enqueue:
    `INSERT INTO crm_sync_queue AS q (tenant, remote, entity, local_id, op, version, seq, attempts, available_at, status) ` +
    `SELECT $1, $2, i.entity, i.local_id, i.op, i.version, i.seq, 0, '${AVAILABLE_AT_ONCE}'::timestamptz, 'pending' ` +
    `FROM jsonb_to_recordset($3::jsonb) AS i(entity text, local_id text, op text, version integer, seq bigint) ` +
    `ORDER BY i.entity COLLATE "C", i.local_id COLLATE "C" ` +
    `ON CONFLICT (tenant, remote, entity, local_id) DO UPDATE SET op = EXCLUDED.op, version = EXCLUDED.version, seq = EXCLUDED.seq, ` +
    `status = 'pending', last_error = NULL, available_at = EXCLUDED.available_at WHERE q.version < EXCLUDED.version`,
  // The oldest claimable items, locked; those another transaction is claiming are skipped, not waited for.
  claim:
    `WITH c AS (SELECT entity, local_id FROM crm_sync_queue WHERE tenant = $1 AND remote = $2 AND entity = $3 AND status = 'pending' ` +
    `AND available_at <= $5::timestamptz AND (lease_until IS NULL OR lease_until <= $5::timestamptz) ` +
    `ORDER BY seq, local_id LIMIT $7 FOR UPDATE SKIP LOCKED) ` +
    `UPDATE crm_sync_queue AS q SET claimed_by = $4, claimed_version = q.version, lease_until = $6::timestamptz FROM c ` +
    `WHERE q.tenant = $1 AND q.remote = $2 AND q.entity = c.entity AND q.local_id = c.local_id RETURNING ${ENTRY_COLUMNS}`,
  markSent: `UPDATE crm_sync_queue AS q SET sent_at = $4::timestamptz, attempts = q.attempts + 1 FROM ${KEYS} WHERE ${ROW_OF_KEY}`,
  // complete: $3 the entries as JSON, $4 the worker.
  saveDone:
    `INSERT INTO crm_sync_map AS m (tenant, remote, entity, local_id, remote_id, local_version, remote_version) ` +
    `SELECT $1, $2, e.entity, e.local_id, e.remote_id, e.local_version, e.remote_version ` +
    `FROM jsonb_to_recordset($3::jsonb) AS e(entity text, local_id text, remote_id text, local_version integer, remote_version text) ` +
    `ORDER BY e.entity COLLATE "C", e.local_id COLLATE "C" ` +
    `ON CONFLICT (tenant, remote, entity, local_id) DO UPDATE SET remote_id = EXCLUDED.remote_id, local_version = EXCLUDED.local_version, ` +
    `remote_version = EXCLUDED.remote_version WHERE m.local_version <= EXCLUDED.local_version`,
  deleteDone:
    `DELETE FROM crm_sync_queue AS q USING jsonb_to_recordset($3::jsonb) AS k(entity text, local_id text, local_version integer) ` +
    `WHERE ${ROW_OF_KEY} AND q.claimed_by = $4 AND q.version <= k.local_version`,
  releaseNewer:
    `UPDATE crm_sync_queue AS q SET claimed_by = NULL, claimed_version = NULL, lease_until = NULL, sent_at = NULL, attempts = 0, last_error = NULL ` +
    `FROM jsonb_to_recordset($3::jsonb) AS k(entity text, local_id text, local_version integer) ` +
    `WHERE ${ROW_OF_KEY} AND q.claimed_by = $4 AND q.version > k.local_version`,
  // Every SET expression reads the row as it was (claimed_version before it is cleared).
  fail:
    `UPDATE crm_sync_queue AS q SET claimed_by = NULL, claimed_version = NULL, lease_until = NULL, last_error = k.error, ` +
    `available_at = coalesce(k.retry_at, q.available_at), ` +
    `status = CASE WHEN k.retry_at IS NULL AND q.version <= q.claimed_version THEN 'failed' ELSE 'pending' END ` +
    `FROM jsonb_to_recordset($3::jsonb) AS k(entity text, local_id text, error jsonb, retry_at timestamptz) ` +
    `WHERE ${ROW_OF_KEY} AND q.claimed_by = $4`,
  release:
    `UPDATE crm_sync_queue AS q SET claimed_by = NULL, claimed_version = NULL, lease_until = NULL, available_at = $5::timestamptz ` +
    `FROM ${KEYS} WHERE ${ROW_OF_KEY} AND q.claimed_by = $4`,
  drop: `DELETE FROM crm_sync_queue AS q USING ${KEYS} WHERE ${ROW_OF_KEY} AND q.claimed_by = $4 AND q.version = q.claimed_version`,
  // What drop leaves of the keys it was given and the worker held: versions queued after the claim.
  unclaim:
    `UPDATE crm_sync_queue AS q SET claimed_by = NULL, claimed_version = NULL, lease_until = NULL FROM ${KEYS} WHERE ${ROW_OF_KEY} AND q.claimed_by = $4`,
  mappings:
    'SELECT entity, local_id, remote_id, local_version, remote_version FROM crm_sync_map WHERE tenant = $1 AND remote = $2 AND entity = $3 AND local_id = ANY($4::text[])',
  // Two local records linked to one remote one: the first local id answers.
  mappingsByRemote:
    'SELECT DISTINCT ON (remote_id) entity, local_id, remote_id, local_version, remote_version FROM crm_sync_map ' +
    'WHERE tenant = $1 AND remote = $2 AND entity = $3 AND remote_id = ANY($4::text[]) ORDER BY remote_id, local_id',
  saveMappings:
    `INSERT INTO crm_sync_map (tenant, remote, entity, local_id, remote_id, local_version, remote_version) ` +
    `SELECT $1, $2, e.entity, e.local_id, e.remote_id, e.local_version, e.remote_version ` +
    `FROM jsonb_to_recordset($3::jsonb) AS e(entity text, local_id text, remote_id text, local_version integer, remote_version text) ` +
    `ORDER BY e.entity COLLATE "C", e.local_id COLLATE "C" ` +
    `ON CONFLICT (tenant, remote, entity, local_id) DO UPDATE SET remote_id = EXCLUDED.remote_id, local_version = EXCLUDED.local_version, remote_version = EXCLUDED.remote_version`,
  removeMappings: 'DELETE FROM crm_sync_map WHERE tenant = $1 AND remote = $2 AND entity = $3 AND local_id = ANY($4::text[])',
  queueStats:
    `SELECT count(*) FILTER (WHERE q.status = 'pending')::integer AS pending, count(*) FILTER (WHERE q.status = 'failed')::integer AS failed, ` +
    `count(*) FILTER (WHERE q.status = 'pending' AND q.sent_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm_sync_map AS m ` +
    `WHERE m.tenant = q.tenant AND m.remote = q.remote AND m.entity = q.entity AND m.local_id = q.local_id))::integer AS in_doubt ` +
    `FROM crm_sync_queue AS q WHERE q.tenant = $1 AND q.remote = $2`,
  failures: `SELECT ${ENTRY_COLUMNS} FROM crm_sync_queue AS q WHERE q.tenant = $1 AND q.remote = $2 AND q.status = 'failed' ORDER BY q.seq, q.entity, q.local_id LIMIT $3`,
} as const;

interface EntryRow {
  entity: SyncEntity;
  local_id: string;
  op: 'upsert' | 'delete';
  version: number;
  seq: string | number;
  attempts: number;
  sent_at: string | null;
  last_error: SyncFailure | string | null;
  available_at: string;
  status: 'pending' | 'failed';
}

interface MapRow {
  entity: SyncEntity;
  local_id: string;
  remote_id: string;
  local_version: number;
  remote_version: string;
}

const entryOf = (row: EntryRow): QueueEntry => ({
  entity: row.entity,
  localId: row.local_id,
  op: row.op,
  version: Number(row.version),
  seq: Number(row.seq),
  attempts: Number(row.attempts),
  sentAt: row.sent_at,
  lastError: typeof row.last_error === 'string' ? (JSON.parse(row.last_error) as SyncFailure) : row.last_error,
  availableAt: row.available_at,
  status: row.status,
});

const mapEntryOf = (row: MapRow): MapEntry => ({
  entity: row.entity,
  localId: row.local_id,
  remoteId: row.remote_id,
  localVersion: Number(row.local_version),
  remoteVersion: row.remote_version,
});

const keysJson = (keys: readonly QueueKey[]) => JSON.stringify(keys.map((k) => ({ entity: k.entity, local_id: k.localId })));

/**
 * A {@link SyncState} in the SQL database of `sqlStore`, for one remote of one tenant: it survives a
 * crash, and several workers (in as many processes) share its queue. `sqlStore` gives one through
 * `store[SYNC_STATE](remote)`, which `createSync` finds; call this yourself for a state on another
 * database. The tables are made by the store's migrations (run here on first use too).
 *
 * Every method is one transaction. How workers share the queue:
 * - `enqueue` moves its cursor by compare-and-set under the cursor row's lock, together with the
 *   queue upserts: of two workers ingesting one feed page, one queues it and the other gets `false`.
 * - `claim` locks the oldest claimable rows with `FOR UPDATE SKIP LOCKED` and marks them with the
 *   worker and a lease (`now + leaseMs`): until the lease ends no other claim returns them. After it
 *   ends any worker may claim them again, `sentAt` kept (a send in doubt).
 * - `complete`, `fail`, `release` and `drop` act only on rows the worker still holds (it claimed
 *   them last; its lease may have ended, so long as nobody claimed them since). A worker whose
 *   lease passed to another leaves that claim alone: `complete` still saves its mappings (never
 *   over a newer local version's) but deletes no row, and the current holder finishes the item.
 *   A row holding a version newer than the one claimed is never deleted: `complete` releases it
 *   with `sentAt` cleared and `attempts` reset (the remote id is known now, the next send is an
 *   update), `drop` releases it, and `fail` without `retryAt` leaves it `pending` (the failure was
 *   the old version's).
 * - `markSent` records the intent on the rows named whoever holds them: the caller is about to
 *   send either way, and an unrecorded send is what could lead to a blind resend.
 *
 * Times are the ones passed in, stored as `timestamptz` and returned as UTC ISO 8601 strings; an
 * item without backoff is available from `1970-01-01T00:00:00.000Z`.
 *
 * @example
 * ```ts
 * import { pgDriver } from '@crm/adapters/sql'
 * import { createSync } from '@crm/adapters/sync'
 * const driver = pgDriver(pool)
 * const state = sqlSyncState({ driver, tenant: 'acme', remote: 'hubspot' })
 * const sync = createSync({ local: sqlStore({ driver, tenant: 'acme' }), remote: hubspot, state })
 * ```
 */
export function sqlSyncState(options: SqlSyncStateOptions): SyncState {
  const { driver, tenant, remote, retry } = checkOptions(options);
  const scope = [tenant, remote] as const;

  /** Runs `body` in one transaction, after the migrations, made again on a serialization failure or a deadlock. */
  const atomically = async <T>(body: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    await migrate(driver);
    return withRetry({
      ...retry,
      // An aborted transaction wrote nothing, so making it again is safe.
      idempotent: true,
      attempt: async () => {
        try {
          return await driver.transaction(body);
        } catch (error) {
          throw RETRYABLE_SQLSTATES.has((error as { code?: unknown })?.code as string) ? retryable(error) : error;
        }
      },
    });
  };
  const keysOf = (method: string, keys: unknown) => checkList(method, 'keys', keys, (k, path) => checkKey(method, path, k));
  const idsOf = (method: string, field: string, ids: unknown) => checkList(method, field, ids, (id, path) => checkText(method, path, id));

  return {
    async getCursor(key) {
      const k = checkText('getCursor', 'key', key);
      const { rows } = await atomically((tx) => tx.query<{ value: string }>(SQL.getCursor, [...scope, k]));
      return rows[0]?.value ?? null;
    },

    async setCursor(key, value) {
      const args = [checkText('setCursor', 'key', key), checkText('setCursor', 'value', value, { empty: true })];
      await atomically((tx) => tx.query(SQL.setCursor, [...scope, ...args]));
    },

    async enqueue(items, cursor) {
      const list = newestItems(checkList('enqueue', 'items', items, (item, path) => checkQueueItem('enqueue', path, item)));
      const move = checkCursorMove(cursor);
      const json = JSON.stringify(list.map((i) => ({ entity: i.entity, local_id: i.localId, op: i.op, version: i.version, seq: i.seq })));
      return atomically(async (tx) => {
        const moved =
          move.from === null
            ? await tx.query(SQL.createCursor, [...scope, move.key, move.to])
            : await tx.query(SQL.moveCursor, [...scope, move.key, move.from, move.to]);
        if (moved.rows.length !== 1) return false;
        if (list.length > 0) await tx.query(SQL.enqueue, [...scope, json]);
        return true;
      });
    },

    async claim(claimOptions) {
      const { worker, entity, limit, leaseMs, now } = checkClaim(claimOptions);
      if (limit === 0) return [];
      const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
      const { rows } = await atomically((tx) => tx.query<EntryRow>(SQL.claim, [...scope, entity, worker, now.toISOString(), leaseUntil, limit]));
      // RETURNING keeps no order: oldest first, as claimed.
      return rows.map(entryOf).sort((a, b) => a.seq - b.seq || (a.localId < b.localId ? -1 : a.localId > b.localId ? 1 : 0));
    },

    async markSent(worker, keys, at) {
      checkWorker('markSent', worker);
      const list = keysOf('markSent', keys);
      const when = checkDate('markSent', 'at', at).toISOString();
      if (list.length === 0) return;
      await atomically((tx) => tx.query(SQL.markSent, [...scope, keysJson(dedupe(list)), when]));
    },

    async complete(worker, done) {
      const who = checkWorker('complete', worker);
      const newest = new Map<string, MapEntry>();
      for (const entry of checkList('complete', 'done', done, (e, path) => checkMapEntry('complete', path, e))) {
        const known = newest.get(keyString(entry));
        if (!known || entry.localVersion >= known.localVersion) newest.set(keyString(entry), entry);
      }
      if (newest.size === 0) return;
      const json = JSON.stringify(
        [...newest.values()].map((e) => ({ entity: e.entity, local_id: e.localId, remote_id: e.remoteId, local_version: e.localVersion, remote_version: e.remoteVersion })),
      );
      await atomically(async (tx) => {
        await tx.query(SQL.saveDone, [...scope, json]);
        await tx.query(SQL.deleteDone, [...scope, json, who]);
        await tx.query(SQL.releaseNewer, [...scope, json, who]);
      });
    },

    async fail(worker, failures) {
      const who = checkWorker('fail', worker);
      const last = new Map<string, { entity: SyncEntity; local_id: string; error: SyncFailure; retry_at: string | null }>();
      checkList('fail', 'failures', failures, (f, path) => {
        const key = checkKey('fail', path, f);
        const { error, retryAt } = f as { error?: unknown; retryAt?: unknown };
        last.set(keyString(key), {
          entity: key.entity,
          local_id: key.localId,
          error: checkFailure('fail', `${path}.error`, error),
          retry_at: retryAt === null ? null : checkDate('fail', `${path}.retryAt`, retryAt).toISOString(),
        });
      });
      if (last.size === 0) return;
      await atomically((tx) => tx.query(SQL.fail, [...scope, JSON.stringify([...last.values()]), who]));
    },

    async release(worker, keys, retryAt) {
      const who = checkWorker('release', worker);
      const list = keysOf('release', keys);
      const at = checkDate('release', 'retryAt', retryAt).toISOString();
      if (list.length === 0) return;
      await atomically((tx) => tx.query(SQL.release, [...scope, keysJson(dedupe(list)), who, at]));
    },

    async drop(worker, keys) {
      const who = checkWorker('drop', worker);
      const list = keysOf('drop', keys);
      if (list.length === 0) return;
      const json = keysJson(dedupe(list));
      await atomically(async (tx) => {
        await tx.query(SQL.drop, [...scope, json, who]);
        await tx.query(SQL.unclaim, [...scope, json, who]);
      });
    },

    async mappings(entity, localIds) {
      checkEntity('mappings', 'entity', entity);
      const ids = idsOf('mappings', 'localIds', localIds);
      const out = new Map<string, MapEntry>();
      if (ids.length === 0) return out;
      const { rows } = await atomically((tx) => tx.query<MapRow>(SQL.mappings, [...scope, entity, ids]));
      for (const row of rows) out.set(row.local_id, mapEntryOf(row));
      return out;
    },

    async mappingsByRemote(entity, remoteIds) {
      checkEntity('mappingsByRemote', 'entity', entity);
      const ids = idsOf('mappingsByRemote', 'remoteIds', remoteIds);
      const out = new Map<string, MapEntry>();
      if (ids.length === 0) return out;
      const { rows } = await atomically((tx) => tx.query<MapRow>(SQL.mappingsByRemote, [...scope, entity, ids]));
      for (const row of rows) out.set(row.remote_id, mapEntryOf(row));
      return out;
    },

    async saveMappings(entries) {
      const list = checkList('saveMappings', 'entries', entries, (e, path) => checkMapEntry('saveMappings', path, e));
      if (list.length === 0) return;
      // The last entry of a key wins, as in a loop of single saves.
      const last = new Map(list.map((e) => [keyString(e), e]));
      const json = JSON.stringify(
        [...last.values()].map((e) => ({ entity: e.entity, local_id: e.localId, remote_id: e.remoteId, local_version: e.localVersion, remote_version: e.remoteVersion })),
      );
      await atomically((tx) => tx.query(SQL.saveMappings, [...scope, json]));
    },

    async removeMappings(entity, localIds) {
      checkEntity('removeMappings', 'entity', entity);
      const ids = idsOf('removeMappings', 'localIds', localIds);
      if (ids.length === 0) return;
      await atomically((tx) => tx.query(SQL.removeMappings, [...scope, entity, ids]));
    },

    async queueStats() {
      const { rows } = await atomically((tx) => tx.query<{ pending: number; failed: number; in_doubt: number }>(SQL.queueStats, [...scope]));
      const row = rows[0];
      return { pending: Number(row?.pending ?? 0), failed: Number(row?.failed ?? 0), inDoubt: Number(row?.in_doubt ?? 0) };
    },

    async failures(limit) {
      const n = checkLimit(limit);
      if (n === 0) return [];
      const { rows } = await atomically((tx) => tx.query<EntryRow>(SQL.failures, [...scope, n]));
      return rows.map(entryOf);
    },
  };
}

/** Keys without repeats (a row is updated once per statement). */
function dedupe(keys: readonly QueueKey[]): QueueKey[] {
  return [...new Map(keys.map((k) => [keyString(k), k])).values()];
}

function checkOptions(options: SqlSyncStateOptions): { driver: SqlDriver; tenant: string; remote: string; retry: RetryPolicy } {
  const where = 'sqlSyncState options';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: driver is required: sqlSyncState({ driver, remote: 'hubspot' })`);
  const { driver, tenant = 'default', remote, retry = {} } = options;
  if (!driver || typeof driver.query !== 'function' || typeof driver.transaction !== 'function') {
    throw new TypeError(`${where}: driver must be a SqlDriver, such as pgliteDriver() or pgDriver(pool)`);
  }
  checkName(where, 'tenant', tenant);
  checkName(where, 'remote', remote);
  if (retry !== false && (typeof retry !== 'object' || retry === null)) {
    throw new TypeError(`${where}: retry must be false or an object such as { limit: 5, baseMs: 20, maxMs: 1000 }`);
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...(retry === false ? { limit: 0 } : retry) };
  if (!Number.isInteger(policy.limit) || policy.limit! < 0) throw new TypeError(`${where}: retry.limit must be a whole number, 0 or more`);
  for (const key of Object.keys(options)) {
    if (key !== 'driver' && key !== 'tenant' && key !== 'remote' && key !== 'retry') throw new TypeError(`${where}: ${key} is not an option`);
  }
  return { driver, tenant, remote, retry: policy };
}
