import {
  CrmConflictError,
  CrmValidationError,
  isCrmError,
  CrmError,
  FIELD_NAME_PATTERN,
  type Change,
  type ChangePage,
  type CrmStore,
  type EntityName,
  type EntityRecords,
  type HistoryItem,
  type WriteOp,
} from '@crm/core';
import {
  checkChangesQuery,
  checkEntity,
  checkHistoryQuery,
  checkListQuery,
  historyPage,
  listPage,
  checkOpAgainst,
  checkWriteOps,
  checkFeedPosition,
  checkWriteOptions,
  opId,
  MAX_WRITE_OPS,
  normalizeEmail,
  FIELDS_FILTER,
  type FieldFilter,
  type ListFiltersMatching,
} from '@crm/core/store';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { MIGRATION_LOCK, migrate } from './migrations.js';
import { followChanges } from './follow.js';
import { retryable, withRetry, type RetryPolicy } from '../http/retry.js';
import { SYNC_STATE, type SyncState } from '../sync/contract.js';
import { sqlSyncState } from '../sync/state/sqlState.js';

/** Options of {@link sqlStore}. */
export interface SqlStoreOptions {
  /** The database: `pgliteDriver(…)` (embedded) or `pgDriver(pool)` (a PostgreSQL server). */
  driver: SqlDriver;
  /**
   * Whose records this store sees. Every row is stored with its tenant and every query is
   * scoped by it, so stores of two tenants on one database never see each other's records,
   * whatever ids they are given; each tenant has its own change feed, numbered from 1.
   * @default 'default'
   */
  tenant?: string;
  /**
   * How many of the newest changes the feed keeps per tenant (older ones, and the copies of the
   * record versions they wrote, are pruned as writes go on). A consumer whose cursor falls behind
   * gets `CrmFeedExpiredError` (resynchronise), never a silent gap. Omit it to keep the whole feed.
   * @default undefined (keep everything)
   */
  feedRetention?: number;
  /**
   * How a write is made again when the database aborts its transaction as a serialization failure
   * (SQLSTATE `40001`, which Postgres-compatible distributed databases such as CockroachDB and
   * YugabyteDB report under contention) or a deadlock (`40P01`): the whole transaction again,
   * after an exponential backoff with full jitter. Safe: an aborted transaction wrote nothing.
   * `false` (or `{ limit: 0 }`) makes each write once.
   * @default { limit: 5, baseMs: 20, maxMs: 1000 }
   * @example { limit: 10, baseMs: 50 }
   */
  retry?: false | Pick<RetryPolicy, 'limit' | 'baseMs' | 'maxMs' | 'random' | 'onRetry'>;
  /**
   * Custom fields (`record.fields`) to index, by entity, for lists filtered by them
   * (`filter: { fields: { tier: 'gold' } }`): each name gets a btree expression index on
   * `(tenant, (record->'fields'->'<name>'), id)`, created on the store's first use (after the
   * migrations, under their lock, only where it is missing: `CREATE INDEX IF NOT EXISTS`), named
   * `crm_<entity>_f_<name>` (a hash ends names too long for Postgres). Indexes are shared by every
   * store and tenant on the database, and no option drops one: drop an index you no longer want.
   *
   * The index holds the records whose field is a string, number or boolean of at most 1500 bytes
   * as JSON (so no record is ever too large to write); it serves filters on a value, not `null`
   * (which also matches records without the field). A store's queries are written for the
   * indexes of its own `fieldIndexes` (they repeat the index's `WHERE`), so give every store of
   * the database the same option. Unindexed fields can be filtered by too, with a scan of the
   * tenant's records. Creating an index on a large table blocks writes to it
   * meanwhile: on a busy server, create it first with `CREATE INDEX CONCURRENTLY` under the same
   * name and definition (see {@link fieldIndexStatement}).
   *
   * Names must be custom field names (`FIELD_NAME_PATTERN`), at most 20 per entity.
   * @default {} (no field indexes)
   * @example { customers: ['tier', 'region'], complaints: ['product'] }
   */
  fieldIndexes?: FieldIndexes;
}

/** Custom fields to index, by entity: see {@link SqlStoreOptions.fieldIndexes}. */
export interface FieldIndexes {
  customers?: readonly string[];
  touchpoints?: readonly string[];
  complaints?: readonly string[];
}

/** The most custom fields a store indexes per entity. */
const MAX_FIELD_INDEXES = 20;

/** SQLSTATEs of transactions the database rolled back so that they can be made again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const DEFAULT_WRITE_RETRY = { limit: 5, baseMs: 20, maxMs: 1000 } as const;

type AnyRecord = EntityRecords[EntityName];
type Row = Record<string, unknown>;

const ENTITIES = ['customers', 'touchpoints', 'complaints'] as const;

/** How a record's fields are copied into columns: SQL expressions over the record `e` (jsonb). */
const TABLES: Record<EntityName, { table: string; columns: Record<string, string> }> = {
  customers: { table: 'crm_customers', columns: { kind: "e->>'kind'", owner_id: "e->>'ownerId'" } },
  touchpoints: {
    table: 'crm_touchpoints',
    columns: {
      customer_id: "e->>'customerId'",
      complaint_id: "e->>'complaintId'",
      channel: "e->>'channel'",
      direction: "e->>'direction'",
      actor_id: "e->>'actorId'",
      occurred_at: "e->>'occurredAt'",
      signal_state: "e->'signal'->>'state'",
    },
  },
  complaints: {
    table: 'crm_complaints',
    columns: {
      customer_id: "e->>'customerId'",
      status: "e->>'status'",
      owner_id: "e->>'ownerId'",
      priority: "e->>'priority'",
      channel: "e->>'channel'",
    },
  },
};

