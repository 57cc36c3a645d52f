// Runs the benchmarks: every `*.bench.mjs` here, or those whose names contain a CLI argument
// (`npm run bench -- history`). Prints each figure against its target and a summary, and writes
// the results to results/latest.json. Exits 0 even when targets are missed; 1 only when a bench
// throws (a wrong answer or a crash).

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runBenches } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));

const files = readdirSync(here).filter((f) => f.endsWith('.bench.mjs'));
const benches = [];
for (const file of files) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  if (!mod.default?.run) throw new Error(`${file}: expected \`export default defineBench({ … })\``);
  benches.push(mod.default);
}

const { ok } = await runBenches(benches, { filters, resultsFile: join(here, 'results', 'latest.json') });
process.exitCode = ok ? 0 : 1;
