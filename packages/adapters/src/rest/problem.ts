import { safeJson, textResponse } from './json.js';
import { isCrmError, type CrmConflictError, type CrmError, type ValidationIssue } from '@crm/core';

/**
 * The `type` of every problem the REST handler answers with. URNs rather than made-up web
 * addresses: they identify the kind of problem and are stable across versions (RFC 9457 §3.1.1).
 */
export const PROBLEM_TYPES = {
  validation: 'urn:crm:problem:validation',
  unauthorized: 'urn:crm:problem:unauthorized',
  forbidden: 'urn:crm:problem:forbidden',
  notFound: 'urn:crm:problem:not-found',
  unknownRoute: 'urn:crm:problem:unknown-route',
  methodNotAllowed: 'urn:crm:problem:method-not-allowed',
  conflict: 'urn:crm:problem:conflict',
  policy: 'urn:crm:problem:policy',
  tooLarge: 'urn:crm:problem:body-too-large',
  unsupportedMediaType: 'urn:crm:problem:unsupported-media-type',
  remote: 'urn:crm:problem:upstream',
  feedExpired: 'urn:crm:problem:feed-expired',
  internal: 'urn:crm:problem:internal',
} as const;

/** One kind of problem: its `type`. */
export type ProblemType = (typeof PROBLEM_TYPES)[keyof typeof PROBLEM_TYPES];

/**
 * An RFC 9457 problem details object, as the REST handler sends it with
 * `Content-Type: application/problem+json`. Extension members carry what a client needs to act:
 * `code` (the `CrmError` code), `issues` for validation problems, the versions for conflicts.
 */
export interface Problem {
  type: ProblemType | (string & {});
  /** A short summary of the kind of problem; the same for every occurrence of a `type`. */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** What went wrong this time, for people. Never holds rejected input values. */
  detail?: string;
  /** The request path the problem occurred on. */
  instance?: string;
  /** The stable `CrmError` code (`VALIDATION`, `CONFLICT`, `NOT_FOUND`, …). */
  code?: string;
  /** Validation problems: one entry per bad field. */
  issues?: ValidationIssue[];
  /** Conflicts and missing records: the kind of record (`customer`, …). */
  entity?: string;
  /** Conflicts: the record's id. */
  id?: string;
  /** Conflicts: the version the write expected, `null` for a create. */
  expectedVersion?: number | null;
  /** Conflicts: the version stored (0 when the record does not exist). */
  currentVersion?: number;
  /** Policy problems: the rule that blocked the action. */
  rule?: string;
  /** Policy problems: the earliest instant the action would be allowed (ISO 8601), or `null` for never. */
  allowedAt?: string | null;
  /** Expired feed positions: the `since` asked for, the oldest one answered, and the newest change. */
  since?: number;
  horizon?: number;
  lastSeq?: number;
}

const TITLES: Record<string, string> = {
  [PROBLEM_TYPES.validation]: 'The request is not valid',
  [PROBLEM_TYPES.unauthorized]: 'Not authenticated',
  [PROBLEM_TYPES.forbidden]: 'Not allowed',
  [PROBLEM_TYPES.notFound]: 'No such record',
  [PROBLEM_TYPES.unknownRoute]: 'No such route',
  [PROBLEM_TYPES.methodNotAllowed]: 'Method not allowed',
  [PROBLEM_TYPES.conflict]: 'Version conflict',
  [PROBLEM_TYPES.policy]: 'Blocked by a policy',
  [PROBLEM_TYPES.tooLarge]: 'Request body too large',
  [PROBLEM_TYPES.unsupportedMediaType]: 'Unsupported media type',
  [PROBLEM_TYPES.remote]: 'An upstream service failed',
  [PROBLEM_TYPES.feedExpired]: 'The change feed no longer holds these changes',
  [PROBLEM_TYPES.internal]: 'Internal server error',
};

/** A problem of a given type, its title filled in. */
export function problem(type: ProblemType, status: number, fields: Omit<Problem, 'type' | 'title' | 'status'> = {}): Problem {
  return { type, title: TITLES[type] ?? 'Error', status, ...fields };
}

/** Headers every response of the handler carries. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A `Response` carrying `problem` as `application/problem+json`. */
export function problemResponse(body: Problem, headers: Record<string, string> = {}): Response {
  return textResponse(safeJson(body), {
    status: body.status,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/problem+json', ...headers },
  });
}

/** Thrown inside the handler to answer with a given problem (a 413, a 415, …). */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(body: Problem, headers: Record<string, string> = {}) {
    super(body.detail ?? body.title);
    this.name = 'ProblemError';
    this.problem = body;
    this.headers = headers;
  }
}

/**
 * The problem for an error thrown while serving a request, or `null` for an unexpected error (the
 * caller logs it and answers 500 without details). `CrmError`s are matched by code, so errors from
 * another copy of `@crm/core` map too.
 */
export function problemOf(error: unknown, instance: string): Problem | null {
  if (error instanceof ProblemError) return { ...error.problem, instance };
  if (!isCrmError(error)) return null;
  const crm = error as CrmError & Record<string, unknown>;
  switch (crm.code) {
    case 'VALIDATION':
      return problem(PROBLEM_TYPES.validation, 400, {
        detail: crm.message,
        instance,
        code: crm.code,
        issues: (crm.issues as ValidationIssue[]).map(({ path, field, code, message }) => ({ path: [...path], field, code, message })),
      });
    case 'CONFLICT': {
      const conflict = error as CrmConflictError;
      return problem(PROBLEM_TYPES.conflict, 409, {
        detail: conflict.message,
        instance,
        code: crm.code,
        entity: conflict.entity,
        id: conflict.id,
        expectedVersion: conflict.expectedVersion,
        currentVersion: conflict.currentVersion,
      });
    }
    case 'NOT_FOUND':
      return problem(PROBLEM_TYPES.notFound, 404, {
        detail: crm.message,
        instance,
        code: crm.code,
        entity: String(crm.entity),
        ...(typeof crm.id === 'string' ? { id: crm.id } : {}),
      });
    case 'POLICY':
      return problem(PROBLEM_TYPES.policy, 422, {
        detail: crm.message,
        instance,
        code: crm.code,
        rule: String(crm.rule),
        ...(crm.allowedAt instanceof Date ? { allowedAt: crm.allowedAt.toISOString() } : { allowedAt: null }),
      });
    case 'FORBIDDEN':
      return problem(PROBLEM_TYPES.forbidden, 403, { detail: crm.message, instance, code: crm.code });
    case 'FEED_EXPIRED':
      return problem(PROBLEM_TYPES.feedExpired, 410, {
        detail: crm.message,
        instance,
        code: crm.code,
        since: Number(crm.since),
        horizon: Number(crm.horizon),
        lastSeq: Number(crm.lastSeq),
      });
    case 'REMOTE':
      // A store that is itself remote failed: say so, without its internals.
      return problem(PROBLEM_TYPES.remote, 502, { detail: 'The store behind this API did not answer as expected', instance, code: crm.code });
    default:
      return null;
  }
}
