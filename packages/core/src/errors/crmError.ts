/** Stable machine-readable codes carried by every {@link CrmError}. */
export type CrmErrorCode =
  | 'CRM_ERROR'
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'POLICY'
  | 'REMOTE'
  | 'FEED_EXPIRED'
  | 'CLOSED'
  | 'FORBIDDEN';

/**
 * The base class of every error the SDK throws on purpose. `code` is stable across versions and is
 * the thing to branch on; the message is for people.
 *
 * @example
 * ```ts
 * try { await crm.customers.get(id) } catch (error) {
 *   if (isCrmError(error, 'NOT_FOUND')) return null
 *   throw error
 * }
 * ```
 */
export class CrmError extends Error {
  /** A stable code for this kind of error. */
  readonly code: CrmErrorCode;

  constructor(message: string, options: { code?: CrmErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrmError';
    this.code = options.code ?? 'CRM_ERROR';
  }
}

const CRM_ERROR_NAMES = new Set([
  'CrmError',
  'CrmValidationError',
  'CrmNotFoundError',
  'CrmConflictError',
  'CrmPolicyError',
  'CrmRemoteError',
  'CrmFeedExpiredError',
]);

/**
 * True when `error` is a {@link CrmError} (optionally with the given code). Matches by `name` as
 * well as by class, so it still works when two copies of `@crm/core` are installed.
 */
export function isCrmError(error: unknown, code?: CrmErrorCode): error is CrmError {
  if (!(error instanceof Error)) return false;
  const isOurs = error instanceof CrmError || CRM_ERROR_NAMES.has(error.name);
  return isOurs && (code === undefined || (error as CrmError).code === code);
}