/**
 * The column each list filter of core's `LIST_FILTERS` compares, per entity: every filter that
 * matches one field has one (a filter added to the table without a column is a compile error);
 * tags, emails and external ids go through the customer keys.
 */
const FILTER_COLUMNS: { readonly [E in EntityName]: Readonly<Record<ListFiltersMatching<E, 'equals' | 'state'>, string>> } = {
  customers: { kind: 'kind', ownerId: 'owner_id' },
  touchpoints: { customerId: 'customer_id', complaintId: 'complaint_id', channel: 'channel', direction: 'direction', actorId: 'actor_id', signal: 'signal_state' },
  complaints: { customerId: 'customer_id', status: 'status', ownerId: 'owner_id', priority: 'priority' },
};

const SQL = (() => {
  const insert: Partial<Record<EntityName, string>> = {};
  const update: Partial<Record<EntityName, string>> = {};
  const keep: Partial<Record<EntityName, string>> = {};
  const remove: Partial<Record<EntityName, string>> = {};
  for (const entity of Object.keys(TABLES) as EntityName[]) {
    const { table, columns } = TABLES[entity];
    const names = Object.keys(columns);
    // $3 is the feed's seq before the write, $4 each record's place in the write.
    insert[entity] =
      `INSERT INTO ${table} (tenant, id, version, seq, ${names.join(', ')}, record) ` +
      `SELECT $1, e->>'id', (e->>'version')::integer, $3 + ($4::integer[])[r.ord], ${Object.values(columns).join(', ')}, e ` +
      `FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS r(e, ord)`;
    update[entity] =
      `UPDATE ${table} AS t SET version = (e->>'version')::integer, seq = $4, ${names.map((n) => `${n} = ${columns[n]}`).join(', ')}, record = e ` +
      `FROM (SELECT $2::jsonb AS e) AS r WHERE t.tenant = $1 AND t.id = e->>'id' AND t.version = $3 RETURNING t.id`;
    // Before a record is replaced, the change that wrote it keeps a copy of it.
    keep[entity] =
      `INSERT INTO crm_change_records (tenant, seq, record, entity, record_id) SELECT $1, seq, record, '${entity}', id FROM ${table} WHERE tenant = $1 AND id = $2`;
    remove[entity] = `DELETE FROM ${table} WHERE tenant = $1 AND id = $2 AND version = $3 RETURNING id`;
  }
  return {
    insert: insert as Record<EntityName, string>,
    update: update as Record<EntityName, string>,
    keep: keep as Record<EntityName, string>,
    remove: remove as Record<EntityName, string>,
    // Erasure: no kept copy of a deleted record stays behind.
    scrub: 'DELETE FROM crm_change_records WHERE tenant = $1 AND record_id = $2 AND (entity = $3 OR entity IS NULL)',
    deleteActivity: 'DELETE FROM crm_complaint_activity WHERE tenant = $1 AND complaint_id = $2',
    horizon: 'SELECT seq, horizon FROM crm_tenants WHERE tenant = $1',
    pruneTo: 'SELECT max(seq_to) AS seq FROM crm_changes WHERE tenant = $1 AND seq_to <= $2',
    pruneChanges: 'DELETE FROM crm_changes WHERE tenant = $1 AND seq_to <= $2',
    pruneRecords: 'DELETE FROM crm_change_records WHERE tenant = $1 AND seq <= $2',
    setHorizon: 'UPDATE crm_tenants SET horizon = $2 WHERE tenant = $1',
    // Takes the tenant's row lock: writes of one tenant are serialized, so the feed has no gaps
    // and is committed in order.
    lockTenant:
      'INSERT INTO crm_tenants (tenant, seq) VALUES ($1, 0) ON CONFLICT (tenant) DO UPDATE SET seq = crm_tenants.seq RETURNING seq, horizon',
    setSeq: 'UPDATE crm_tenants SET seq = $2 WHERE tenant = $1',
    insertKeys:
      `INSERT INTO crm_customer_keys (tenant, kind, key, customer_id) ` +
      `SELECT $1, k.kind, k.key, e->>'id' FROM jsonb_array_elements($2::jsonb) AS r(e) CROSS JOIN LATERAL (` +
      `SELECT 'email', v FROM jsonb_array_elements_text(coalesce(e->'emails', '[]')) AS v ` +
      `UNION SELECT 'tag', v FROM jsonb_array_elements_text(coalesce(e->'tags', '[]')) AS v ` +
      `UNION SELECT 'ext', key || chr(1) || value FROM jsonb_each_text(coalesce(e->'externalIds', '{}'))` +
      `) AS k(kind, key) ON CONFLICT DO NOTHING`,
    deleteKeys: 'DELETE FROM crm_customer_keys WHERE tenant = $1 AND customer_id = $2',
    insertActivity:
      `INSERT INTO crm_complaint_activity (tenant, complaint_id, position, id, at, customer_id, entry) ` +
      `SELECT $1, e->>'id', a.ord - 1, a.entry->>'id', a.entry->>'at', e->>'customerId', a.entry ` +
      `FROM jsonb_array_elements($2::jsonb) AS r(e) CROSS JOIN LATERAL jsonb_array_elements(e->'activity') WITH ORDINALITY AS a(entry, ord) ` +
      `WHERE a.ord > $3`,
    moveActivity: 'UPDATE crm_complaint_activity SET customer_id = $3 WHERE tenant = $1 AND complaint_id = $2',
    // One row per write, naming its records in order; the records themselves stay in their tables.
    insertChanges:
      'INSERT INTO crm_changes (tenant, seq_to, seq_from, entities, ids, versions, ops, at, origin) ' +
      'VALUES ($1, $2::bigint + $3::integer, $2::bigint + 1, $4::text[], $5::text[], $6::integer[], $7::text[], $8, $9)',
    // At most `limit` writes after `since` (an index scan: each write has a change at least),
    // unnested in order; each record found by its key, from the kept copies or its table.
    readChanges:
      `WITH w AS (SELECT seq_to, seq_from, entities, ids, versions, ops, at, origin FROM crm_changes WHERE tenant = $1 AND seq_to > $2 ORDER BY seq_to LIMIT $3), ` +
      `o AS (SELECT w.seq_from + u.ord - 1 AS seq, w.seq_to, w.at, w.origin, w.ops[u.ord] AS op, u.entity, u.id, u.version ` +
      `FROM w CROSS JOIN LATERAL unnest(w.entities, w.ids, w.versions) WITH ORDINALITY AS u(entity, id, version, ord) ` +
      `WHERE w.seq_from + u.ord - 1 > $2 ORDER BY 1 LIMIT $3) ` +
      `SELECT o.seq, o.seq_to AS write_seq, o.at, o.origin, o.op, o.entity, o.id, o.version, CASE WHEN o.op = 'delete' THEN NULL ELSE coalesce(` +
      `(SELECT k.record FROM crm_change_records AS k WHERE k.tenant = $1 AND k.seq = o.seq), ` +
      // The table's row is this change's record only while the row is at this change's seq.
      `CASE o.entity ` +
      `WHEN 'customers' THEN (SELECT t.record FROM crm_customers AS t WHERE t.tenant = $1 AND t.id = o.id AND t.seq = o.seq) ` +
      `WHEN 'touchpoints' THEN (SELECT t.record FROM crm_touchpoints AS t WHERE t.tenant = $1 AND t.id = o.id AND t.seq = o.seq) ` +
      `WHEN 'complaints' THEN (SELECT t.record FROM crm_complaints AS t WHERE t.tenant = $1 AND t.id = o.id AND t.seq = o.seq) END) END AS record ` +
      `FROM o ORDER BY o.seq`,
    notify: "SELECT pg_notify('crm_changes', $1)",
  };
})();

