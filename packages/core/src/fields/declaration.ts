import { CrmValidationError, formatPath, type ValidationIssue } from '../errors/validationError.js';
import { FIELD_NAME_PATTERN, MAX_FIELDS, copyJson, fieldsProblems, jsonProblem, type FieldValues, type JsonValue } from '../schemas/fieldValues.js';
import { unknownFieldMessage } from '../schemas/parse.js';
import { canonicalLocale } from '../schemas/plain.js';
import type { EntityName } from '../store/types.js';
import { isStandardSchema, type StandardSchemaV1 } from './standardSchema.js';
import { FIELD_ENTITIES, FIELD_TYPES, describeField, isPlainObject, type DeclaredField, type FieldCatalog, type FieldDefinition } from './describe.js';

/**
 * Custom fields the host app declares (`createCrm({ fields })`): each a Standard Schema
 * validator of the host's own library, with optional labels for the widgets and remote names
 * for sync. This module checks a declaration once, and then the values of every write.
 *
 * @module
 */

const HUBSPOT_NAME = /^[a-z][a-z0-9_]{0,99}$/;
const SALESFORCE_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?:__c)?$/;

function declareField(SUBJECT: string, entity: EntityName, name: string, spec: unknown): DeclaredField {
  const at = (...path: (string | number)[]) => ['fields', entity, name, ...path];
  if (!FIELD_NAME_PATTERN.test(name)) {
    throw CrmValidationError.field(SUBJECT, at(), 'invalid field name: expected a letter, then letters, digits or "_" (64 at most)');
  }
  const definition = (isStandardSchema(spec) ? { schema: spec } : spec) as Partial<FieldDefinition> | undefined;
  if (!isPlainObject(definition) || !isStandardSchema(definition.schema)) {
    throw CrmValidationError.field(
      SUBJECT,
      at(),
      'expected a Standard Schema validator (zod, valibot, ArkType, …) or { schema, labels?, remote?, type? }',
    );
  }
  for (const key of Object.keys(definition)) {
    if (!['schema', 'labels', 'description', 'remote', 'type', 'options'].includes(key)) {
      throw CrmValidationError.field(SUBJECT, at(key), unknownFieldMessage(key, ['schema', 'labels', 'description', 'remote', 'type', 'options']), 'unknown_field');
    }
  }
  const labels: Record<string, string> = {};
  if (definition.labels !== undefined) {
    if (!isPlainObject(definition.labels)) throw CrmValidationError.field(SUBJECT, at('labels'), 'expected an object of labels by language tag');
    for (const [locale, label] of Object.entries(definition.labels)) {
      const tag = canonicalLocale(locale);
      if (tag === null) throw CrmValidationError.field(SUBJECT, at('labels', locale), 'unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"');
      if (typeof label !== 'string' || label.trim() === '' || label.length > 200) {
        throw CrmValidationError.field(SUBJECT, at('labels', locale), 'expected a label of 1–200 characters');
      }
      labels[tag] = label.trim();
    }
  }
  const remote: { hubspot?: string; salesforce?: string } = {};
  if (definition.remote !== undefined) {
    if (!isPlainObject(definition.remote)) throw CrmValidationError.field(SUBJECT, at('remote'), 'expected { hubspot?, salesforce? }');
    for (const [system, remoteName] of Object.entries(definition.remote)) {
      if (system === 'hubspot') {
        if (typeof remoteName !== 'string' || !HUBSPOT_NAME.test(remoteName)) {
          throw CrmValidationError.field(SUBJECT, at('remote', system), 'expected a HubSpot internal property name: lower-case letters, digits and "_", starting with a letter');
        }
        remote.hubspot = remoteName;
      } else if (system === 'salesforce') {
        if (typeof remoteName !== 'string' || remoteName.length > 43 || !SALESFORCE_NAME.test(remoteName)) {
          throw CrmValidationError.field(SUBJECT, at('remote', system), 'expected a Salesforce field API name such as "Tier__c"');
        }
        remote.salesforce = remoteName;
      } else throw CrmValidationError.field(SUBJECT, at('remote', system), 'unknown remote: expected "hubspot" or "salesforce"', 'unknown_field');
    }
  }
  if (definition.description !== undefined && (typeof definition.description !== 'string' || definition.description.length > 2000)) {
    throw CrmValidationError.field(SUBJECT, at('description'), 'expected text of at most 2000 characters');
  }
  if (definition.type !== undefined && !FIELD_TYPES.includes(definition.type)) {
    throw CrmValidationError.field(SUBJECT, at('type'), `expected one of ${FIELD_TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
  if (definition.options !== undefined && !(Array.isArray(definition.options) && definition.options.every((o) => typeof o === 'string'))) {
    throw CrmValidationError.field(SUBJECT, at('options'), 'expected a list of strings');
  }
  const field = describeField(entity, name, definition as FieldDefinition);
  if (field.type === 'enumeration' && !field.options?.length) {
    throw CrmValidationError.field(SUBJECT, at('options'), 'an enumeration needs its options (the schema does not say them)');
  }
  return field;
}

/** A problem with one field value, before the path is made absolute. */
type Problem = { path: (string | number)[]; message: string; code: string };

/** The path of a Standard Schema issue, as keys and indexes. */
function issuePath(issue: StandardSchemaV1.Issue): (string | number)[] {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}

/**
 * The declared fields of a CRM, checked once: validates the `fields` of every write and every
 * list filter against the declaration. Fields are optional: a write validates the fields it
 * gives, each with its schema; records written before a declaration changed keep what they hold
 * until a write gives those fields again (`crm.fields.audit` lists them).
 */
export interface FieldRegistry extends FieldCatalog {
  /**
   * Validates the `fields` of a new record: every key declared, every value valid for its
   * schema, every schema's output JSON. Returns the values to store (the schemas' outputs), or
   * `undefined` for none; throws a {@link CrmValidationError} naming `fields.<name>` otherwise.
   * `at` prefixes the paths (`[17]` for a batch item).
   */
  check(entity: EntityName, values: FieldValues | undefined, subject: string, at?: readonly (string | number)[]): Promise<FieldValues | undefined>;
  /** Like {@link FieldRegistry.check} for many records: one error naming every bad item. */
  checkMany(entity: EntityName, values: readonly (FieldValues | undefined)[], subject: string): Promise<(FieldValues | undefined)[]>;
  /**
   * Validates a patch of fields: `null` removes a field (declared or not — so fields no longer
   * declared can be cleaned up); any other value must satisfy its declaration. Returns the patch
   * with the schemas' outputs.
   */
  checkPatch(entity: EntityName, patch: FieldValues, subject: string): Promise<FieldValues>;
  /** Checks a list filter's `fields`: declared names, scalar values. */
  checkFilter(entity: EntityName, filter: unknown, subject: string): Readonly<Record<string, string | number | boolean | null>>;
  /** The problems of stored values against today's declaration (what `crm.fields.audit` reports). */
  problems(entity: EntityName, values: FieldValues | undefined): Promise<ValidationIssue[]>;
}

/**
 * Checks a declaration (`createCrm({ fields })`) and returns its registry. A bad declaration is a
 * `CrmValidationError` naming `fields.<entity>.<name>…`; `subject` names the options in its message.
 */
export function fieldRegistry(declaration: unknown, subject = 'createCrm options'): FieldRegistry {
  const SUBJECT = subject;
  const fields = new Map<EntityName, Map<string, DeclaredField>>(FIELD_ENTITIES.map((entity) => [entity, new Map()]));
  if (declaration !== undefined) {
    if (!isPlainObject(declaration)) throw CrmValidationError.field(SUBJECT, ['fields'], 'expected { customers?, touchpoints?, complaints? }');
    for (const [entity, entityFields] of Object.entries(declaration)) {
      if (!FIELD_ENTITIES.includes(entity as EntityName)) {
        throw CrmValidationError.field(SUBJECT, ['fields', entity], unknownFieldMessage(entity, FIELD_ENTITIES), 'unknown_field');
      }
      if (entityFields === undefined) continue;
      if (!isPlainObject(entityFields)) throw CrmValidationError.field(SUBJECT, ['fields', entity], 'expected an object of fields by name');
      const names = Object.keys(entityFields);
      if (names.length > MAX_FIELDS) throw CrmValidationError.field(SUBJECT, ['fields', entity], `at most ${MAX_FIELDS} fields`);
      const map = fields.get(entity as EntityName)!;
      for (const name of names) map.set(name, declareField(SUBJECT, entity as EntityName, name, entityFields[name]));
    }
  }

  async function validateValue(field: DeclaredField, value: unknown, path: (string | number)[], problems: Problem[]): Promise<JsonValue | undefined> {
    let result = field.schema['~standard'].validate(value);
    if (result instanceof Promise) result = await result;
    if (result.issues) {
      for (const issue of result.issues) problems.push({ path: [...path, ...issuePath(issue)], message: issue.message || 'invalid value', code: 'invalid' });
      return undefined;
    }
    const problem = jsonProblem(result.value);
    if (problem) {
      problems.push({ path, message: `the schema's output is not JSON: ${problem}`, code: 'not_json' });
      return undefined;
    }
    return result.value as JsonValue;
  }

  /** Validates one record's values (or patch) into `out`; problems go to `problems`. */
  async function validate(entity: EntityName, values: FieldValues, patch: boolean, problems: Problem[]): Promise<FieldValues> {
    const declared = fields.get(entity)!;
    const out: FieldValues = {};
    for (const problem of fieldsProblems(values)) problems.push({ path: ['fields', ...problem.path], message: problem.message, code: 'invalid' });
    if (problems.length > 0) return out;
    for (const [name, value] of Object.entries(values)) {
      const field = declared.get(name);
      if (patch && value === null) {
        out[name] = null;
        continue;
      }
      if (!field) {
        const message = declared.size === 0 ? `unknown field: no custom fields are declared for ${entity}` : unknownFieldMessage(name, [...declared.keys()]);
        problems.push({ path: ['fields', name], message, code: 'unknown_field' });
        continue;
      }
      const checked = await validateValue(field, value, ['fields', name], problems);
      if (checked !== undefined) out[name] = copyJson(checked);
    }
    return out;
  }

  const fail = (subject: string, problems: Problem[], at: readonly (string | number)[] = []): never => {
    throw new CrmValidationError(
      subject,
      problems.map(({ path, message, code }) => {
        const full = [...at, ...path];
        return { path: full, field: formatPath(full), code, message };
      }),
    );
  };

  return {
    list: (entity) => [...fields.get(entity)!.values()],
    get: (entity, name) => fields.get(entity)!.get(name),
    async check(entity, values, subject, at = []) {
      if (values === undefined) return undefined;
      const problems: Problem[] = [];
      const out = await validate(entity, values, false, problems);
      if (problems.length > 0) fail(subject, problems, at);
      return Object.keys(out).length === 0 ? undefined : out;
    },
    async checkMany(entity, items, subject) {
      const problems: Problem[] = [];
      const out: (FieldValues | undefined)[] = [];
      for (let i = 0; i < items.length; i++) {
        const values = items[i];
        if (values === undefined) {
          out.push(undefined);
          continue;
        }
        const mine: Problem[] = [];
        const checked = await validate(entity, values, false, mine);
        for (const problem of mine) problems.push({ ...problem, path: [i, ...problem.path] });
        out.push(Object.keys(checked).length === 0 ? undefined : checked);
      }
      if (problems.length > 0) fail(subject, problems);
      return out;
    },
    async checkPatch(entity, patch, subject) {
      const problems: Problem[] = [];
      const out = await validate(entity, patch, true, problems);
      if (problems.length > 0) fail(subject, problems);
      return out;
    },
    checkFilter(entity, filter, subject) {
      if (!isPlainObject(filter)) return fail(subject, [{ path: ['fields'], message: 'expected an object of field values by name', code: 'invalid' }]);
      const declared = fields.get(entity)!;
      const problems: Problem[] = [];
      for (const [name, value] of Object.entries(filter)) {
        if (!declared.has(name)) {
          const message = declared.size === 0 ? `unknown field: no custom fields are declared for ${entity}` : unknownFieldMessage(name, [...declared.keys()]);
          problems.push({ path: ['fields', name], message, code: 'unknown_field' });
        } else if (!(value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
          problems.push({ path: ['fields', name], message: 'expected a string, number, boolean or null to compare with (lists and objects are not filterable)', code: 'invalid_type' });
        }
      }
      if (problems.length > 0) fail(subject, problems);
      return filter as Record<string, string | number | boolean | null>;
    },
    async problems(entity, values) {
      if (values === undefined) return [];
      const problems: Problem[] = [];
      await validate(entity, values, false, problems);
      return problems.map(({ path, message, code }) => ({ path, field: formatPath(path), code, message }));
    },
  };
}

