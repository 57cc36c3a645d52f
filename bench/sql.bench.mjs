// The SQL store on PGlite (embedded, in a temporary data folder): bulk ingest of 100,000
// touchpoints (target ≥ 20,000 rows/s), then the first history page (50) of a customer with
// 10,000 touchpoints among 1,000,000 (target: median ≤ 5 ms), against a table scan.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteDriver, sqlStore } from '@crm/adapters/sql';
import { SCALE } from './dataset.mjs';
import { defineBench, now } from './harness.mjs';
import { fill, historyFigure } from './sqlBench.mjs';

const INGEST = Math.round(100_000 * SCALE);
const TOTAL = Math.round(1_000_000 * SCALE);

export default defineBench({
  name: 'sql-pglite',
  title: `sqlStore on PGlite: ingest ${INGEST.toLocaleString('en-US')} touchpoints, history page of 1 customer in ${TOTAL.toLocaleString('en-US')}`,
  order: 40,
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'crm-bench-pglite-'));
    const driver = pgliteDriver({ dataDir: dir });
    try {
      const store = sqlStore({ driver });
      const started = now();
      await store.list('customers', { limit: 1 }); // Starts PGlite and migrates.
      ctx.log(`PGlite started and migrated in ${((now() - started) / 1000).toFixed(1)} s (data folder ${dir})`);

      // Ingest: a fresh tenant, so the timed rows are the first of their store.
      const ingest = sqlStore({ driver, tenant: 'ingest' });
      const single = await fill(ingest, { customers: 100, touchpoints: 2_000, batch: 1, seed: 7 });
      const bulk = await fill(ingest, { customers: 1_000, touchpoints: INGEST, batch: 1000, seed: 2 });
      ctx.figure({
        name: 'bulk ingest (1,000 per write)',
        value: bulk.rate,
        unit: 'rows/s',
        target: 20_000,
        higherIsBetter: true,
        baseline: { name: 'one touchpoint per write', value: single.rate },
      });

      await historyFigure(ctx, store, driver, { total: TOTAL, targetMs: 5 });
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