/**
 * A {@link CrmStore} on Postgres SQL: PGlite embedded (`pgliteDriver`, the default for apps that
 * run on one machine) or a PostgreSQL server (`pgDriver`). The schema is created and migrated on
 * first use, safely when several processes start at once. Writes are transactions: all of a
 * write or none, with optimistic concurrency checked in SQL (`… WHERE version = $n`). Histories
 * and the change feed are index scans. Text is stored exactly (Postgres `text` and `jsonb` in
 * UTF-8). Records of several tenants can share one database (see `tenant`).
 *
 * `close()` ends this store (its subscriptions); the driver stays open for other stores: close it
 * with `driver.close()`.
 *
 * @example
 * ```ts
 * import { createCrm } from '@crm/core'
 * import { sqlStore, pgliteDriver } from '@crm/adapters/sql'
 *
 * const crm = createCrm({ store: sqlStore({ driver: pgliteDriver({ dataDir: './crm-data' }) }) })
 * ```
 */
export function sqlStore(options: SqlStoreOptions): CrmStore {
  const { driver, tenant, feedRetention, retry, fieldIndexes } = checkOptions(options);
  // `migrate` runs once per driver and forgets a failed attempt: a store outlives a database
  // that was down at its first call. Field indexes follow, once per store, likewise.
  let indexed: Promise<void> | undefined;
  const ready = async () => {
    await migrate(driver);
    if (fieldIndexes.size === 0) return;
    if (!indexed) {
      const attempt = createFieldIndexes(driver, fieldIndexes);
      indexed = attempt;
      attempt.catch(() => {
        if (indexed === attempt) indexed = undefined;
      });
    }
    await indexed;
  };
  const indexedFields = (entity: EntityName): ReadonlySet<string> => fieldIndexes.get(entity) ?? NO_FIELDS;
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new CrmError('sqlStore: the store is closed', { code: 'CLOSED' });
  };

  const feed = followChanges({
    driver,
    tenant,
    ready,
    read: (since, limit) => readChanges(driver, tenant, since, limit),
    currentSeq: async () => {
      const { rows } = await driver.query<{ seq: string | number }>('SELECT seq FROM crm_tenants WHERE tenant = $1', [tenant]);
      return Number(rows[0]?.seq ?? 0);
    },
  });

  const store: CrmStore & { [SYNC_STATE](remote: string): SyncState } = {
    kind: 'sql',
    capabilities: { subscribe: true, sharedFeed: typeof driver.listen === 'function', delete: true, maxWriteOps: MAX_WRITE_OPS },

    async get(entity, id) {
      assertOpen();
      checkEntity(entity);
      await ready();
      if (!isStorable(id)) return null;
      const { rows } = await driver.query<{ record: AnyRecord }>(`SELECT record FROM ${TABLES[entity].table} WHERE tenant = $1 AND id = $2`, [
        tenant,
        id,
      ]);
      return (rows[0]?.record as EntityRecords[typeof entity] | undefined) ?? null;
    },

    async list(entity, query = {}) {
      assertOpen();
      const { limit, order, after, filter } = checkListQuery(entity, query);
      await ready();
      const params: unknown[] = [tenant];
      const param = (value: unknown) => `$${params.push(value)}`;
      const where = ['tenant = $1'];
      for (const [key, value] of Object.entries(filter)) {
        if (value === undefined) continue;
        if (key === FIELDS_FILTER) {
          where.push(...fieldConditions(value as FieldFilter, indexedFields(entity), param));
          continue;
        }
        const condition = filterCondition(entity, key, value, param);
        if (condition === null) return { items: [], nextCursor: null };
        where.push(condition);
      }
      if (after !== undefined) where.push(`id ${order === 'desc' ? '<' : '>'} ${param(after)}`);
      const dir = order === 'desc' ? 'DESC' : 'ASC';
      const { rows } = await driver.query<{ id: string; record: AnyRecord }>(
        `SELECT id, record FROM ${TABLES[entity].table} WHERE ${where.join(' AND ')} ORDER BY id ${dir} LIMIT ${limit + 1}`,
        params,
      );
      const more = rows.length > limit;
      const items = (more ? rows.slice(0, limit) : rows).map((row) => row.record);
      return listPage(entity, items as EntityRecords[typeof entity][], more);
    },

    async write(ops, writeOptions) {
      assertOpen();
      const origin = checkWriteOptions(writeOptions);
      checkWriteOps(ops, MAX_WRITE_OPS);
      await ready();
      await feed.beforeWrite();
      let lastSeq: number;
      try {
        lastSeq = await withRetry({
          ...retry,
          // An aborted transaction wrote nothing, so making it again is safe.
          idempotent: true,
          attempt: async () => {
            try {
              return await driver.transaction((tx) => applyWrite(tx, tenant, ops, origin, feedRetention));
            } catch (error) {
              throw RETRYABLE_SQLSTATES.has((error as { code?: unknown })?.code as string) ? retryable(error) : error;
            }
          },
        });
      } catch (error) {
        // A create whose id exists fails on the primary key, and a check may have failed on an
        // update after it: either way, say which op failed first, as every store does.
        if (isCrmError(error) || (error as { code?: unknown })?.code === UNIQUE_VIOLATION) await diagnose(driver, tenant, ops);
        throw error;
      }
      feed.afterWrite();
      return { lastSeq, writeId: lastSeq };
    },

    async history(customerId, query = {}) {
      assertOpen();
      const { limit, afterKey, types, channels } = checkHistoryQuery(query);
      const after = splitHistoryKey(afterKey);
      await ready();
      if (!isStorable(customerId) || types.length === 0) return { items: [], nextCursor: null };
      const params: unknown[] = [tenant, customerId];
      const param = (value: unknown) => `$${params.push(value)}`;
      const afterAt = after ? param(after.at) : '';
      const afterId = after ? param(after.id) : '';
      const channelList = channels ? param([...channels]) : '';
      const parts: string[] = [];
      if (types.includes('touchpoint')) {
        parts.push(
          `(SELECT 0 AS kind, t.occurred_at AS at, t.id, t.record AS body, NULL AS complaint_id, NULL AS subject, NULL AS status, NULL AS priority, NULL AS owner_id, NULL AS channel ` +
            `FROM crm_touchpoints t WHERE t.tenant = $1 AND t.customer_id = $2` +
            (after ? ` AND (t.occurred_at, t.id) < (${afterAt}, ${afterId})` : '') +
            (channels ? ` AND t.channel = ANY(${channelList}::text[])` : '') +
            ` ORDER BY t.occurred_at DESC, t.id DESC LIMIT ${limit + 1})`,
        );
      }
      if (types.includes('complaint_activity')) {
        parts.push(
          `(SELECT 1 AS kind, a.at, a.id, a.entry AS body, c.id AS complaint_id, c.record->>'subject' AS subject, c.status, c.priority, c.owner_id, c.channel ` +
            `FROM crm_complaint_activity a JOIN crm_complaints c ON c.tenant = a.tenant AND c.id = a.complaint_id ` +
            `WHERE a.tenant = $1 AND a.customer_id = $2` +
            (after ? ` AND (a.at, a.id) < (${afterAt}, ${afterId})` : '') +
            (channels ? ` AND c.channel = ANY(${channelList}::text[])` : '') +
            ` ORDER BY a.at DESC, a.id DESC LIMIT ${limit + 1})`,
        );
      }
      const { rows } = await driver.query<HistoryRow>(
        `SELECT * FROM (${parts.join(' UNION ALL ')}) AS h ORDER BY at DESC, id DESC LIMIT ${limit + 1}`,
        params,
      );
      const more = rows.length > limit;
      return historyPage((more ? rows.slice(0, limit) : rows).map(historyItem), more);
    },

    async changes(query) {
      assertOpen();
      const { since, limit } = checkChangesQuery(query);
      await ready();
      const { rows } = await driver.query<{ seq: string | number; horizon: string | number }>(SQL.horizon, [tenant]);
      const head = Number(rows[0]?.seq ?? 0);
      checkFeedPosition(since, Number(rows[0]?.horizon ?? 0), head);
      const changes = await readChanges(driver, tenant, since, limit);
      // The head as read before the changes: a write committed in between shows in `changes` first.
      return { changes, lastSeq: since + changes.length, head: Math.max(head, since + changes.length) } satisfies ChangePage;
    },

    subscribe(listener) {
      assertOpen();
      return feed.subscribe(listener);
    },

    async close() {
      closed = true;
      await feed.close();
    },

    /** The state of a sync with `remote` (its cursors, id map and queue), in this store's database and tenant: `createSync` finds it here. */
    [SYNC_STATE](remote: string): SyncState {
      assertOpen();
      return sqlSyncState({ driver, tenant, remote, retry });
    },
  };
  return store;
}

