/**
 * `@crm/core/testing`: what every store implementation and every app test needs — the store
 * contract suite, builders of valid records, and a manual clock.
 *
 * Loads without a test runner (`manualClock` and the record builders need none): the contract
 * suite imports `vitest` (an optional peer dependency) only when it is called, unless it is given
 * the runner's functions (`options.runner`).
 *
 * @packageDocumentation
 */
export { manualClock, type ManualClock } from '../clock/clock.js';
export {
  describeStoreContract,
  makeCustomer,
  makeTouchpoint,
  makeComplaint,
  makeActivity,
  nextVersion,
  createOp,
  updateOp,
  newId,
  contractTime,
  CONTRACT_EPOCH,
  type StoreFactory,
  type StoreSetup,
  type StoreContractOptions,
  type ContractRunner,
  type ContractFeature,
  type ActivityFields,
} from './contractSuite.js';
