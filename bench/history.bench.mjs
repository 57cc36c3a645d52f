// History: the first page (50 items) of a customer with 10,000 touchpoints among the 1,000,000 of
// the shared dataset, through `crm.history`. Targets: median ≤ 0.2 ms, and ≥ 100× faster than the
// obvious alternative, filtering and sorting an array of every touchpoint.

import { SIZES, dataset } from './dataset.mjs';
import { collectGarbage, defineBench, now, sample } from './harness.mjs';

const LIMIT = 50;

/** Newest first by occurredAt, then by id (the order `crm.history` promises). */
const byOccurredAtDescThenIdDesc = (a, b) =>
  a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/** Every touchpoint in one array, read page by page through the store (what a naive app would hold). */
async function allTouchpoints(store) {
  const all = [];
  let cursor = null;
  do {
    const page = await store.list('touchpoints', { limit: 500, order: 'asc', cursor });
    for (const t of page.items) all.push(t);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

function sameIds(label, got, want) {
  const a = got.map((x) => x.id);
  const b = want.map((x) => x.id);
  if (a.length !== b.length || a.some((id, i) => id !== b[i])) {
    const at = a.findIndex((id, i) => id !== b[i]);
    throw new Error(`${label}: crm.history and the baseline disagree (${a.length} vs ${b.length} items; first difference at #${at}: ${a[at]} vs ${b[at]})`);
  }
}

export default defineBench({
  name: 'history',
  title: `first history page (limit ${LIMIT}) of a customer with ${(SIZES.touchpoints / SIZES.heavyEvery).toLocaleString('en-US')} of ${SIZES.touchpoints.toLocaleString('en-US')} touchpoints`,
  order: 20,
  async run(ctx) {
    const { crm, heavyId, customerIds } = await dataset(ctx.log);

    const started = now();
    const all = await allTouchpoints(crm.store);
    if (all.length !== SIZES.touchpoints) throw new Error(`expected ${SIZES.touchpoints} touchpoints in the store, found ${all.length}`);
    ctx.log(`baseline array of all ${all.length.toLocaleString('en-US')} touchpoints read in ${((now() - started) / 1000).toFixed(1)} s`);
    const baseline = (id) => all.filter((t) => t.customerId === id).sort(byOccurredAtDescThenIdDesc);

    // Both must give the same answer, on the first page and the next one.
    const expected = baseline(heavyId);
    if (expected.length !== SIZES.touchpoints / SIZES.heavyEvery) throw new Error(`the heavy customer has ${expected.length} touchpoints`);
    const first = await crm.history(heavyId, { limit: LIMIT });
    if (first.items.some((item) => item.type !== 'touchpoint' || item.touchpoint.customerId !== heavyId)) throw new Error('history returned an item of another kind or customer');
    sameIds('first page', first.items, expected.slice(0, LIMIT));
    if (!first.nextCursor) throw new Error('first page: expected a nextCursor');
    const second = await crm.history(heavyId, { limit: LIMIT, cursor: first.nextCursor });
    sameIds('second page', second.items, expected.slice(LIMIT, 2 * LIMIT));

    const history = await sample(() => crm.history(heavyId, { limit: LIMIT }), { warmup: 200, runs: 2000 });
    const base = await sample(() => baseline(heavyId).slice(0, LIMIT), { warmup: 2, runs: 20 });
    // Check again, after the timing, that nothing changed under us.
    sameIds('first page (after timing)', (await crm.history(heavyId, { limit: LIMIT })).items, baseline(heavyId).slice(0, LIMIT));

    ctx.figure({
      name: 'crm.history first page, median',
      value: history.median,
      unit: 'ms',
      target: 0.2,
      higherIsBetter: false,
      baseline: { name: 'filter+sort', value: base.median },
      note: `${history.runs} calls after 200 warm-up: p95 ${history.p95.toFixed(3)} ms, min ${history.min.toFixed(3)} ms, max ${history.max.toFixed(2)} ms`,
    });
    ctx.info('baseline filter+sort+slice, median', base.median, 'ms', `${base.runs} calls after 2 warm-up: min ${base.min.toFixed(1)} ms, max ${base.max.toFixed(1)} ms`);
    const filterOnly = await sample(() => all.filter((t) => t.customerId === heavyId), { warmup: 1, runs: 5 });
    ctx.info('  of which the filter, median', filterOnly.median, 'ms', `one scan of all ${all.length.toLocaleString('en-US')} records`);
    ctx.figure({ name: 'speed-up vs filter+sort', value: base.median / history.median, unit: '×', target: 100, higherIsBetter: true });

    // For context: a page further in (through the cursor) and a small customer's first page.
    const page2 = await sample(() => crm.history(heavyId, { limit: LIMIT, cursor: first.nextCursor }), { warmup: 100, runs: 1000 });
    ctx.info('second page (cursor), median', page2.median, 'ms');
    const typical = customerIds[customerIds.length >> 1];
    const small = await sample(() => crm.history(typical, { limit: LIMIT }), { warmup: 100, runs: 1000 });
    ctx.info('a typical customer, median', small.median, 'ms', `${baseline(typical).length} touchpoints`);
    collectGarbage();
  },
});