function checkOptions(options: SqlStoreOptions): {
  driver: SqlDriver;
  tenant: string;
  feedRetention: number | null;
  retry: RetryPolicy;
  fieldIndexes: ReadonlyMap<EntityName, ReadonlySet<string>>;
} {
  const fail = (field: string, message: string) => CrmValidationError.field('sqlStore options', [field], message);
  if (typeof options !== 'object' || options === null) throw fail('driver', 'is required: sqlStore({ driver: pgliteDriver() })');
  const { driver, tenant = 'default' } = options;
  if (!driver || typeof driver.query !== 'function' || typeof driver.transaction !== 'function') {
    throw fail('driver', 'expected a SqlDriver, such as pgliteDriver() or pgDriver(pool)');
  }
  // eslint-disable-next-line no-control-regex
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > 200 || /[\u0000-\u001f]/.test(tenant)) {
    throw fail('tenant', 'must be a non-empty string of at most 200 characters, without control characters');
  }
  const { feedRetention } = options;
  if (feedRetention !== undefined && (!Number.isSafeInteger(feedRetention) || feedRetention < 1)) {
    throw fail('feedRetention', 'must be a whole number of changes, 1 or more (or left out to keep the whole feed)');
  }
  const { retry = {} } = options;
  if (retry !== false && (typeof retry !== 'object' || retry === null)) {
    throw fail('retry', 'must be false or an object such as { limit: 5, baseMs: 20, maxMs: 1000 }');
  }
  const policy: RetryPolicy = { ...DEFAULT_WRITE_RETRY, ...(retry === false ? { limit: 0 } : retry) };
  if (!Number.isInteger(policy.limit) || policy.limit! < 0) throw fail('retry', '`limit` must be a whole number, 0 or more');
  if (!(policy.baseMs! >= 0) || !(policy.maxMs! >= 0)) throw fail('retry', '`baseMs` and `maxMs` must be milliseconds, 0 or more');
  for (const key of Object.keys(options)) {
    if (key !== 'driver' && key !== 'tenant' && key !== 'feedRetention' && key !== 'retry' && key !== 'fieldIndexes') {
      throw CrmValidationError.field('sqlStore options', [key], 'unknown option', 'unknown_field');
    }
  }
  return { driver, tenant, feedRetention: feedRetention ?? null, retry: policy, fieldIndexes: checkFieldIndexes(options.fieldIndexes) };
}

