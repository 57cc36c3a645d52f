import { isStorableText } from './plain.js';

/**
 * The stored shape of custom fields (`record.fields`), which every store keeps and every feed
 * carries whatever the host app declared: an object of JSON values under names the host chose.
 * What a field may hold is decided by its declaration (`createCrm({ fields })`, see
 * `fields/declaration.ts`); here only what any store can keep losslessly is checked, without zod
 * (the declaration's registry uses it in browser clients too).
 *
 * @module
 */

/** A JSON value: what a custom field stores. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The custom fields of a stored record: JSON values by field name. */
export type FieldValues = { [name: string]: JsonValue };

/** What a custom field's name looks like: a letter, then letters, digits or `_`, 64 at most. */
export const FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The most custom fields one record carries. */
export const MAX_FIELDS = 100;

/**
 * The most characters a record's custom fields take as JSON text (`JSON.stringify(fields)`):
 * 256 Ki, so a record stays a record and not a file store.
 */
export const MAX_FIELDS_JSON_LENGTH = 262_144;

/** How deep arrays and objects may nest inside one field's value. */
export const MAX_FIELD_DEPTH = 16;

/**
 * Why `value` is not a JSON value every store keeps as given, or `null` if it is one: `undefined`,
 * functions, `NaN`, dates and class instances are not (a `Date` is turned into a string by the
 * host's schema, never silently by a store).
 */
export function jsonProblem(value: unknown, depth = 0): string | null {
  switch (typeof value) {
    case 'string':
      return isStorableText(value) ? null : 'contains a NUL character or an unpaired surrogate';
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `expected a finite number, received ${value}`;
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_FIELD_DEPTH) return `nests deeper than ${MAX_FIELD_DEPTH} levels`;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = jsonProblem(value[i], depth + 1);
          if (problem) return `[${i}] ${problem}`;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        return `expected a JSON value, received ${value instanceof Date ? 'a Date (turn it into a string first)' : 'a class instance'}`;
      }
      for (const [key, item] of Object.entries(value)) {
        if (!isStorableText(key)) return 'has a key with a NUL character or an unpaired surrogate';
        const problem = jsonProblem(item, depth + 1);
        if (problem) return `.${key} ${problem}`;
      }
      return null;
    }
    default:
      return `expected a JSON value (string, number, boolean, null, array or object), received ${typeof value}`;
  }
}

/** A deep copy of a JSON value, so a stored record never shares (and freezes) the caller's objects. */
export function copyJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => copyJson(item)) as T;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) out[key] = copyJson(item);
  return out as T;
}

/** The problems of a `fields` object, each with the path below `fields` it concerns. */
export function fieldsProblems(fields: unknown): { path: string[]; message: string }[] {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || Object.getPrototypeOf(fields) !== Object.prototype) {
    return [{ path: [], message: 'expected an object of custom field values by name' }];
  }
  const problems: { path: string[]; message: string }[] = [];
  const entries = Object.entries(fields);
  if (entries.length > MAX_FIELDS) problems.push({ path: [], message: `must have at most ${MAX_FIELDS} fields (got ${entries.length})` });
  for (const [name, value] of entries) {
    if (!FIELD_NAME_PATTERN.test(name)) {
      problems.push({ path: [name], message: 'invalid field name: expected a letter, then letters, digits or "_" (64 at most)' });
      continue;
    }
    const problem = jsonProblem(value);
    if (problem) problems.push({ path: [name], message: problem });
  }
  if (problems.length === 0) {
    const length = JSON.stringify(fields).length;
    if (length > MAX_FIELDS_JSON_LENGTH) {
      problems.push({ path: [], message: `must take at most ${MAX_FIELDS_JSON_LENGTH} characters as JSON (got ${length})` });
    }
  }
  return problems;
}

