/**
 * `@crm/core/testing` as users install it: the BUILT entry (ESM and CommonJS) must load with no
 * test runner installed — `manualClock` and the record builders need none — and the contract
 * suite must say what to install, or take the runner's functions. vitest is made unresolvable in
 * a child process. It reads the build, not the sources: run `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'packages', 'core', 'dist', 'testing');

/** Runs `code` in Node with `vitest` unresolvable from anywhere; returns what it printed. */
function withoutVitest(code: string, type: 'module' | 'commonjs'): string {
  const dir = mkdtempSync(join(tmpdir(), 'crm-no-vitest-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
  if (specifier === 'vitest' || specifier.startsWith('vitest/')) throw Object.assign(new Error("Cannot find package 'vitest'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}\n`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'hooks.mjs')}`)});\n`);
  writeFileSync(
    join(dir, 'block.cjs'),
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vitest' || request.startsWith('vitest/')) throw Object.assign(new Error("Cannot find module 'vitest'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};\n`,
  );
  return execFileSync(
    process.execPath,
    ['--import', join(dir, 'register.mjs'), '--require', join(dir, 'block.cjs'), `--input-type=${type}`, '-e', code],
    { cwd: root, encoding: 'utf8', timeout: 30_000 },
  );
}

describe('@crm/core/testing without vitest (the build)', () => {
  it('is built', () => expect(existsSync(join(dist, 'index.js')) && existsSync(join(dist, 'index.cjs')), 'run npm run build first').toBe(true));

  it('has no top-level import of vitest in either format', () => {
    for (const file of ['index.js', 'index.cjs']) {
      const text = readFileSync(join(dist, file), 'utf8');
      expect(text, file).not.toMatch(/^import [^;]*['"]vitest['"]|require\(['"]vitest['"]\)/m);
    }
  });

  it('loads in ESM: manualClock and the builders work, and the suite asks for vitest or a runner', () => {
    const out = withoutVitest(
      `const t = await import('@crm/core/testing');
const clock = t.manualClock('2026-01-05T10:00:00.000Z');
clock.advance(60_000);
console.log(new Date(clock.now()).toISOString(), t.makeCustomer().kind);
await t.describeStoreContract('x', () => { throw new Error('never made'); }).catch((e) => console.log(e.message));
const seen = [];
const it = (name) => seen.push(name);
it.skip = () => {};
await t.describeStoreContract('x', () => { throw new Error('never made'); }, { runner: { describe: (_, body) => body(), it, expect: () => ({}), beforeEach() {}, afterEach() {} } });
console.log(seen.length > 50);`,
      'module',
    );
    expect(out).toContain('2026-01-05T10:01:00.000Z customer');
    expect(out).toContain('describeStoreContract: install vitest (npm i -D vitest), or pass `options.runner`');
    expect(out).toContain('true');
  });

  it('loads in CommonJS too', () => {
    const out = withoutVitest(
      `const t = require('@crm/core/testing');
const clock = t.manualClock('2026-01-05T10:00:00.000Z');
console.log(new Date(clock.now()).toISOString(), typeof t.describeStoreContract);`,
      'commonjs',
    );
    expect(out).toContain('2026-01-05T10:00:00.000Z function');
  });
});
