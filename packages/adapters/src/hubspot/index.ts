/**
 * `@crm/adapters/hubspot`: HubSpot's HTTP client for adapters — its rate limits
 * ({@link HUBSPOT_LIMITS}), OAuth token refresh ({@link hubspotOAuth}), and the reading of its
 * errors and rate-limit headers — on the shared layer (`createRemoteHttp`: a bottleneck rate
 * limiter, retries, a daily-budget circuit, secrets redacted). The adapter mapping records to
 * HubSpot objects (`hubspotAdapter`) is not written yet.
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
export { createRateLimiter, minTimeFor, type RateLimits, type RateLimiter, type RateLimiterOptions, type RateLimitReading, type Budget } from '../http/limiter.js';
