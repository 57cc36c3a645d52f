import type * as z from 'zod/mini';
import { CrmValidationError, formatPath, type ValidationIssue } from '../errors/validationError.js';

type RawIssue = {
  code: string;
  input?: unknown;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: readonly unknown[];
  message?: string;
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'Date';
  return typeof value;
}

/** Our readable English messages for zod's issue codes, used per parse (never set globally). */
function errorMap(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected ${issue.expected}, received ${describe(issue.input)}`;
    case 'too_small':
      return issue.origin === 'number'
        ? `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`
        : `must have at least ${issue.minimum} ${issue.origin === 'array' ? 'items' : 'characters'}`;
    case 'too_big':
      return issue.origin === 'number'
        ? `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`
        : `must have at most ${issue.maximum} ${issue.origin === 'array' ? 'items' : 'characters'}`;
    case 'invalid_value':
      return `expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return 'invalid format';
    case 'invalid_union':
      return 'does not match any allowed shape';
    case 'invalid_key':
      return 'invalid key';
    case 'not_multiple_of':
      return 'must be a whole number';
    default:
      return issue.message ?? 'invalid value';
  }
}

const PARSE_OPTIONS = { error: errorMap as (issue: unknown) => string };

type ZodIssue = { code: string; path: PropertyKey[]; message: string; keys?: string[]; params?: { code?: string } };

/** Turns zod's issues into ours: one per unknown key, paths written as `emails[0]`. */
export function toIssues(zodIssues: readonly ZodIssue[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        issues.push({ path: keyPath, field: formatPath(keyPath), code: 'unknown_field', message: 'unknown field' });
      }
    } else {
      issues.push({ path, field: formatPath(path), code: issue.params?.code ?? issue.code, message: issue.message });
    }
  }
  return issues;
}

/**
 * Validates `input` against `schema` and returns the parsed value, or throws a
 * {@link CrmValidationError} naming every bad field. `subject` names the input in the message
 * ("customer input").
 */
export function parseOrThrow<S extends z.ZodMiniType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(input, PARSE_OPTIONS);
  if (result.success) return result.data as z.output<S>;
  throw new CrmValidationError(subject, toIssues(result.error.issues as unknown as ZodIssue[]));
}
