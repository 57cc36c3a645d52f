/**
 * `@crm/core/fields`: the custom-field declaration without the schemas of the core — its
 * registry, labels and `crm.fields` — for clients that must stay small (`remoteCrm` of
 * `@crm/adapters`, which types and labels fields from the same declaration as the server).
 * Everything here is also exported by `@crm/core`.
 *
 * @packageDocumentation
 */
export { fieldRegistry, type FieldRegistry } from './declaration.js';
export {
  fieldLabel,
  describeFields,
  fieldCatalog,
  type FieldCatalog,
  type FieldsDeclaration,
  type EntityFieldsDeclaration,
  type FieldSpec,
  type FieldDefinition,
  type FieldRemoteNames,
  type FieldType,
  type DeclaredField,
  type FieldValuesOf,
  type FieldInputsOf,
  type FieldPatchOf,
  type FieldFilterOf,
  type SchemaOf,
} from './describe.js';
export { fieldsService, type FieldsService, type FieldAuditItem } from './fieldsService.js';
export { isStandardSchema, type StandardSchemaV1 } from './standardSchema.js';
export type { FieldValues, JsonValue } from '../schemas/fieldValues.js';
