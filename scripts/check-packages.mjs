// `npm run check:packages`: lint what each package would publish, as a consumer would see it.
//
//   publint --strict   package.json fields and `exports` against the packed files (warnings fail)
//   attw --pack .      @arethetypeswrong/cli: do the types resolve, and agree with the JS, under
//                      node10, node16 (from CJS and from ESM) and bundler resolution?
//
// Both run from the package's folder with the local binaries, on the built `dist/` (run
// `npm run build` first). Prints one summary line per package, the full output of any check
// that failed, and exits 1 if any failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
  const entrypoints = Object.keys(manifest.exports ?? { '.': null }).length;
  const allOk = results.every((r) => r.ok);
  if (!allOk) failed++;
  const verdicts = results.map((r) => `${r.name} ${r.ok ? 'ok' : 'FAILED'}`).join(', ');
  console.log(`${allOk ? '✓' : '✗'} ${label} ${verdicts} (${entrypoints} entry points)`);
  for (const r of results.filter((r) => !r.ok)) {
    console.log(`\n--- ${manifest.name}: ${r.name} ${r.args.join(' ')} ---\n${r.output.trim()}\n`);
  }
}

if (failed > 0) {
  console.error(`\ncheck:packages: ${failed} of ${packages.length} packages failed.`);
  process.exit(1);
}
console.log(`check:packages: all ${packages.length} packages pass publint --strict and attw --pack.`);
