import { CrmError, isCrmError } from './crmError.js';

/** One problem with one field of an input. */
export interface ValidationIssue {
  /** Where the problem is, as keys and array indexes: `["emails", 0]`. */
  readonly path: readonly (string | number)[];
  /** The same path written the way the message writes it: `emails[0]`. Empty for the whole input. */
  readonly field: string;
  /** A short machine-readable code, such as `invalid_type`, `too_big`, `unknown_field`, `invalid_format`. */
  readonly code: string;
  /** What is wrong, in a few words: `invalid email address`. */
  readonly message: string;
}

/** Writes a path the way JavaScript would: `addresses[1].city`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Thrown when input fails validation. The message names every bad field with its path and
 * reason (`emails[0]: invalid email address; locale: unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"`); `issues`
 * has the same facts as data, ready to map onto form fields. Rejected values are never copied
 * into the error, so personal data does not end up in logs.
 */
export class CrmValidationError extends CrmError {
  /** Every problem found, in input order. */
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: readonly ValidationIssue[]) {
    const list = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ');
    super(`Invalid ${subject}: ${list}`, { code: 'VALIDATION' });
    this.name = 'CrmValidationError';
    this.issues = issues;
  }

  /** A validation error about one field. */
  static field(subject: string, path: readonly (string | number)[], message: string, code = 'invalid'): CrmValidationError {
    return new CrmValidationError(subject, [{ path, field: formatPath(path), code, message }]);
  }

  /** The issues grouped by field, for showing next to form inputs: `{ "emails[0]": ["invalid email address"] }`. */
  fieldErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const issue of this.issues) (out[issue.field] ??= []).push(issue.message);
    return out;
  }
}

/** True when `error` is a {@link CrmValidationError}, even from another copy of the package. */
export function isCrmValidationError(error: unknown): error is CrmValidationError {
  return isCrmError(error, 'VALIDATION');
}
