import { FIELD_NAME_PATTERN, MAX_FIELDS, fieldRegistry, type DeclaredField, type EntityName, type FieldsDeclaration } from '@crm/core';

type JsonSchema = Record<string, unknown>;

/**
 * The custom fields in the OpenAPI documents: each declared field with the JSON Schema its
 * validator says (Standard JSON Schema, as zod 4 offers), or, for a validator that says none
 * (valibot, zod/mini), a field that takes any JSON value the server then validates. Without a
 * declaration, `fields` is an open object.
 *
 * @module
 */

const NAME_PATTERN = FIELD_NAME_PATTERN.source;
const OPEN = 'Validated by the server: its validator says no JSON Schema, so any JSON value is shown here.';

/** The declared fields of each entity, from a declaration given to a handler (checked as `createCrm` checks it). */
export function declaredFields(declaration: FieldsDeclaration | undefined): Record<EntityName, readonly DeclaredField[]> | null {
  if (declaration === undefined) return null;
  const registry = fieldRegistry(declaration);
  return { customers: registry.list('customers'), touchpoints: registry.list('touchpoints'), complaints: registry.list('complaints') };
}

function fieldSchema(field: DeclaredField): JsonSchema {
  const label = field.labels.en;
  return {
    ...(field.jsonSchema ?? { description: OPEN }),
    ...(label === undefined ? {} : { title: label }),
    ...(field.description === undefined ? {} : { description: field.description }),
  };
}

/**
 * The JSON Schema of an entity's `fields`: `value` for records and inputs, `patch` where `null`
 * removes a field.
 */
export function fieldsSchema(fields: readonly DeclaredField[] | null, mode: 'value' | 'patch'): JsonSchema {
  if (fields === null) {
    return {
      type: 'object',
      description:
        'The host app’s custom fields (`createCrm({ fields })`): JSON values by name. This document was made without the declaration (pass `fields` to the handler to have each field described).',
      propertyNames: { pattern: NAME_PATTERN },
      maxProperties: MAX_FIELDS,
    };
  }
  const properties: Record<string, JsonSchema> = {};
  for (const field of fields) {
    const schema = fieldSchema(field);
    properties[field.name] = mode === 'patch' ? { anyOf: [schema, { type: 'null' }], description: `${field.name}, or null to remove it.` } : schema;
  }
  return {
    type: 'object',
    description: mode === 'patch' ? 'Custom fields to set, merged key by key; `null` removes a field.' : 'The host app’s custom fields, as declared.',
    properties,
    additionalProperties: false,
  };
}

/** Where each component of the documents keeps an entity's `fields`, and how. */
const PLACES: readonly { component: string; path: readonly string[]; entity: EntityName; mode: 'value' | 'patch' }[] = [
  { component: 'Customer', path: [], entity: 'customers', mode: 'value' },
  { component: 'Touchpoint', path: [], entity: 'touchpoints', mode: 'value' },
  { component: 'Complaint', path: [], entity: 'complaints', mode: 'value' },
  { component: 'CustomerWrite', path: [], entity: 'customers', mode: 'value' },
  { component: 'TouchpointWrite', path: [], entity: 'touchpoints', mode: 'value' },
  { component: 'ComplaintWrite', path: [], entity: 'complaints', mode: 'value' },
  { component: 'CustomerInput', path: [], entity: 'customers', mode: 'value' },
  { component: 'TouchpointInput', path: [], entity: 'touchpoints', mode: 'value' },
  { component: 'ComplaintOpenInput', path: [], entity: 'complaints', mode: 'value' },
  { component: 'ComplaintOpenInput', path: ['touchpoint'], entity: 'touchpoints', mode: 'value' },
  { component: 'CustomerUpdate', path: ['patch'], entity: 'customers', mode: 'patch' },
  { component: 'TouchpointFieldsChange', path: [], entity: 'touchpoints', mode: 'patch' },
  { component: 'ComplaintFieldsChange', path: [], entity: 'complaints', mode: 'patch' },
];

/** Puts the `fields` schemas into the components that have a `fields` property (in place). */
export function describeFields(schemas: Record<string, JsonSchema>, fields: Record<EntityName, readonly DeclaredField[]> | null): void {
  for (const { component, path, entity, mode } of PLACES) {
    let schema = schemas[component] as JsonSchema | undefined;
    for (const key of path) schema = (schema?.properties as Record<string, JsonSchema> | undefined)?.[key];
    const properties = schema?.properties as Record<string, JsonSchema> | undefined;
    if (properties && 'fields' in properties) properties.fields = fieldsSchema(fields && fields[entity], mode);
  }
}
