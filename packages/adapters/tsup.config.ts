import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  // @crm/core is a dependency: the app's one copy must be shared (instanceof, events), never bundled.
  external: ['@crm/core'],
});
