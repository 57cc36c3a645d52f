// @ts-check
/**
 * Mutation testing of the modules that decide correctness: `npm run mutate` (all modules, one
 * Stryker run each) or `npm run mutate -- sla` (one module). See scripts/mutate.mjs and
 * docs/mutation.md. `npx stryker run` alone runs every module at once.
 *
 * Runs are incremental: each module keeps its results in reports/stryker-incremental-<module>.json
 * (gitignored), so a rerun tests only the mutants in changed code, or covered by changed tests.
 */

/** The modules, by name: the files mutated. */
export const MODULES = {
  calendar: ['packages/core/src/calendar/**/*.ts'],
  sla: ['packages/core/src/sla/**/*.ts'],
  stores: ['packages/core/src/store/memoryStore.ts', 'packages/adapters/src/sql/sqlStore.ts'],
  policy: ['packages/core/src/policy/**/*.ts'],
  complaints: ['packages/core/src/services/complaints.ts'],
  rest: ['packages/adapters/src/rest/handler.ts', 'packages/adapters/src/rest/routes.ts'],
};

// scripts/mutate.mjs sets STRYKER_MODULE to run one module.
const module = process.env.STRYKER_MODULE;
if (module !== undefined && !(module in MODULES)) throw new Error(`stryker.config.mjs: no module "${module}"`);
const name = module ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: {
    configFile: 'vitest.stryker.config.ts',
    // Run only the test files that import the mutated file (through relative imports: the
    // adapters' `@crm/core` resolves to the original tree, outside Stryker's sandbox, so a core
    // mutant is killed by core's tests and an adapters mutant by the adapters' tests).
    related: true,
  },
  mutate: module ? MODULES[module] : Object.values(MODULES).flat(),
  coverageAnalysis: 'perTest',
  // Static mutants (in code run when a module loads: the route table, constants) would each need
  // every related test file run again, without per-test coverage: ~90% of the time for ~2/3 of
  // the REST mutants, mostly OpenAPI description strings. They are left out (reported as Ignored).
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['json', 'html', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  concurrency: 2,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // Leave out what the tests don't need in the sandbox.
  ignorePatterns: ['reports', 'coverage', 'docs/api', 'tests/.readme', 'examples/.crm-data', '**/*.tsbuildinfo'],
  thresholds: { high: 90, low: 80, break: null },
};
