// Issue 13's fault runs at full size: 10,000 customers, 30,000 touchpoints and 100 complaints pushed
// through the HubSpot mock with 10 % 5xx, 5 % 429 and 2 % timeouts (half of the write faults after
// HubSpot applied the write), the sync process crashing at a random step of a random batch (one seed
// each), then resumed by a new process; and once with the crash at every step of one batch in turn.
// After each: HubSpot must hold exactly the local records, once each, associated with their
// contacts; the complaints with a priority the portal lacks must be reported, not block the rest;
// a pull into an empty store must bring back the same records.
//
//   npm run faults                 # seeds 1-3 and every step of batch 7
//   npm run faults -- --seeds 5    # seeds 1-5
//   npm run faults -- --small      # 300 customers, for a quick look
//
// The tests run the same scenario small (packages/adapters/src/__tests__/hubspot.faults.test.ts).
// Started by `node --import tsx --conditions=@crm/source` (package.json), so it runs the sources.

const args = process.argv.slice(2);
const small = args.includes('--small');
const seedsAt = args.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 3;
const customers = small ? 300 : 10_000;
const complaints = small ? 20 : 100;

const { runFaultScenario, PUSH_STEPS } = await import('../packages/adapters/src/__tests__/hubspotFaultRun.ts');

const runs = [
  ...Array.from({ length: seeds }, (_, i) => ({ label: `seed ${i + 1}, random crash`, seed: i + 1, crash: 'random' })),
  ...PUSH_STEPS.map((step) => ({ label: `crash at ${step}, batch 7`, seed: 100, crash: { step, batch: 7 } })),
];
let failed = 0;
for (const run of runs) {
  const result = await runFaultScenario({ seed: run.seed, customers, touchpointsEach: 3, complaints, crash: run.crash });
  const ok = result.problems.length === 0 && result.crashed;
  if (!ok) failed++;
  console.log(
    `${ok ? 'PASS' : 'FAIL'}  ${run.label.padEnd(36)} crashed at ${result.crashedAt.step} #${result.crashedAt.batch} (${result.crashed ? 'yes' : 'never reached'})  ` +
      `${result.requests} requests, ${result.faults} faults, ${result.rateLimited} 429s, ${result.rejected} rejected, ${result.rounds} rounds, ${(result.ms / 1000).toFixed(1)} s`,
  );
  for (const problem of result.problems) console.log(`      ${problem}`);
}
console.log(failed === 0 ? `\nAll ${runs.length} runs: HubSpot ends with exactly the local records.` : `\n${failed} of ${runs.length} runs FAILED.`);
process.exitCode = failed === 0 ? 0 : 1;
