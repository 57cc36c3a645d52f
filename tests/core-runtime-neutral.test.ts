/**
 * The BUILT @crm/core runs anywhere — browsers, Node ≥ 20, edge runtimes — so it must import
 * nothing from React, the DOM or Node's built-ins. This bundles `packages/core/dist/index.js`
 * (everything it exports) the way a neutral-platform bundler would and checks what went in and
 * what came out. It reads the build, not the sources: run `npm run build` first.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const entry = join(root, 'packages', 'core', 'dist', 'index.js');
const allowed = ['packages/core/', 'node_modules/zod/', 'node_modules/eventemitter3/'];

/**
 * Anything a neutral bundler cannot resolve (a Node built-in, react, a DOM shim…) is kept as an
 * external import instead of failing the build, so the metafile lists it and the test names it.
 */
const recordUnresolvable: Plugin = {
  name: 'record-unresolvable',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      return resolved.errors.length > 0 ? { path: args.path, external: true } : resolved;
    });
  },
};

let bundled: Promise<{ text: string; metafile: Metafile }> | undefined;
function bundleCore() {
  bundled ??= (async () => {
    if (!existsSync(entry)) {
      throw new Error(
        'packages/core/dist/index.js is missing: run `npm run build` first (this test checks the built package, not the sources).',
      );
    }
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      // What an app's bundler picks: the ESM branch of each `exports` map, never `@crm/source`.
      conditions: ['import', 'module'],
      mainFields: ['module', 'main'],
      plugins: [recordUnresolvable],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return { text: result.outputFiles[0]!.text, metafile: result.metafile };
  })();
  return bundled;
}

describe('the built @crm/core is runtime-neutral', () => {
  it('bundles only files from packages/core, zod and eventemitter3', async () => {
    const { metafile } = await bundleCore();
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('packages/core/dist/index.js');
    expect(inputs.some((p) => p.startsWith('node_modules/zod/'))).toBe(true);
    expect(inputs.some((p) => p.startsWith('node_modules/eventemitter3/'))).toBe(true);
    expect(inputs.filter((p) => !allowed.some((dir) => p.startsWith(dir)))).toEqual([]);
  });

  it('leaves no import unresolved or external (no node:, react, DOM shims)', async () => {
    const { metafile } = await bundleCore();
    const imports = Object.entries(metafile.inputs).flatMap(([from, input]) => input.imports.map((i) => ({ from, ...i })));
    expect(imports.filter((i) => i.external).map((i) => `${i.from} imports ${i.path}`)).toEqual([]);
    expect(imports.filter((i) => !allowed.some((dir) => i.path.startsWith(dir))).map((i) => `${i.from} imports ${i.path}`)).toEqual([]);
  });

  it('mentions no node: specifier and requires no built-in', async () => {
    const { text } = await bundleCore();
    expect(text.match(/["'`]node:[\w/]+/g) ?? []).toEqual([]);
    const builtins = builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/[/]/g, '\\/'));
    const builtinRequire = new RegExp(`\\brequire\\(\\s*["'\`](?:node:)?(?:${builtins.join('|')})["'\`]\\s*\\)`, 'g');
    expect(text.match(builtinRequire) ?? []).toEqual([]);
    expect(text.match(/\bfrom\s*["'](?:react|react-dom)(?:\/[^"']*)?["']/g) ?? []).toEqual([]);
  });

  it('touches no document or window', async () => {
    const { text } = await bundleCore();
    expect(text.match(/\b(?:document|window)\s*(?:\.|\[)/g) ?? []).toEqual([]);
  });
});