function checkFieldIndexes(fieldIndexes: FieldIndexes | undefined): ReadonlyMap<EntityName, ReadonlySet<string>> {
  const out = new Map<EntityName, ReadonlySet<string>>();
  if (fieldIndexes === undefined) return out;
  const fail = (path: (string | number)[], message: string) => CrmValidationError.field('sqlStore options', ['fieldIndexes', ...path], message);
  if (typeof fieldIndexes !== 'object' || fieldIndexes === null || Array.isArray(fieldIndexes)) {
    throw fail([], 'expected field names by entity, such as { customers: ["tier"] }');
  }
  for (const [entity, names] of Object.entries(fieldIndexes)) {
    if (!(ENTITIES as readonly string[]).includes(entity)) throw fail([], 'expected the keys "customers", "touchpoints" or "complaints"');
    if (names === undefined) continue;
    if (!Array.isArray(names)) throw fail([entity], 'expected a list of custom field names');
    if (names.length > MAX_FIELD_INDEXES) throw fail([entity], `at most ${MAX_FIELD_INDEXES} field indexes per entity`);
    names.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || !FIELD_NAME_PATTERN.test(name)) {
        throw fail([entity, i], 'invalid field name: expected a letter, then letters, digits or "_" (64 at most)');
      }
    });
    if (names.length > 0) out.set(entity as EntityName, new Set(names as string[]));
  }
  return out;
}

