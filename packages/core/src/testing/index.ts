/**
 * `@crm/core/testing`: what every store implementation and every app test needs — the store
 * contract suite, builders of valid records, and a manual clock.
 *
 * Loaded only inside test runs: the contract suite imports `vitest` (an optional peer dependency).
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
  type ContractFeature,
  type ActivityFields,
} from './contractSuite.js';
