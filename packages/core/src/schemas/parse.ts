import type * as z from 'zod/mini';
import { CrmValidationError, formatPath, type ValidationIssue } from '../errors/validationError.js';

type RawIssue = {
  code: string;
  input?: unknown;
  expected?: string;
  values?: readonly unknown[];
  message?: string;
};

/**
 * Our readable English messages for zod's own issue codes, used per parse (never set globally).
 * Every other rule of ours carries its message (see `rule` in primitives.ts), so only these occur.
 */
function errorMap(issue: RawIssue): string {
  const { code, input } = issue;
  if (code === 'invalid_type') {
    const received = input === null ? 'null' : Array.isArray(input) ? 'array' : input instanceof Date ? 'Date' : typeof input;
    return input === undefined ? 'is required' : `expected ${issue.expected}, received ${received}`;
  }
  if (code === 'invalid_value') return `expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  if (code === 'invalid_union') return 'does not match any allowed shape';
  return issue.message ?? 'invalid value';
}

const PARSE_OPTIONS = { error: errorMap as (issue: unknown) => string };

type ZodIssue = { code: string; path: PropertyKey[]; message: string; keys?: string[]; params?: { code?: string } };

type SchemaDef = { type?: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown };
const defOf = (schema: unknown): SchemaDef | undefined => (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** The field names of the object schema found at `path` inside `schema`, if it is one. */
function knownKeysAt(schema: unknown, path: readonly (string | number)[]): string[] {
  let def = defOf(schema);
  for (let i = 0; def && i <= path.length; ) {
    if (def.innerType !== undefined && (def.type === 'optional' || def.type === 'nullable' || def.type === 'default')) {
      def = defOf(def.innerType);
    } else if (i === path.length) break;
    else if (def.type === 'object' && def.shape && typeof path[i] === 'string' && Object.hasOwn(def.shape, path[i]!)) {
      def = defOf(def.shape[path[i] as string]);
      i++;
    } else if (def.type === 'array' && typeof path[i] === 'number') {
      def = defOf(def.element);
      i++;
    } else return [];
  }
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Whether `a` becomes `b` by inserting, deleting or replacing one character. */
function oneEditAway(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  const rest = short.length === long.length ? i + 1 : i;
  return short.slice(rest) === long.slice(i + 1);
}

/**
 * The message for an unknown key: `unknown field`, with the known field one edit away when there
 * is exactly one (`email` → `did you mean "emails"?`).
 */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const near = known.filter((name) => oneEditAway(key, name) || (key.length > 3 && key.toLowerCase() === name.toLowerCase()));
  return near.length === 1 ? `unknown field; did you mean "${near[0]}"?` : 'unknown field';
}

/** Turns zod's issues into ours: one per unknown key, paths written as `emails[0]`. */
export function toIssues(zodIssues: readonly ZodIssue[], schema?: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const known = schema === undefined ? [] : knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        issues.push({ path: keyPath, field: formatPath(keyPath), code: 'unknown_field', message: unknownFieldMessage(key, known) });
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
  throw new CrmValidationError(subject, toIssues(result.error.issues as unknown as ZodIssue[], schema));
}

/**
 * Validates every item of a batch against `schema`: returns the parsed items, or throws one
 * {@link CrmValidationError} naming every bad item's index and field (`[17].channel: …`), so a
 * batch is all valid or not written at all. More than `max` items is an error too.
 */
export function parseEachOrThrow<S extends z.ZodMiniType>(schema: S, inputs: unknown, subject: string, max: number): z.output<S>[] {
  if (!Array.isArray(inputs)) throw CrmValidationError.field(subject, [], 'expected an array of items');
  if (inputs.length > max) {
    throw CrmValidationError.field(subject, [], `at most ${max} items in one call (got ${inputs.length}): split the batch`, 'too_big');
  }
  const out: z.output<S>[] = [];
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const result = schema.safeParse(inputs[i], PARSE_OPTIONS);
    if (result.success) out.push(result.data as z.output<S>);
    else {
      for (const issue of toIssues(result.error.issues as unknown as ZodIssue[], schema)) {
        const path = [i, ...issue.path];
        issues.push({ ...issue, path, field: formatPath(path) });
      }
    }
  }
  if (issues.length > 0) throw new CrmValidationError(subject, issues);
  return out;
}
