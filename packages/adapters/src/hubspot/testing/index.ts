/**
 * An msw mock of HubSpot's CRM API for tests: objects v3 (list, read, create, update, archive,
 * batch read/create/update/upsert/archive, search), the property catalogue, ticket pipelines,
 * associations v4 and the OAuth token endpoints, with HubSpot's limits, search lag and failures.
 * It follows `shared/reference/hubspot.md` and `sync-patterns.md` §1.
 *
 * Choices where the reference is silent or unconfirmed (keep them in mind when a test relies on one):
 * - Request order: bearer check (401), then rate limits (429, the request is not run), then faults, then the route.
 *   401s carry no rate headers. Unknown paths under `baseUrl` answer 404 and are logged as `unmatched`.
 * - Unique values (contact `email`, custom `hasUniqueValue` properties) compare trimmed and case-insensitively;
 *   archived records do not hold them.
 * - Search sees each record version `searchLagMs` after its write; seed data from `create()`/`update()`
 *   lags too. Archives leave search at once; `associations.*` filters use current associations.
 * - v4 `batch/read` lists ids with no associations as 207 errors (`crm.associations.NO_ASSOCIATIONS_FOUND`).
 * - v4 responses carry `toObjectId`/`fromObjectId` as numbers (as in HubSpot's examples).
 * - Read-only properties (`hs_object_id`, the last-modified dates, `hs_createdate`) are rejected on write
 *   (`READ_ONLY_VALUE`); missing required properties are `REQUIRED_FIELD`.
 * - The daily counter resets at midnight UTC; search does not count toward it.
 * - Not modelled: merge, GDPR delete, `authorization_code` grants, scopes (403), 477, custom objects,
 *   deals, custom association labels, `propertiesWithHistory` beyond values set through the mock.
 * @packageDocumentation
 */
export { createHubSpotMock, type HubSpotMock } from './mock.js';
export type {
  HubSpotFaults,
  HubSpotMockLogEntry,
  HubSpotMockOptions,
  HubSpotMockStats,
  HubSpotObject,
  HubSpotRateLimitOptions,
  HubSpotSeedAssociation,
} from './types.js';
