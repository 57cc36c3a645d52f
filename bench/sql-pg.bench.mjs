// The SQL store on the PostgreSQL server (CRM_BENCH_DATABASE_URL, by default the local `test`
// database), in a schema of its own dropped afterwards: the first history page (50) of a customer
// with 10,000 touchpoints among 1,000,000 (target: median ≤ 2 ms), against a table scan.

import pg from 'pg';
import { pgDriver, sqlStore } from '@crm/adapters/sql';
import { SCALE } from './dataset.mjs';
import { defineBench } from './harness.mjs';
import { historyFigure } from './sqlBench.mjs';

const URL = process.env.CRM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOTAL = Math.round(1_000_000 * SCALE);

export default defineBench({
  name: 'sql-postgres',
  title: `sqlStore on a PostgreSQL server: history page of 1 customer in ${TOTAL.toLocaleString('en-US')} touchpoints`,
  order: 41,
  async run(ctx) {
    const schema = `crm_bench_${Date.now().toString(36)}`;
    const admin = new pg.Pool({ connectionString: URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const driver = pgDriver(new pg.Pool({ connectionString: URL, max: 4, options: `-c search_path=${schema}` }));
    try {
      const store = sqlStore({ driver });
      await historyFigure(ctx, store, driver, { total: TOTAL, targetMs: 2 });
    } finally {
      await driver.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  },
});
