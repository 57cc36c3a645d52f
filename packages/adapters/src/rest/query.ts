import { CrmValidationError, formatPath, type ValidationIssue } from '@crm/core';
import { fieldFilterProblems } from '@crm/core/store';

/** How one query parameter is read. */
export type ParamSpec =
  | { kind: 'int'; min: number; max: number; description: string }
  | { kind: 'enum'; values: readonly string[]; description: string }
  /** Several values: the parameter repeated (`status=new&status=open`) or comma-separated (`status=new,open`). */
  | { kind: 'enumList'; values: readonly string[]; description: string }
  | { kind: 'text'; max: number; description: string }
  /** `system:id`, as in `externalId=hubspot:901`. */
  | { kind: 'externalId'; description: string }
  /**
   * A filter on custom fields: a JSON object of field names to strings, numbers, booleans or
   * `null` (`fields={"tier":"gold"}`, URL-encoded), at most `max` characters, checked as stores
   * check `filter.fields`.
   */
  | { kind: 'fieldFilter'; max: number; description: string };

/** The parameters a route accepts. */
export type QuerySpec = Readonly<Record<string, ParamSpec>>;

const SUBJECT = 'query parameters';
const SAFE_INTEGER = /^(?:0|[1-9]\d{0,15})$/;

const ORDINAL_SUFFIXES = { one: 'st', two: 'nd', few: 'rd', other: 'th' } as const;
const ordinals = new Intl.PluralRules('en-US', { type: 'ordinal' });

/** `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`. */
export const ordinal = (n: number) => `${n}${ORDINAL_SUFFIXES[ordinals.select(n) as keyof typeof ORDINAL_SUFFIXES] ?? 'th'}`;

const issue = (param: string, code: string, message: string): ValidationIssue => ({
  path: [param],
  field: formatPath([param]),
  code,
  message,
});

/**
 * Reads `params` strictly against `spec`: an unknown parameter, a parameter given twice (unless it
 * takes a list), a number that is not a whole number in range or a value outside an enumeration
 * is a {@link CrmValidationError} naming the parameter (an unknown one by its position: its name
 * is the client's, and can be personal data). Messages never quote the value sent.
 */
export function parseQuery(params: URLSearchParams, spec: QuerySpec): Record<string, unknown> {
  const issues: ValidationIssue[] = [];
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  let position = 0;
  for (const [name, raw] of params) {
    position++;
    const param = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!param) {
      // Named by its position, never by its name: a name the client chose can be personal data.
      if (!seen.has(name)) issues.push({ path: [], field: '', code: 'unknown_field', message: `the ${ordinal(position)} parameter is not a parameter of this route` });
      seen.add(name);
      continue;
    }
    if (param.kind === 'enumList') {
      const values = raw === '' ? [] : raw.split(',');
      const bad = values.filter((v) => !param.values.includes(v));
      if (bad.length > 0) issues.push(issue(name, 'invalid_value', `expected values among ${param.values.map((v) => JSON.stringify(v)).join(', ')}`));
      else out[name] = [...((out[name] as string[] | undefined) ?? []), ...values];
      seen.add(name);
      continue;
    }
    if (seen.has(name)) {
      issues.push(issue(name, 'duplicate', 'given more than once'));
      continue;
    }
    seen.add(name);
    switch (param.kind) {
      case 'int': {
        const value = SAFE_INTEGER.test(raw) ? Number(raw) : Number.NaN;
        if (!(value >= param.min && value <= param.max)) {
          const range = param.max === Number.MAX_SAFE_INTEGER ? `${param.min} or more` : `from ${param.min} to ${param.max}`;
          issues.push(issue(name, 'out_of_range', `must be a whole number ${range}`));
        } else out[name] = value;
        break;
      }
      case 'enum':
        if (!param.values.includes(raw)) issues.push(issue(name, 'invalid_value', `expected one of ${param.values.map((v) => JSON.stringify(v)).join(', ')}`));
        else out[name] = raw;
        break;
      case 'text':
        if (raw.length > param.max) issues.push(issue(name, 'too_big', `must be at most ${param.max} characters`));
        else out[name] = raw;
        break;
      case 'fieldFilter': {
        if (raw.length > param.max) {
          issues.push(issue(name, 'too_big', `must be at most ${param.max} characters`));
          break;
        }
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          issues.push(issue(name, 'invalid_format', 'expected a JSON object of custom field values by name, such as {"tier":"gold"}'));
          break;
        }
        const problems = fieldFilterProblems(value);
        for (const { path, message } of problems) {
          const full = [name, ...path];
          issues.push({ path: full, field: formatPath(full), code: 'invalid', message });
        }
        if (problems.length === 0) out[name] = value;
        break;
      }
      case 'externalId': {
        const at = raw.indexOf(':');
        if (at <= 0 || at === raw.length - 1 || raw.length > 300) issues.push(issue(name, 'invalid_format', 'expected "system:id", such as "hubspot:901"'));
        else out[name] = { system: raw.slice(0, at), id: raw.slice(at + 1) };
        break;
      }
    }
  }
  if (issues.length > 0) throw new CrmValidationError(SUBJECT, issues);
  return out;
}
