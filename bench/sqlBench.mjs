// What the SQL benches share: filling a store with touchpoints through `store.write` (batches of
// creates, one transaction each) and timing a customer's first history page against a table scan.

import { ulidGenerator } from '@crm/core';
import { customerRecord, touchpointMaker } from './sqlData.mjs';
import { now, sample } from './harness.mjs';

export const LIMIT = 50;

/**
 * Writes `customers` customers, then `touchpoints` touchpoints in batches of `batch` (one write
 * each); every `heavyEvery`th touchpoint goes to the first customer. Returns the heavy customer's
 * id and the write rate of the touchpoints (time spent in `store.write`).
 */
export async function fill(store, { customers, touchpoints, batch = 1000, heavyEvery = 100, seed = 1, onProgress }) {
  const ids = ulidGenerator();
  const at = new Date().toISOString();
  const customerIds = Array.from({ length: customers }, () => ids());
  for (let i = 0; i < customers; i += batch) {
    await store.write(customerIds.slice(i, i + batch).map((id) => ({ type: 'create', entity: 'customers', record: customerRecord(id, at) })));
  }
  const make = touchpointMaker(seed);
  const heavy = [];
  // Only the writes are timed: making the records is the caller's work, not the store's.
  let writing = 0;
  for (let done = 0; done < touchpoints; ) {
    const n = Math.min(batch, touchpoints - done);
    const ops = [];
    for (let i = 0; i < n; i++, done++) {
      const customerId = done % heavyEvery === 0 ? customerIds[0] : customerIds[1 + (done % (customers - 1))];
      const record = make(customerId);
      if (customerId === customerIds[0]) heavy.push(record);
      ops.push({ type: 'create', entity: 'touchpoints', record });
    }
    const started = now();
    await store.write(ops);
    writing += now() - started;
    onProgress?.(done);
  }
  const seconds = writing / 1000;
  heavy.sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : a.id < b.id ? 1 : -1));
  return { heavyId: customerIds[0], heavy, rate: touchpoints / seconds, seconds };
}

/** Checks that two pages of the heavy customer's history are exactly the expected touchpoints. */
export async function checkHistory(store, heavyId, heavy) {
  const first = await store.history(heavyId, { limit: LIMIT });
  const second = await store.history(heavyId, { limit: LIMIT, cursor: first.nextCursor });
  const got = [...first.items, ...second.items].map((item) => item.id);
  const want = heavy.slice(0, 2 * LIMIT).map((t) => t.id);
  if (got.join() !== want.join()) throw new Error(`history pages disagree with the written touchpoints (first difference at #${got.findIndex((id, i) => id !== want[i])})`);
}

/** Times the first page (median of `runs`), and the same page with the planner kept off indexes. */
export async function timeHistory(store, driver, heavyId, { runs = 500, scanRuns = 5 } = {}) {
  const page = await sample(() => store.history(heavyId, { limit: LIMIT }), { warmup: 50, runs });
  // The baseline: what the page would cost without the indexes (the planner told not to use them).
  const scan = await driver.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_indexscan = off');
    await tx.query('SET LOCAL enable_bitmapscan = off');
    await tx.query('SET LOCAL enable_indexonlyscan = off');
    const times = [];
    for (let i = 0; i < scanRuns; i++) {
      const started = now();
      await tx.query(
        `SELECT id, record FROM crm_touchpoints WHERE tenant = $1 AND customer_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT ${LIMIT + 1}`,
        ['default', heavyId],
      );
      times.push(now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  });
  return { page, scan };
}

/**
 * The history figure of a SQL bench: fills `store` (tenant `default`) with `total` touchpoints,
 * checks two pages, and reports the first page's median against `targetMs` and a table scan.
 */
export async function historyFigure(ctx, store, driver, { total, targetMs }) {
  const built = await fill(store, {
    customers: Math.max(100, Math.round(total / 10)),
    touchpoints: total,
    batch: 2000,
    onProgress: (done) => done % 200_000 === 0 && ctx.log(`${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} touchpoints written`),
  });
  ctx.info(`${total.toLocaleString('en-US')} touchpoints written`, built.rate, 'rows/s', `${built.seconds.toFixed(1)} s, 2,000 per write`);
  await driver.query('ANALYZE');
  await checkHistory(store, built.heavyId, built.heavy);
  const { page, scan } = await timeHistory(store, driver, built.heavyId);
  ctx.figure({
    name: `history first page (${LIMIT}), median`,
    value: page.median,
    unit: 'ms',
    target: targetMs,
    higherIsBetter: false,
    baseline: { name: 'the same page by table scan', value: scan },
    note: `p95 ${page.p95.toFixed(2)} ms over ${page.runs} runs`,
  });
}
