import { defineConfig } from 'tsup';

// `errors/index` and `fields/index`: the error classes alone (and the custom-field registry), for clients that must not carry the schemas (remoteCrm
// of @crm/adapters). In ESM it shares its chunk with the main entry (one class per error); its
// `require` branch in package.json is the main CommonJS entry, for the same reason.
export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'signals/index': 'src/signals/index.ts', 'store/index': 'src/store/index.ts', 'errors/index': 'src/errors/index.ts', 'fields/index': 'src/fields/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  external: ['vitest'],
});
