import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Not tsup's rollup tree-shaking pass: it strips module-level directives, and the output must
  // keep the entry's 'use client' so React Server Components frameworks see a client module
  // (esbuild keeps the entry's directive; it already drops what is unused).
  treeshake: false,
  // React is a peer (the app's one copy) and @crm/core a dependency: never bundle them.
  external: ['react', 'react-dom', 'react/jsx-runtime', '@crm/core'],
});
