/**
 * `@crm/adapters/sql`: the CRM's records in Postgres — embedded with PGlite (nothing to install
 * but the package) or on a PostgreSQL server through `pg`. `sqlStore({ driver })` is a full
 * `CrmStore`: run the contract suite from `@crm/core/testing` against your own driver wrappers.
 *
 * @packageDocumentation
 */
export { sqlStore, fieldIndexStatement, type SqlStoreOptions, type FieldIndexes } from './sqlStore.js';
export { pgliteDriver, type PGliteDriverOptions, type PGliteLike } from './pglite.js';
export { pgDriver, type PgPoolLike, type PgClientLike } from './pg.js';
export { migrate, MIGRATIONS, type Migration } from './migrations.js';
export { sqlSyncState, type SqlSyncStateOptions } from '../sync/state/sqlState.js';
export type { SqlDriver, SqlExecutor, SqlResult } from './driver.js';
