/** Options of {@link createHubSpotMock}. Every field is optional. */
export interface HubSpotMockOptions {
  /**
   * Origin the handlers answer on.
   * @default 'https://api.hubapi.com'
   */
  baseUrl?: string;
  /**
   * Static private-app tokens accepted as `Authorization: Bearer <token>`.
   * @default ['pat-na1-mock-token']
   */
  accessTokens?: string[];
  /** OAuth app: the client credentials and refresh tokens the token endpoints accept. */
  oauth?: {
    clientId: string;
    clientSecret: string;
    refreshTokens: string[];
    /** Lifetime of issued access tokens. @default 1800 */
    expiresInSeconds?: number;
  };
  /** Rate limits, or `false` for none. */
  rateLimit?: false | HubSpotRateLimitOptions;
  /**
   * How long after a write the search index shows it (a fixed value or a seeded range).
   * @default { min: 500, max: 2000 }
   */
  searchLagMs?: number | { min: number; max: number };
  /** Most results one search query can page through. @default 10000 */
  searchCap?: number;
  /** Most inputs per object batch request. @default 100 */
  maxBatch?: number;
  /**
   * Object types where a custom property may have `hasUniqueValue: true`.
   * @default ['contacts', 'companies', 'tickets']
   */
  uniqueCapable?: string[];
  /** Seed of every random choice (ids, result order, lag, faults, tokens). @default 1 */
  seed?: number;
  /** Keep each request's and response's JSON body in {@link HubSpotMock.log} (turn off for big runs: they hold every record sent). @default true */
  logBodies?: boolean;
  /** Injected failures. */
  faults?: HubSpotFaults;
  /** The clock in ms, for timestamps, token expiry, search lag and rate windows. @default Date.now */
  now?: () => number;
}

/** Rate limit settings (HubSpot's private-app Free/Starter limits by default). */
export interface HubSpotRateLimitOptions {
  /** Requests per rolling window (per app, all tokens together). @default 100 */
  max?: number;
  /** Window length in ms. @default 10000 */
  intervalMs?: number;
  /** Requests per UTC day. @default 250000 */
  daily?: number;
  /** Search requests per rolling second. @default 5 */
  searchPerSecond?: number;
  /** Send `Retry-After` (seconds) on 429s; HubSpot documents none. @default false */
  retryAfter?: boolean;
}

/** Probabilities (0..1) of injected failures, drawn from the seeded PRNG. */
export interface HubSpotFaults {
  /** A 500/502/503/504 with a HubSpot-style body. */
  serverError?: number;
  /** A spurious 429 `TEN_SECONDLY_ROLLING`. */
  rateLimited?: number;
  /** A 423 Locked. */
  locked?: number;
  /** The request hangs `timeoutMs`, then fails as a network error. */
  timeout?: number;
  /** @default 30000 */
  timeoutMs?: number;
  /** For writes: the fraction of 5xx/timeout faults that strike after the write was applied. @default 0.5 */
  afterCommit?: number;
  /** Which requests faults apply to. @default every request but the token endpoints */
  match?: (req: { method: string; path: string }) => boolean;
}

/** A stored CRM record, as the mock holds it. */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** One handled request. */
export interface HubSpotMockLogEntry {
  method: string;
  /** The path below `baseUrl`, without the query string. */
  path: string;
  /** 0 while a hanging request is pending and for simulated network errors. */
  status: number;
  /** Arrival time on the mock's clock. */
  at: number;
  /** The route template, e.g. `POST /crm/v3/objects/:type/batch/create` (`unmatched` for unknown paths). */
  route?: string;
  /** The full request URL, query string included. */
  url?: string;
  /** The request's JSON body, when the route read one (with `logBodies`, the default). */
  requestBody?: unknown;
  /** The response's JSON body (with `logBodies`, the default); absent for network errors. */
  responseBody?: unknown;
  /** The resolved object type of object routes (`contacts`, …). */
  objectType?: string;
  /** `inputs.length` of batch bodies. */
  inputs?: number;
  /** The injected fault: `serverError`, `locked`, `rateLimited`, `timeout`, with `:afterCommit` when the write was applied. */
  fault?: string;
  /** The 429 policy: `TEN_SECONDLY_ROLLING`, `DAILY` or `SECONDLY`. */
  policy?: string;
}

/** Counters over {@link HubSpotMock.log}. */
export interface HubSpotMockStats {
  requests: number;
  byStatus: Record<string, number>;
  rateLimited: number;
  searches: number;
  byRoute: Record<string, number>;
}

/** An association to seed with {@link HubSpotMock.create}. */
export interface HubSpotSeedAssociation {
  toType: string;
  toId: string;
  typeId: number;
}