const NO_FIELDS: ReadonlySet<string> = new Set();

/**
 * A custom field of the record as SQL: `record->'fields'->'<name>'`, the expression field indexes
 * are built on. The name goes into the SQL text as a literal, so that a query's expression is
 * the index's; it is checked first, and a field name (`FIELD_NAME_PATTERN`: letters, digits and
 * `_`) can't close the literal.
 */
function fieldExpression(name: string): string {
  if (!FIELD_NAME_PATTERN.test(name)) throw CrmValidationError.field('page query', ['filter', FIELDS_FILTER], 'has an invalid field name');
  return `(record->'fields'->'${name}')`;
}

/**
 * Which records a field index holds (its `WHERE`): those whose field is a string, number or
 * boolean of at most {@link INDEXED_FIELD_BYTES} bytes as JSON, so that no record is too large for
 * a btree entry (about 2.7 kB). A query names the same condition to use the index.
 */
const fieldIndexPredicate = (field: string) =>
  `jsonb_typeof(${field}) IN ('string', 'number', 'boolean') AND octet_length((${field})::text) <= ${INDEXED_FIELD_BYTES}`;
const INDEXED_FIELD_BYTES = 1500;
const utf8 = new TextEncoder();

/** The name of a field index: `crm_customers_f_tier`, or for a long field name its start and a hash (names are 63 bytes at most). */
function fieldIndexName(entity: EntityName, name: string): string {
  const full = `crm_${entity}_f_${name}`;
  if (full.length <= 63) return full;
  // FNV-1a, 32 bits: deterministic, so every process names the index alike.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return `${full.slice(0, 54)}_${hash.toString(16).padStart(8, '0')}`;
}

/**
 * The statement that creates the index of one custom field (as `sqlStore({ fieldIndexes })` does):
 * run it yourself with `CREATE INDEX CONCURRENTLY` in place of `CREATE INDEX` on a busy server.
 */
export function fieldIndexStatement(entity: EntityName, name: string): string {
  if (!(ENTITIES as readonly string[]).includes(entity)) throw new TypeError('fieldIndexStatement: unknown entity');
  const field = fieldExpression(name);
  return (
    `CREATE INDEX IF NOT EXISTS "${fieldIndexName(entity, name)}" ON ${TABLES[entity].table} (tenant, ${field}, id) ` +
    `WHERE ${fieldIndexPredicate(field)}`
  );
}

/** Creates the field indexes that are missing, under the migrations' lock (so processes starting at once don't race). */
async function createFieldIndexes(driver: SqlDriver, fieldIndexes: ReadonlyMap<EntityName, ReadonlySet<string>>): Promise<void> {
  const wanted = [...fieldIndexes].flatMap(([entity, names]) => [...names].map((name) => ({ entity, name, index: fieldIndexName(entity, name) })));
  const existing = async (db: SqlExecutor) => {
    const { rows } = await db.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY($1::text[])',
      [wanted.map((w) => w.index)],
    );
    return new Set(rows.map((row) => row.indexname));
  };
  // Most starts find every index made: no lock is taken then.
  if ((await existing(driver)).size === wanted.length) return;
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const made = await existing(tx);
    for (const { entity, name, index } of wanted) if (!made.has(index)) await tx.query(fieldIndexStatement(entity, name));
  });
}

/**
 * The SQL conditions of a filter on custom fields (checked by `checkListQuery`): a value compares
 * as jsonb (`1` equals `1.0`), `null` matches a JSON null or a missing field. Values are bound
 * parameters; the names are literals (see {@link fieldExpression}). For an indexed field, the
 * condition repeats the index's predicate, so that the planner can use it.
 */
function fieldConditions(fields: FieldFilter, indexed: ReadonlySet<string>, param: (value: unknown) => string): string[] {
  const where: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const field = fieldExpression(name);
    if (value === null) {
      where.push(`(${field} IS NULL OR ${field} = 'null'::jsonb)`);
      continue;
    }
    const json = JSON.stringify(value);
    where.push(`${field} = ${param(json)}::jsonb`);
    // The predicate holds for every match when the value is small (a longer string is in no index).
    if (indexed.has(name) && utf8.encode(json).length <= INDEXED_FIELD_BYTES) where.push(fieldIndexPredicate(field));
  }
  return where;
}

/**
 * The SQL condition for one list filter, or `null` when the value can match nothing (a value of
 * the wrong type, as the memory store's equality would never match it either).
 */
