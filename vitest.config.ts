import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Resolve sibling workspaces to their TypeScript sources, so tests need no build.
    conditions: ['@crm/source'],
  },
  // Tests run in Vite's server (SSR) environment, which resolves with its own conditions.
  ssr: { resolve: { conditions: ['@crm/source'], externalConditions: ['@crm/source'] } },
  test: {
    include: ['packages/*/src/**/__tests__/**/*.test.ts', 'packages/*/src/**/__tests__/**/*.test.tsx', 'tests/**/*.test.ts'],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/__tests__/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    testTimeout: 20_000,
  },
});
