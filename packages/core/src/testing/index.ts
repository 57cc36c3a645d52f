/**
 * `@crm/core/testing`: what every store implementation and every app test needs — the store
 * contract suite and a manual clock.
 *
 * @packageDocumentation
 */
export { manualClock, type ManualClock } from '../clock/clock.js';
