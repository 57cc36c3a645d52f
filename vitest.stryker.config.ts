import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The test run Stryker uses (`npm run mutate`, see stryker.config.mjs): the root config without
 * the type tests (`*.test-d.ts`, no code to mutate) and without the README/docs, packaging and
 * React tests, which exercise none of the mutated modules.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['packages/core/src/**/__tests__/**/*.test.ts', 'packages/adapters/src/**/__tests__/**/*.test.ts'],
      typecheck: { enabled: false },
    },
  }),
);
