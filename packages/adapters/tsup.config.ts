import { defineConfig, type Options } from 'tsup';

/** The entry points of the package (its `exports`). */
const entry = {
  index: 'src/index.ts',
  'sql/index': 'src/sql/index.ts',
  'rest/index': 'src/rest/index.ts',
  'sync/index': 'src/sync/index.ts',
  'hubspot/index': 'src/hubspot/index.ts',
  'hubspot/testing/index': 'src/hubspot/testing/index.ts',
};
const common: Options = {
  sourcemap: true,
  target: 'es2022',
  // @crm/core is a dependency: the app's one copy must be shared (instanceof, events), never bundled.
  // The database drivers are optional peers, loaded only by the driver a user picks.
  external: ['@crm/core', 'ky', '@electric-sql/pglite', 'pg', 'msw', 'bottleneck', 'cli-progress', 'eventemitter3'],
};

// Two builds, run at once, each cleaning only its own files:
// - CommonJS: one bundle per entry point, with its `.d.cts`;
// - ESM: a file per source module (shared code split out), with the `.d.ts` of the entry points,
//   so an app's bundler keeps only the modules it reaches. One bundle per entry can't be
//   tree-shaken module by module (its route tables and zod schemas are top-level calls):
//   `import { remoteCrm } from '@crm/adapters/rest'` in a browser would take the handlers, the
//   OpenAPI document and zod along (budget in scripts/check-size.mjs).
export default defineConfig([
  { ...common, entry, format: ['cjs'], dts: true, treeshake: true, clean: ['!**/*.js', '!**/*.js.map', '!**/*.d.ts'] },
  {
    ...common,
    entry: ['src/**/*.ts', '!src/**/__tests__/**'],
    format: ['esm'],
    splitting: true,
    treeshake: true,
    dts: { entry },
    clean: ['!**/*.cjs', '!**/*.cjs.map', '!**/*.d.cts'],
  },
]);
