// Ingest: 1,000,000 touchpoints across 100,000 customers through `crm.touchpoints.log`, one awaited
// call at a time (as an app or a sync pull calls it), validation included, into a memoryStore.
// Targets: ≥ 250,000 touchpoints/s, and ≤ 1.5 GiB of heap once they are all stored.

import { SCALE, SIZES, dataset, touchpointInputs } from './dataset.mjs';
import { collectGarbage, defineBench, formatBytes, now, summarize } from './harness.mjs';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export default defineBench({
  name: 'ingest',
  title: `log ${SIZES.touchpoints.toLocaleString('en-US')} touchpoints across ${SIZES.customers.toLocaleString('en-US')} customers into memoryStore()`,
  order: 10,
  async run(ctx) {
    if (SCALE !== 1) ctx.log(`BENCH_SCALE=${SCALE}: a smaller dataset than the targets assume`);
    const { stats, customerIds, heavyId } = await dataset(ctx.log);
    const { customers, ingest, heap } = stats;

    const rate = ingest.count / (ingest.ms / 1000);
    const chunkRates = summarize(ingest.chunkMs.map((ms) => ingest.chunk / (ms / 1000)));
    ctx.figure({ name: 'touchpoints.log rate', value: rate, unit: 'touchpoints/s', target: 250_000, higherIsBetter: true });
    ctx.info('total ingest time', ingest.ms / 1000, 's', `${(((ingest.ms * 1000) / ingest.count)).toFixed(2)} µs per touchpoint`);
    ctx.info(
      'rate per tenth: median',
      chunkRates.median,
      'touchpoints/s',
      `min ${Math.round(chunkRates.min).toLocaleString('en-US')}, max ${Math.round(chunkRates.max).toLocaleString('en-US')} (first→last: ${ingest.chunkMs
        .map((ms) => Math.round(ingest.chunk / ms))
        .join(' ')} k/s)`,
    );
    ctx.info('touchpoints via the zod path', ingest.viaExternalIds, 'touchpoints', 'inputs with externalIds, which the fast path leaves to zod');

    ctx.info('customers.create rate', customers.count / (customers.ms / 1000), 'customers/s', `${customers.count.toLocaleString('en-US')} in ${(customers.ms / 1000).toFixed(2)} s, not in the figure above`);

    ctx.figure({ name: 'heap after ingest', value: heap.after / GiB, unit: 'GiB', target: 1.5, higherIsBetter: false, note: `heapUsed after gc(), whole process: ${formatBytes(heap.after)}` });
    ctx.info('heap of the data', (heap.after - heap.before) / MiB, 'MiB', `${Math.round((heap.after - heap.before) / (ingest.count + customers.count))} bytes per record (customers + touchpoints)`);
    ctx.info('rss after ingest', heap.rss / MiB, 'MiB');
    ctx.info(
      'unshared summaries would add',
      heap.unsharedSummaryBytes / MiB,
      'MiB',
      `summaries come from a pool of 1,000 strings; as separate strings (e.g. from JSON) heap ≈ ${formatBytes(heap.after + heap.unsharedSummaryBytes)}`,
    );

    // What the input generation alone costs inside the timed loop (not subtracted from the figure).
    const inputs = touchpointInputs({ seed: 2, customerIds, heavyId });
    collectGarbage();
    let sink = 0;
    const start = now();
    for (let i = 0; i < ingest.count; i++) sink += inputs.next(i).channel.length;
    const genMs = now() - start;
    if (sink === 0) throw new Error('unreachable');
    ctx.info('input generation alone', (genMs * 1e6) / ingest.count, 'ns/touchpoint', `${((genMs / ingest.ms) * 100).toFixed(1)}% of the ingest time (included, not subtracted)`);
  },
});
