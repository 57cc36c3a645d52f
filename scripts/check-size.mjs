// `npm run check:size`: what `import { createCrm } from '@crm/core'` and
// `import { remoteCrm } from '@crm/adapters/rest'` cost an app, minified and gzipped, against a
// budget each. Bundles the BUILT ESM of the packages (run `npm run build` first) with their
// dependencies from node_modules, the way an app's bundler would, and exits 1 when one is over.
//
// 1 kB = 1000 bytes here.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The budget for `createCrm` and everything it pulls in, min+gzip, in bytes. 20 kB for the
 * foundation (customers, touchpoints, complaints, store, events), raised to 27.5 kB when the
 * business-hours calendar and SLA engine joined `createCrm({ slaPolicies })` (measured: +7.1 kB;
 * validating policies at `createCrm` keeps their schemas in the main bundle, so a subpath could
 * not have kept them out without changing the documented options), and to 30 kB for the
 * contact-frequency policy (`createCrm({ contactPolicy })`, `crm.contactPolicy.check` and its
 * enforcement in `touchpoints.log`: measured +1.7 kB, of which the store checks shared with the
 * SQL store had already taken the last 0.1 kB of the 27.5) and address freshness (returned
 * mail marking its address, `crm.customers.stale`: +0.4 kB), then to 36 kB for the rest of
 * issue 4 on `createCrm`: routing, complaint suggestions (the lexicons stay on `@crm/core/signals`),
 * `crm.health`, `crm.atRisk`, `crm.kpis` and `kpiTargets` (measured +6 kB, 35,601 B in all),
 * then to 37 kB for making those fast enough (per-customer score columns for `atRisk`, running
 * KPI totals, binary-searched policy windows, the SLA brief: +1.1 kB, 36,736 B in all).
 * Loading the analytics lazily (a chunk fetched on the first `crm.kpis` call) was tried and
 * measured: with the app's bundler splitting by file, it took 0.5 kB off what loads up front and
 * added 2.6 kB in all (two files compress worse than one), so it was not kept.
 * Then to 42 kB for issue 11 (the core every client stands on): events driven by the store's feed
 * (one shared subscription, events derived for writes made elsewhere), bulk writes, erasure,
 * deletes and the feed's retention in the memory store, and the middle floor without cycles
 * (one list-filter table, the SLA scheduler as a service): measured +4.8 kB, 41,486 B in all.
 * Then to 46.5 kB for issue 16 (custom fields): the declaration's checks (each with a message
 * naming the option), the validation of every write's fields through Standard Schema, the
 * fields filter in the store checks and the services, `crm.fields` (labels, audit) and
 * `setFields`: measured +4.4 kB, 45,880 B in all. This is a guard against regressions, not an
 * issue's target.
 */
const BUDGET_BYTES = 46_500;
const TOP_INPUTS = 10;

/**
 * The budget for `remoteCrm` (the `Crm` over the service API, for browsers) and everything it
 * pulls in, min+gzip, in bytes: 12 kB (issue 11). ky is about 5 kB of it. The client carries no
 * zod schemas and no server code (handler, routes, OpenAPI): it takes the error classes from
 * `@crm/core/errors` (the main entry would bring the schemas: +12.7 kB), and @crm/adapters
 * builds its ESM a file per module, so the `rest` entry's other modules are dropped (one bundle
 * per entry: 29.5 kB). Measured 11.6 kB, 11,602 B; `createCrm` paid 39 B for the errors entry.
 * Then 13.5 kB for issue 16 (custom fields): `crm.fields` from the declaration read without
 * checks (`@crm/core/fields`' catalog: the server validates; the checking registry would have
 * cost +3.1 kB), labels, the fields filter as a query parameter and `setFields`: measured
 * 12.9 kB, 12,916 B.
 */
const REMOTE_BUDGET_BYTES = 13_500;

const root = join(import.meta.dirname, '..');
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/**
 * Bundles `contents` as an app would and prints what it costs. `mustResolve` are the built
 * folders the bundle has to come from (else the measurement would be of something else).
 * Returns whether it is within `budget`.
 */
async function measure({ label, contents, budget, mustResolve }) {
  for (const folder of mustResolve) {
    if (!existsSync(join(root, folder))) {
      console.error(`check:size: ${folder} is missing — run \`npm run build\` first.`);
      process.exit(1);
    }
  }
  const result = await build({
    // Exported, so the function (and what it reaches) survives tree-shaking like in an app that calls it.
    stdin: { contents, resolveDir: root, sourcefile: 'size-entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // What an app's bundler resolves: the `import` branch of each `exports` map (never our
    // `@crm/source` condition, which points at TypeScript sources), `module`/`main` otherwise.
    conditions: ['import', 'module'],
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });

  const code = result.outputFiles[0].contents;
  const minBytes = code.byteLength;
  const gzipBytes = gzipSync(code, { level: 9 }).byteLength;
  const share = Math.round((gzipBytes / budget) * 100);

  // Where the bytes come from: each input's share of the minified output.
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path: path.replace(/^(\.\.\/)*/, ''), bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  for (const folder of mustResolve) {
    if (!inputs.some((i) => i.path.startsWith(`${folder}/`))) {
      console.error(`check:size: ${label} did not resolve to ${folder} — the measurement would be wrong.`);
      process.exit(1);
    }
  }

  console.log(`${label}: top ${TOP_INPUTS} of ${inputs.length} inputs by minified bytes in the bundle:`);
  for (const { path, bytes } of inputs.slice(0, TOP_INPUTS)) {
    console.log(`  ${String(bytes).padStart(7)} B  ${((bytes / minBytes) * 100).toFixed(1).padStart(5)}%  ${path}`);
  }
  const rest = inputs.slice(TOP_INPUTS).reduce((sum, i) => sum + i.bytes, 0);
  if (rest > 0)
    console.log(
      `  ${String(rest).padStart(7)} B  ${((rest / minBytes) * 100).toFixed(1).padStart(5)}%  (${inputs.length - TOP_INPUTS} more)`,
    );
  console.log(`\n${label}: ${kB(minBytes)} minified`);
  console.log(`${label}: ${kB(gzipBytes)} min+gzip, ${gzipBytes} B (budget ${kB(budget)}, ${share}% of budget)\n`);
  if (gzipBytes > budget) console.error(`check:size: ${label} is over budget by ${kB(gzipBytes - budget)}.`);
  return gzipBytes <= budget;
}

const results = [
  await measure({
    label: '@crm/core createCrm',
    contents: "export { createCrm as crm } from '@crm/core';",
    budget: BUDGET_BYTES,
    mustResolve: ['packages/core/dist'],
  }),
  await measure({
    label: '@crm/adapters/rest remoteCrm',
    contents: "export { remoteCrm as crm } from '@crm/adapters/rest';",
    budget: REMOTE_BUDGET_BYTES,
    mustResolve: ['packages/adapters/dist', 'packages/core/dist'],
  }),
];
if (results.includes(false)) process.exit(1);
