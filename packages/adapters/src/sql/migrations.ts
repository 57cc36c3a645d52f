import type { SqlDriver } from './driver.js';

/** One step of the schema, applied once, in order, inside the migration transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema of {@link sqlStore}. Every row carries its tenant, and every key and sort column is
 * `COLLATE "C"` (ids order by code unit, as the store contract says). A record's own fields stay
 * in `record` (jsonb); the columns beside it are copies that filters and orders use.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, keys, activity and the change feed',
    sql: `
CREATE TABLE crm_tenants (
  tenant text COLLATE "C" PRIMARY KEY,
  seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE crm_customers (
  tenant text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  seq bigint NOT NULL,
  kind text COLLATE "C" NOT NULL,
  owner_id text COLLATE "C",
  record jsonb NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX crm_customers_owner ON crm_customers (tenant, owner_id, id);
-- Emails, tags and external ids, one row each, so those filters are index scans.
CREATE TABLE crm_customer_keys (
  tenant text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant, kind, key, customer_id)
);
CREATE INDEX crm_customer_keys_customer ON crm_customer_keys (tenant, customer_id);
CREATE TABLE crm_touchpoints (
  tenant text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  seq bigint NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  complaint_id text COLLATE "C",
  channel text COLLATE "C" NOT NULL,
  direction text COLLATE "C" NOT NULL,
  actor_id text COLLATE "C",
  occurred_at text COLLATE "C" NOT NULL,
  record jsonb NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX crm_touchpoints_history ON crm_touchpoints (tenant, customer_id, occurred_at, id);
CREATE INDEX crm_touchpoints_customer ON crm_touchpoints (tenant, customer_id, id);
CREATE INDEX crm_touchpoints_complaint ON crm_touchpoints (tenant, complaint_id, id) WHERE complaint_id IS NOT NULL;
CREATE TABLE crm_complaints (
  tenant text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  seq bigint NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  owner_id text COLLATE "C",
  priority text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  record jsonb NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX crm_complaints_customer ON crm_complaints (tenant, customer_id, id);
CREATE INDEX crm_complaints_owner ON crm_complaints (tenant, owner_id, id);
CREATE INDEX crm_complaints_status ON crm_complaints (tenant, status, id);
-- Each entry of a complaint's append-only activity log, for the customer's history.
CREATE TABLE crm_complaint_activity (
  tenant text COLLATE "C" NOT NULL,
  complaint_id text COLLATE "C" NOT NULL,
  position integer NOT NULL,
  id text COLLATE "C" NOT NULL,
  at text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  entry jsonb NOT NULL,
  PRIMARY KEY (tenant, complaint_id, position)
);
CREATE INDEX crm_complaint_activity_history ON crm_complaint_activity (tenant, customer_id, at, id);
-- The change feed, numbered without gaps per tenant: one row per atomic write, naming the records
-- it wrote in order (change seq_from + i is the i-th, counting from 0). While a change is still
-- its record's current version (the record's seq column), the record is read from its table; an
-- update first copies the version it replaces into crm_change_records, under that version's seq.
CREATE TABLE crm_changes (
  tenant text COLLATE "C" NOT NULL,
  seq_to bigint NOT NULL,
  seq_from bigint NOT NULL,
  entities text[] NOT NULL,
  ids text[] NOT NULL,
  versions integer[] NOT NULL,
  PRIMARY KEY (tenant, seq_to)
);
CREATE TABLE crm_change_records (
  tenant text COLLATE "C" NOT NULL,
  seq bigint NOT NULL,
  record jsonb NOT NULL,
  PRIMARY KEY (tenant, seq)
);
`,
  },
  {
    version: 2,
    name: 'touchpoint signal state (complaint suggestions)',
    sql: `
ALTER TABLE crm_touchpoints ADD COLUMN signal_state text COLLATE "C";
UPDATE crm_touchpoints SET signal_state = record->'signal'->>'state' WHERE record->'signal' IS NOT NULL;
CREATE INDEX crm_touchpoints_signal ON crm_touchpoints (tenant, signal_state, id) WHERE signal_state IS NOT NULL;
`,
  },
  {
    version: 3,
    name: 'change feed v2: commit time, origin, deletes, retention horizon',
    sql: `
-- Each write's commit time and origin; ops holds 'create', 'update' or 'delete' per change (rows
-- written before this version have none: their op follows from the version).
ALTER TABLE crm_changes ADD COLUMN at text COLLATE "C";
ALTER TABLE crm_changes ADD COLUMN origin text COLLATE "C";
ALTER TABLE crm_changes ADD COLUMN ops text[];
UPDATE crm_changes SET at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), origin = 'app';
-- The oldest 'since' the feed still answers: changes up to it have been pruned.
ALTER TABLE crm_tenants ADD COLUMN horizon bigint NOT NULL DEFAULT 0;
-- Kept versions name their record, so that erasing a record removes every copy of it.
ALTER TABLE crm_change_records ADD COLUMN entity text COLLATE "C";
ALTER TABLE crm_change_records ADD COLUMN record_id text COLLATE "C";
UPDATE crm_change_records SET record_id = record->>'id';
CREATE INDEX crm_change_records_record ON crm_change_records (tenant, record_id);
`,
  },
  {
    version: 4,
    name: 'sync state: cursors, id map and outbound queue',
    sql: `
-- A sync's state per tenant and remote (sqlSyncState): where it stands in each feed,
CREATE TABLE crm_sync_cursors (
  tenant text COLLATE "C" NOT NULL,
  remote text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant, remote, key)
);
-- which remote record each local one is (looked up both ways),
CREATE TABLE crm_sync_map (
  tenant text COLLATE "C" NOT NULL,
  remote text COLLATE "C" NOT NULL,
  entity text COLLATE "C" NOT NULL,
  local_id text COLLATE "C" NOT NULL,
  remote_id text COLLATE "C" NOT NULL,
  local_version integer NOT NULL,
  remote_version text COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant, remote, entity, local_id)
);
CREATE INDEX crm_sync_map_remote ON crm_sync_map (tenant, remote, entity, remote_id, local_id);
-- and what is still to send: one row per record, its newest version, claimed by one worker at a
-- time (claimed_by until lease_until; claimed_version is the version it claimed).
CREATE TABLE crm_sync_queue (
  tenant text COLLATE "C" NOT NULL,
  remote text COLLATE "C" NOT NULL,
  entity text COLLATE "C" NOT NULL,
  local_id text COLLATE "C" NOT NULL,
  op text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  seq bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  sent_at timestamptz,
  last_error jsonb,
  available_at timestamptz NOT NULL,
  status text COLLATE "C" NOT NULL,
  claimed_by text COLLATE "C",
  claimed_version integer,
  lease_until timestamptz,
  PRIMARY KEY (tenant, remote, entity, local_id)
);
CREATE INDEX crm_sync_queue_pending ON crm_sync_queue (tenant, remote, entity, seq, local_id) WHERE status = 'pending';
CREATE INDEX crm_sync_queue_failed ON crm_sync_queue (tenant, remote, seq) WHERE status = 'failed';
`,
  },
];

/** The advisory lock every process takes to migrate, so two starting at once migrate once. */
export const MIGRATION_LOCK = 72_640_501;

