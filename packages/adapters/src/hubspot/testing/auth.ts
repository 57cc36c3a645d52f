/** Bearer checks for static and OAuth tokens, and the OAuth token endpoints. */
import { type Json, MockHttpError, apiError } from './errors.js';
import type { Prng } from './prng.js';
import type { HubSpotMockOptions } from './types.js';

/** Who made a request. */
export interface Caller {
  kind: 'static' | 'oauth';
  token: string;
}

interface IssuedToken {
  expiresAt: number;
  refreshToken: string;
}

const HUB_ID = 20_260_301;
const SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.schemas.contacts.read',
  'oauth',
  'tickets',
  'sales-email-read',
];

/** Creates the auth state of a mock. */
export function createAuth(options: HubSpotMockOptions, now: () => number, prng: Prng) {
  const statics = new Set(options.accessTokens ?? ['pat-na1-mock-token']);
  const issued = new Map<string, IssuedToken>();
  const oauth = options.oauth;
  const lifetime = (oauth?.expiresInSeconds ?? 1800) * 1000;

  const tokenError = (status: string, message: string): MockHttpError =>
    new MockHttpError(400, { status, message, correlationId: prng.uuid() });

  return {
    /** Resolves the caller from an Authorization header, or throws 401. */
    authenticate(header: string | null): Caller {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      const token = match?.[1];
      if (token && statics.has(token)) return { kind: 'static', token };
      const oauthToken = token ? issued.get(token) : undefined;
      if (token && oauthToken) {
        const at = now();
        if (at >= oauthToken.expiresAt) {
          const ago = Math.floor((at - oauthToken.expiresAt) / 1000);
          throw apiError(401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${ago} second(s) ago.`, {
            context: { 'expire time': [new Date(oauthToken.expiresAt).toISOString()] },
          });
        }
        return { kind: 'oauth', token };
      }
      throw apiError(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
    },
    /** `POST /oauth/v1/token` and `/oauth/v3/token`. */
    async token(request: Request, version: 'v1' | 'v3'): Promise<Json> {
      const url = new URL(request.url);
      if (version === 'v3' && [...url.searchParams.keys()].length > 0) {
        throw tokenError(
          'BAD_REQUEST',
          'Parameters must be sent in the request body (application/x-www-form-urlencoded), not in the query string',
        );
      }
      const contentType = request.headers.get('content-type') ?? '';
      if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        throw tokenError('BAD_REQUEST', 'Content-Type must be application/x-www-form-urlencoded');
      }
      const form = new URLSearchParams(await request.text());
      const grant = form.get('grant_type');
      if (grant !== 'refresh_token') {
        if (grant === 'authorization_code') throw tokenError('BAD_AUTH_CODE', 'missing or unknown auth code');
        throw tokenError('BAD_GRANT_TYPE', `unsupported grant_type: ${grant ?? '(missing)'}`);
      }
      if (!oauth || form.get('client_id') !== oauth.clientId) throw tokenError('BAD_CLIENT_ID', 'missing or unknown client id');
      if (form.get('client_secret') !== oauth.clientSecret) throw tokenError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
      const refreshToken = form.get('refresh_token') ?? '';
      if (!oauth.refreshTokens.includes(refreshToken)) throw tokenError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
      const accessToken = `C${prng.string(3, 'JKLMNOP')}${prng.string(
        116,
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
      )}`;
      issued.set(accessToken, { expiresAt: now() + lifetime, refreshToken });
      return {
        token_type: 'bearer',
        access_token: accessToken,
        refresh_token: refreshToken,
        expires_in: lifetime / 1000,
        hub_id: HUB_ID,
        user_id: 1,
        scopes: SCOPES,
      };
    },
    /** Marks every issued OAuth access token as expired now. */
    expireAll(): void {
      const at = now();
      for (const t of issued.values()) t.expiresAt = Math.min(t.expiresAt, at);
    },
  };
}
