/**
 * `@crm/adapters`: stores and sync adapters for `@crm/core`. The root export holds what every
 * remote shares — the HTTP retry policy and {@link CrmRemoteError}; each adapter will live on
 * its own subpath (`/rest`, `/sql`, `/hubspot`, `/salesforce`, `/sync`).
 *
 * @packageDocumentation
 */
export {
  isRetryableStatus,
  isIdempotentMethod,
  parseRetryAfter,
  retryDelay,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_MS,
  type RetryDelayOptions,
} from './http/retryPolicy.js';
export {
  withRetry,
  createRetryer,
  retryable,
  RetryableFailure,
  type RetryPolicy,
  type RetryEvent,
  type WithRetryOptions,
} from './http/retry.js';
export { CrmRemoteError } from '@crm/core';
export {
  remoteFields,
  toRemoteValue,
  fromRemoteValue,
  toRemoteProperties,
  fromRemoteProperties,
  hubspotPropertyDefinition,
  salesforceFieldDefinition,
  type RemoteSystem,
  type RemoteField,
  type RemoteValue,
} from './fields/remote.js';
