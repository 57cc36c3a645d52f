// `npm run check:packages`: lint what each package would publish, as a consumer would see it.
//
//   publint --strict   package.json fields and `exports` against the packed files (warnings fail)
//   attw --pack .      @arethetypeswrong/cli: do the types resolve, and agree with the JS, under
//                      node10, node16 (from CJS and from ESM) and bundler resolution?
//
//   npm pack         what the tarball holds: its packed and unpacked size against a budget, a
//                    README.md and a LICENSE, and source maps that point at the shipped `src/`
//                    rather than embedding the sources a second time (scripts/map-sources.mjs)
//
// All run from the package's folder with the local binaries, on the built `dist/` (run
// `npm run build` first). Prints one summary line per package, the full output of any check
// that failed, and exits 1 if any failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The most each tarball may weigh, in bytes. Measured for issue 12 on the same sources (commit
 * dae6c9c): with the sources in every map @crm/core was 888,966 packed / 3,644,728 unpacked;
 * with the maps pointing at `src/`, 585,324 / 2,429,163 (@crm/adapters 252,844 / 977,201,
 * @crm/react 3,834 / 12,704). With the signal lexicons added since, @crm/core is 700,1xx /
 * 3,058,2xx. With custom fields (issue 16: a seventh entry point, `@crm/core/fields`, and the
 * typed services, whose declarations each entry's `.d.ts` repeats), 802,8xx / 3,520,3xx; with
 * the hidden-complaint lexicons grown for issue 15 (about 1,600–2,000 terms per language and a
 * Traditional↔Simplified map of 1,170 pairs, each in the ESM and CommonJS builds and their
 * maps), 889,0xx / 4,000,6xx. @crm/adapters with the sync engine, its state on SQL and in
 * memory, and the HTTP layer for HubSpot (issue 13: two more entry points, `/sync` and `/hubspot`,
 * each a CommonJS bundle of its own, so the HTTP layer is in several): 462,4xx / 1,897,0xx; with
 * the HubSpot adapter, the HubSpot mock (`/hubspot/testing`, an entry point of its own) and the
 * `crm-sync` command (issue 13): 668,3xx / 2,750,3xx. The budgets leave some room to grow, not enough to embed the
 * sources again.
 */
const BUDGETS = {
  '@crm/core': { packed: 960_000, unpacked: 4_300_000 },
  '@crm/adapters': { packed: 740_000, unpacked: 3_050_000 },
  '@crm/react': { packed: 10_000, unpacked: 32_000 },
};

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** `npm pack --dry-run` of the package in `dir`: what it would publish, checked. */
function tarball(dir, name) {
  const run = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (run.status !== 0) return { name: 'npm pack', ok: false, args: ['--dry-run'], output: `${run.stdout ?? ''}${run.stderr ?? ''}`, summary: 'npm pack FAILED' };
  const [pack] = JSON.parse(run.stdout);
  const paths = new Set(pack.files.map((f) => f.path));
  const budget = BUDGETS[name];
  const problems = [];
  if (!budget) problems.push(`no size budget for ${name} in scripts/check-packages.mjs`);
  else {
    if (pack.size > budget.packed) problems.push(`packed ${kB(pack.size)} is over its budget of ${kB(budget.packed)}`);
    if (pack.unpackedSize > budget.unpacked) problems.push(`unpacked ${kB(pack.unpackedSize)} is over its budget of ${kB(budget.unpacked)}`);
  }
  for (const file of ['README.md', 'LICENSE']) if (!paths.has(file)) problems.push(`the tarball has no ${file}`);
  const embedding = pack.files
    .filter((f) => f.path.endsWith('.map'))
    .filter((f) => JSON.parse(readFileSync(join(dir, f.path), 'utf8')).sourcesContent !== undefined)
    .map((f) => f.path);
  if (embedding.length > 0) problems.push(`${embedding.length} source maps embed their sources, which ship in src/ already: ${embedding.slice(0, 5).join(', ')}`);
  const summary = `packed ${kB(pack.size)}${budget ? ` (budget ${kB(budget.packed)})` : ''}, unpacked ${kB(pack.unpackedSize)}${budget ? ` (budget ${kB(budget.unpacked)})` : ''}, ${pack.entryCount} files`;
  return { name: 'npm pack', ok: problems.length === 0, args: ['--dry-run'], output: problems.join('\n'), summary };
}

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const packages = ['core', 'react', 'adapters'];

const checks = [
  { name: 'publint', command: bin('publint'), args: ['--strict'] },
  // No --ignore-rules and the default ("strict") profile: every entry point must resolve under
  // node10 too (see the `typesVersions` of packages with subpaths).
  { name: 'attw', command: bin('attw'), args: ['--pack', '.', '--no-color', '--format', 'table-flipped'] },
];

let failed = 0;
for (const folder of packages) {
  const dir = join(root, 'packages', folder);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const label = manifest.name.padEnd(14);
  if (!existsSync(join(dir, 'dist'))) {
    console.log(`✗ ${label} no dist/ — run \`npm run build\` first`);
    failed++;
    continue;
  }
  const results = [];
  for (const check of checks) {
    const run = spawnSync(check.command, check.args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', npm_config_loglevel: 'error' },
    });
    const ok = run.status === 0;
    results.push({ ...check, ok, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}` });
  }
  const pack = tarball(dir, manifest.name);
  results.push(pack);
  const entrypoints = Object.keys(manifest.exports ?? { '.': null }).length;
  const allOk = results.every((r) => r.ok);
  if (!allOk) failed++;
  const verdicts = results.map((r) => `${r.name} ${r.ok ? 'ok' : 'FAILED'}`).join(', ');
  console.log(`${allOk ? '✓' : '✗'} ${label} ${verdicts} (${entrypoints} entry points); ${pack.summary}`);
  for (const r of results.filter((r) => !r.ok)) {
    console.log(`\n--- ${manifest.name}: ${r.name} ${r.args.join(' ')} ---\n${r.output.trim()}\n`);
  }
}

if (failed > 0) {
  console.error(`\ncheck:packages: ${failed} of ${packages.length} packages failed.`);
  process.exit(1);
}
console.log(`check:packages: all ${packages.length} packages pass publint --strict and attw --pack, within their size budgets.`);