function filterCondition(entity: EntityName, key: string, value: unknown, param: (value: unknown) => string): string | null {
  // Text with a NUL can't be stored (nor sent to Postgres): it matches nothing.
  const column = Object.hasOwn(FILTER_COLUMNS[entity], key) ? (FILTER_COLUMNS[entity] as Readonly<Record<string, string>>)[key] : undefined;
  if (column) {
    if (Array.isArray(value)) {
      return value.every((v) => typeof v === 'string') ? `${column} = ANY(${param(value.filter(isStorable))}::text[])` : null;
    }
    return isStorable(value) ? `${column} = ${param(value)}` : null;
  }
  // Customers' many-valued keys: tag, email, externalId.
  let kind: string;
  let key_: string;
  if (key === 'tag' && isStorable(value)) [kind, key_] = ['tag', value];
  else if (key === 'email' && isStorable(value)) [kind, key_] = ['email', normalizeEmail(value)];
  else if (key === 'externalId' && typeof value === 'object' && value !== null) {
    const { system, id } = value as { system?: unknown; id?: unknown };
    if (!isStorable(system) || !isStorable(id)) return null;
    [kind, key_] = ['ext', `${system}\u0001${id}`];
  } else return null;
  return `id IN (SELECT customer_id FROM crm_customer_keys WHERE tenant = $1 AND kind = '${kind}' AND key = ${param(key_)})`;
}

/** Whether `value` is text Postgres can take (any but one with a NUL character, which no stored value has). */
const isStorable = (value: unknown): value is string => typeof value === 'string' && !value.includes('\u0000');

/** The body of a write's transaction. Resolves to the feed sequence of its last change. */
async function applyWrite(
  tx: SqlExecutor,
  tenant: string,
  ops: readonly WriteOp[],
  origin: string,
  feedRetention: number | null,
): Promise<number> {
  const { rows } = await tx.query<{ seq: string | number; horizon: string | number }>(SQL.lockTenant, [tenant]);
  const base = Number(rows[0]!.seq);
  const horizon = Number(rows[0]!.horizon ?? 0);

  const json = ops.map((op) => (op.type === 'delete' ? '' : JSON.stringify(op.record)));
  // What updates and deletes replace, checked first; creates are checked by the primary key as they insert.
  const current = await currentRecords(tx, tenant, ops, 'existing');
  ops.forEach((op, i) => op.type !== 'create' && checkOpAgainst(op, i, current[i]));
  // Creates go in one statement per kind of record.
  const created: Partial<Record<EntityName, string>> = {};
  for (const entity of ENTITIES) {
    const positions: number[] = [];
    for (let i = 0; i < ops.length; i++) if (ops[i]!.type === 'create' && ops[i]!.entity === entity) positions.push(i + 1);
    if (positions.length === 0) continue;
    const array = `[${positions.map((p) => json[p - 1]).join(',')}]`;
    await tx.query(SQL.insert[entity], [tenant, array, base, positions]);
    created[entity] = array;
  }
  if (created.customers) await tx.query(SQL.insertKeys, [tenant, created.customers]);
  if (created.complaints) await tx.query(SQL.insertActivity, [tenant, created.complaints, 0]);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.type === 'delete') {
      const removed = await tx.query(SQL.remove[op.entity], [tenant, op.id, op.expectedVersion]);
      if (removed.rows.length !== 1) throw new CrmConflictError(op.entity.slice(0, -1), op.id, op.expectedVersion, current[i]?.version ?? 0);
      if (op.entity === 'customers') await tx.query(SQL.deleteKeys, [tenant, op.id]);
      if (op.entity === 'complaints') await tx.query(SQL.deleteActivity, [tenant, op.id]);
      await tx.query(SQL.scrub, [tenant, op.id, op.entity]);
      continue;
    }
    if (op.type !== 'update') continue;
    await tx.query(SQL.keep[op.entity], [tenant, op.record.id]);
    const updated = await tx.query(SQL.update[op.entity], [tenant, json[i], op.expectedVersion, base + i + 1]);
    if (updated.rows.length !== 1) {
      throw new CrmConflictError(op.entity.slice(0, -1), op.record.id, op.expectedVersion, current[i]?.version ?? 0);
    }
    if (op.entity === 'customers') {
      await tx.query(SQL.deleteKeys, [tenant, op.record.id]);
      await tx.query(SQL.insertKeys, [tenant, `[${json[i]}]`]);
    } else if (op.entity === 'complaints') {
      const previous = current[i] as unknown as { customerId: string; activity: unknown[] };
      if (previous.customerId !== op.record.customerId) await tx.query(SQL.moveActivity, [tenant, op.record.id, op.record.customerId]);
      if (op.record.activity.length > previous.activity.length) {
        await tx.query(SQL.insertActivity, [tenant, `[${json[i]}]`, previous.activity.length]);
      }
    }
  }
  const lastSeq = base + ops.length;
  await tx.query(SQL.insertChanges, [
    tenant,
    base,
    ops.length,
    ops.map((op) => op.entity),
    ops.map(opId),
    ops.map((op) => (op.type === 'delete' ? op.expectedVersion + 1 : op.record.version)),
    ops.map((op) => op.type),
    new Date().toISOString(),
    origin,
  ]);
  await tx.query(SQL.setSeq, [tenant, lastSeq]);
  // Retention: prune whole writes once the feed has grown a tenth (at least 100 changes) past it.
  if (feedRetention !== null && lastSeq - horizon > feedRetention + Math.max(100, Math.floor(feedRetention / 10))) {
    const pruned = await tx.query<{ seq: string | number | null }>(SQL.pruneTo, [tenant, lastSeq - feedRetention]);
    const to = Number(pruned.rows[0]?.seq ?? 0);
    if (to > horizon) {
      await tx.query(SQL.pruneChanges, [tenant, to]);
      await tx.query(SQL.pruneRecords, [tenant, to]);
      await tx.query(SQL.setHorizon, [tenant, to]);
    }
  }
  await tx.query(SQL.notify, [tenant]);
  return lastSeq;
}

