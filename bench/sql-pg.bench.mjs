// The SQL store on the PostgreSQL server (CRM_BENCH_DATABASE_URL, by default the local `test`
// database), in a schema of its own dropped afterwards: the first history page (50) of a customer
// with 10,000 touchpoints among 1,000,000 (target: median ≤ 2 ms), against a table scan.

import pg from 'pg';
import { pgDriver, sqlStore } from '@crm/adapters/sql';
import { SCALE } from './dataset.mjs';
import { defineBench } from './harness.mjs';
import { LIMIT, checkHistory, fill, timeHistory } from './sqlBench.mjs';

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
      const built = await fill(store, {
        customers: Math.max(100, Math.round(100_000 * SCALE)),
        touchpoints: TOTAL,
        batch: 2000,
        onProgress: (done) => done % 200_000 === 0 && ctx.log(`${done.toLocaleString('en-US')} of ${TOTAL.toLocaleString('en-US')} touchpoints written`),
      });
      ctx.info(`${TOTAL.toLocaleString('en-US')} touchpoints written`, built.rate, 'rows/s', `${built.seconds.toFixed(1)} s, 2,000 per write`);
      await driver.query('ANALYZE');
      await checkHistory(store, built.heavyId, built.heavy);
      const { page, scan } = await timeHistory(store, driver, built.heavyId);
      ctx.figure({
        name: `history first page (${LIMIT}), median`,
        value: page.median,
        unit: 'ms',
        target: 2,
        higherIsBetter: false,
        baseline: { name: 'the same page by table scan', value: scan },
        note: `p95 ${page.p95.toFixed(2)} ms over ${page.runs} runs`,
      });
    } finally {
      await driver.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  },
});
