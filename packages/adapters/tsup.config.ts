import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'sql/index': 'src/sql/index.ts', 'rest/index': 'src/rest/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  // @crm/core is a dependency: the app's one copy must be shared (instanceof, events), never bundled.
  // The database drivers are optional peers, loaded only by the driver a user picks.
  external: ['@crm/core', 'ky', '@electric-sql/pglite', 'pg'],
});