/** A history cursor's key (`at`, a stored timestamp, then `id`) split in two, or a validation error. */
function splitHistoryKey(key: string | undefined): { at: string; id: string } | undefined {
  if (key === undefined) return undefined;
  const at = key.slice(0, AT_LENGTH);
  if (key.length <= AT_LENGTH || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(at)) {
    throw CrmValidationError.field('page query', ['cursor'], 'invalid cursor: not a cursor of a history query');
  }
  return { at, id: key.slice(AT_LENGTH) };
}
const AT_LENGTH = '2026-01-05T10:00:00.000Z'.length;

const UNIQUE_VIOLATION = '23505';

/**
 * The record stored now for each op (of the given type, or all), `undefined` where there is none:
 * one query per kind of record. Complaints come whole (their activity log is checked); other
 * records as `{ version }`.
 */
async function currentRecords(
  db: SqlExecutor,
  tenant: string,
  ops: readonly WriteOp[],
  which: 'existing' | 'all' = 'all',
): Promise<({ version: number } | undefined)[]> {
  const wanted = (op: WriteOp) => which === 'all' || op.type !== 'create';
  const found = new Map<string, { version: number }>();
  for (const entity of ENTITIES) {
    const ids = ops.filter((op) => op.entity === entity && wanted(op)).map(opId);
    if (ids.length === 0) continue;
    const { rows } = await db.query<{ id: string; version: number; record?: { version: number } }>(
      `SELECT id, version${entity === 'complaints' ? ', record' : ''} FROM ${TABLES[entity].table} WHERE tenant = $1 AND id = ANY($2::text[]) FOR UPDATE`,
      [tenant, ids],
    );
    for (const row of rows) found.set(`${entity}\u0001${row.id}`, row.record ?? { version: row.version });
  }
  return ops.map((op) => (wanted(op) ? found.get(`${op.entity}\u0001${opId(op)}`) : undefined));
}

/** After a failed write: throws the failure of the first op, in order, that fails against what is stored. */
async function diagnose(driver: SqlDriver, tenant: string, ops: readonly WriteOp[]): Promise<void> {
  const current = await driver.transaction((tx) => currentRecords(tx, tenant, ops));
  ops.forEach((op, i) => checkOpAgainst(op, i, current[i]));
}

/** Changes of `tenant` after `since`, at most `limit`, in order. */
async function readChanges(driver: SqlExecutor, tenant: string, since: number, limit: number): Promise<Change[]> {
  const { rows } = await driver.query<{
    seq: string | number;
    write_seq: string | number;
    at: string | null;
    origin: string | null;
    op: Change['op'] | null;
    entity: EntityName;
    id: string;
    version: number;
    record: AnyRecord | null;
  }>(SQL.readChanges, [tenant, since, limit]);
  return rows.map((row) => {
    const change = {
      seq: Number(row.seq),
      entity: row.entity,
      op: row.op ?? (row.version === 1 ? 'create' : 'update'),
      id: row.id,
      version: row.version,
      writeId: Number(row.write_seq),
      at: row.at ?? '1970-01-01T00:00:00.000Z',
      origin: row.origin ?? 'app',
    } as Change;
    if (row.record !== null) (change as { record?: AnyRecord }).record = row.record;
    return change;
  });
}

interface HistoryRow {
  kind: number;
  at: string;
  id: string;
  body: Row;
  complaint_id: string | null;
  subject: string | null;
  status: string | null;
  priority: string | null;
  owner_id: string | null;
  channel: string | null;
}

function historyItem(row: HistoryRow): HistoryItem {
  if (row.kind === 0) return { type: 'touchpoint', id: row.id, at: row.at, touchpoint: row.body } as HistoryItem;
  return {
    type: 'complaint_activity',
    id: row.id,
    at: row.at,
    complaint: {
      id: row.complaint_id,
      subject: row.subject,
      status: row.status,
      priority: row.priority,
      ...(row.owner_id === null ? {} : { ownerId: row.owner_id }),
      channel: row.channel,
    },
    activity: row.body,
  } as HistoryItem;
}
