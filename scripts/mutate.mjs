#!/usr/bin/env node
/**
 * Mutation testing of the modules that decide correctness (stryker.config.mjs), then the score
 * per module.
 *
 *   npm run mutate               every module, one Stryker run each
 *   npm run mutate -- sla rest   only these modules
 *   npm run mutate -- --report   no run: print the scores of the last runs
 *
 * Each run is incremental (reports/stryker-incremental-<module>.json): only mutants in code or
 * tests changed since the module's last run are tested again. The reports of every module run
 * so far are merged into reports/mutation/mutation.json (mutation-testing-report-schema), and
 * printed as `module  killed/total  score%`, with the mutants that survived.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { MODULES } = await import(join(root, 'stryker.config.mjs'));
const names = Object.keys(MODULES);

const args = process.argv.slice(2);
const reportOnly = args.includes('--report');
const asked = args.filter((a) => !a.startsWith('--'));
for (const name of asked) {
  if (!names.includes(name)) {
    console.error(`mutate: no module "${name}"; the modules are: ${names.join(', ')}`);
    process.exit(2);
  }
}
const selected = asked.length ? asked : names;

const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`;
let failed = false;
if (!reportOnly) {
  const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  for (const name of selected) {
    console.log(`\n==> stryker: ${name} (${MODULES[name].join(', ')})`);
    const started = Date.now();
    const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, STRYKER_MODULE: name },
    });
    console.log(`==> ${name}: ${run.status === 0 ? 'done' : `stryker exited with ${run.status ?? run.signal}`} in ${minutes(Date.now() - started)}`);
    if (run.status !== 0) failed = true;
  }
}

// The files of every module's last report, merged.
const reportDir = join(root, 'reports', 'mutation');
let schemaVersion = '2';
const files = {};
for (const name of names) {
  const path = join(reportDir, `${name}.json`);
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  schemaVersion = report.schemaVersion ?? schemaVersion;
  Object.assign(files, report.files);
}
mkdirSync(reportDir, { recursive: true });
writeFileSync(join(reportDir, 'mutation.json'), JSON.stringify({ schemaVersion, thresholds: { high: 90, low: 80 }, files }));

/** A glob of stryker.config.mjs (`**`, `*`) as a regular expression on a repository path. */
const globRegex = (glob) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(?:.*/)?').replace(/\*/g, '[^/]*')}$`);
const moduleOf = (file) => names.find((name) => MODULES[name].some((glob) => globRegex(glob).test(file)));

// Stryker's score: detected (killed or timed out) over valid mutants (not compile or runtime errors, not ignored).
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = new Map(names.map((name) => [name, { killed: 0, total: 0, survivors: [] }]));
for (const [file, { mutants }] of Object.entries(files)) {
  const row = rows.get(moduleOf(file.replace(/\\/g, '/')) ?? '');
  if (!row) continue;
  for (const m of mutants) {
    if (DETECTED.has(m.status)) row.killed++;
    else if (!UNDETECTED.has(m.status)) continue;
    row.total++;
    if (UNDETECTED.has(m.status)) {
      const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
      row.survivors.push(`${m.status === 'NoCoverage' ? 'no coverage' : 'survived'}  ${where}  ${m.mutatorName}${m.replacement ? `: ${m.replacement.replace(/\s+/g, ' ').slice(0, 100)}` : ''}`);
    }
  }
}

console.log('\nmodule       killed/total  score');
for (const [name, { killed, total }] of rows) {
  const score = total ? `${((100 * killed) / total).toFixed(1)}%` : 'not run';
  console.log(`${name.padEnd(12)} ${`${killed}/${total}`.padStart(12)}  ${score}`);
}
const survivors = [...rows].filter(([name, row]) => selected.includes(name) && row.survivors.length);
if (survivors.length) {
  console.log('\nMutants not killed (see docs/mutation.md for the ones accepted as equivalent):');
  for (const [name, row] of survivors) for (const line of row.survivors) console.log(`${name.padEnd(12)} ${line}`);
}
console.log(`\nReport: reports/mutation/mutation.json (HTML per module: reports/mutation/<module>.html)`);
process.exit(failed ? 1 : 0);
