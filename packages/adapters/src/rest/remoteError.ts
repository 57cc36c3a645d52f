import {
  CrmConflictError,
  CrmError,
  CrmFeedExpiredError,
  CrmNotFoundError,
  CrmPolicyError,
  CrmRemoteError,
  CrmValidationError,
  formatPath,
  type ValidationIssue,
} from '@crm/core/errors';
import { isRetryableStatus } from '../http/retryPolicy.js';
import { PROBLEM_TYPES, type Problem } from './problem.js';

/** The problem details of an error response, or `null` when its body is not one. */
export async function readProblem(response: Response): Promise<Partial<Problem> | null> {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/(?:problem\+)?json/i.test(type)) {
    await response.body?.cancel().catch(() => {});
    return null;
  }
  try {
    const body = (await response.json()) as unknown;
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Partial<Problem>) : null;
  } catch {
    return null;
  }
}

const isPathKey = (key: unknown): key is string | number => typeof key === 'string' || typeof key === 'number';

/** Issues from a problem body, kept only where they have the documented shape. */
function issuesOf(problem: Partial<Problem>): ValidationIssue[] {
  if (!Array.isArray(problem.issues)) return [];
  return problem.issues.flatMap((raw: unknown) => {
    const issue = raw as Partial<ValidationIssue> | null;
    if (!issue || typeof issue.message !== 'string' || !Array.isArray(issue.path) || !issue.path.every(isPathKey)) return [];
    const path = [...issue.path];
    return [{ path, field: formatPath(path), code: typeof issue.code === 'string' ? issue.code : 'invalid', message: issue.message }];
  });
}

/** The subject of a validation message (`Invalid store write: …` → `store write`), given its issues. */
function subjectOf(detail: unknown, issues: readonly ValidationIssue[]): string {
  const list = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ');
  if (typeof detail === 'string' && detail.startsWith('Invalid ') && detail.endsWith(`: ${list}`)) {
    return detail.slice('Invalid '.length, detail.length - list.length - 2);
  }
  return 'request';
}

/**
 * The `CrmError` an error response stands for: the same subclass the store behind the API threw
 * (`CrmValidationError` with its issues, `CrmConflictError` with its versions, `CrmNotFoundError`),
 * or a `CrmRemoteError` with the status, the problem's code and whether a retry may succeed.
 */
export function errorFromProblem(problem: Partial<Problem> | null, status: number, what: string): CrmError {
  if (problem) {
    if (status === 400 && problem.type === PROBLEM_TYPES.validation) {
      const issues = issuesOf(problem);
      if (issues.length > 0) return new CrmValidationError(subjectOf(problem.detail, issues), issues);
    }
    if (status === 409 && problem.type === PROBLEM_TYPES.conflict && typeof problem.id === 'string' && typeof problem.currentVersion === 'number') {
      const expected = typeof problem.expectedVersion === 'number' ? problem.expectedVersion : null;
      return new CrmConflictError(String(problem.entity ?? 'record'), problem.id, expected, problem.currentVersion);
    }
    if (status === 410 && problem.type === PROBLEM_TYPES.feedExpired && typeof problem.horizon === 'number' && typeof problem.lastSeq === 'number') {
      return new CrmFeedExpiredError(Number(problem.since ?? 0), problem.horizon, problem.lastSeq);
    }
    if (status === 404 && problem.type === PROBLEM_TYPES.notFound && typeof problem.entity === 'string') {
      return new CrmNotFoundError(problem.entity, typeof problem.id === 'string' ? problem.id : '');
    }
    if (status === 422 && problem.type === PROBLEM_TYPES.policy && typeof problem.rule === 'string' && typeof problem.detail === 'string') {
      const allowedAt = typeof problem.allowedAt === 'string' ? new Date(problem.allowedAt) : null;
      return new CrmPolicyError(problem.detail, { rule: problem.rule, allowedAt: allowedAt && !Number.isNaN(allowedAt.getTime()) ? allowedAt : null });
    }
    if (status === 403 && problem.type === PROBLEM_TYPES.forbidden && typeof problem.detail === 'string') {
      return new CrmError(problem.detail, { code: 'FORBIDDEN' });
    }
  }
  const detail = typeof problem?.detail === 'string' ? `: ${problem.detail}` : typeof problem?.title === 'string' ? `: ${problem.title}` : '';
  return new CrmRemoteError(`${what} answered ${status}${detail}`, {
    status,
    remoteCode: typeof problem?.code === 'string' ? problem.code : typeof problem?.type === 'string' ? problem.type : null,
    retryable: isRetryableStatus(status),
  });
}