const migrated = new WeakMap<SqlDriver, Promise<number>>();

/**
 * Brings the database up to the newest schema version, once per driver, safely when several
 * processes start at once: all steps run in one transaction holding an advisory lock, and each
 * applied step is recorded in `crm_migrations`. Resolves to the schema version.
 */
export function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  let done = migrated.get(driver);
  if (!done) {
    done = driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS crm_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await tx.query<{ version: number }>('SELECT coalesce(max(version), 0)::integer AS version FROM crm_migrations');
      let version = rows[0]?.version ?? 0;
      const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
      if (version > newest) {
        throw new Error(`sqlStore: the database is at schema version ${version}, newer than this package knows (${newest}); upgrade @crm/adapters`);
      }
      for (const step of [...migrations].sort((a, b) => a.version - b.version)) {
        if (step.version <= version) continue;
        for (const statement of statementsOf(step.sql)) await tx.query(statement);
        await tx.query('INSERT INTO crm_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
        version = step.version;
      }
      return version;
    });
    migrated.set(driver, done);
    // A failed attempt may be retried by the next store.
    done.catch(() => migrated.delete(driver));
  }
  return done;
}

/** The statements of a migration, one per query (drivers' extended protocol takes one at a time). */
function statementsOf(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement !== '');
}
