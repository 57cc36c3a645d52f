/**
 * `@crm/adapters/hubspot`: HubSpot as a sync remote ({@link hubspotAdapter}: customers ↔
 * contacts, complaints ↔ tickets, touchpoints ↔ calls, emails, meetings and notes), and HubSpot's
 * HTTP client beneath it — its rate limits ({@link HUBSPOT_LIMITS}), OAuth token refresh
 * ({@link hubspotOAuth}), and the reading of its errors and rate-limit headers — on the shared
 * layer (`createRemoteHttp`: a bottleneck rate limiter, retries, a daily-budget circuit, secrets
 * redacted). docs/hubspot.md has the field mapping and what is guaranteed for which object.
 *
 * @packageDocumentation
 */
export {
  hubspotHttp,
  hubspotOAuth,
  hubspotClassify,
  hubspotRateLimitHeaders,
  HUBSPOT_LIMITS,
  HUBSPOT_BASE_URL,
  type HubSpotHttpOptions,
  type HubSpotOAuthOptions,
  type HubSpotOAuthCredentials,
} from './http.js';
export {
  createRemoteHttp,
  staticToken,
  defaultClassify,
  redactText,
  type RemoteHttp,
  type RemoteHttpOptions,
  type RemoteRequest,
  type RemoteResponse,
  type HttpStats,
  type HttpEvent,
  type AuthSource,
  type Classified,
} from '../http/remoteHttp.js';
export { createRateLimiter, type RateLimits, type RateLimiter, type RateLimiterOptions, type RateLimitReading, type Budget } from '../http/limiter.js';
export { hubspotAdapter, type HubSpotAdapter, type HubSpotAdapterOptions } from './adapter.js';
export {
  resolveMapping,
  textToHtml,
  htmlToText,
  CALL_DISPOSITIONS,
  ASSOCIATION_TYPES,
  DEFAULT_ID_PROPERTY,
  DETAIL_PROPERTY,
  ENGAGEMENT_TYPES,
  type HubSpotMappingOptions,
  type HubSpotFieldMapping,
  type ResolvedMapping,
  type EngagementType,
  type HubSpotObjectType,
} from './mapping.js';
