import type { ValidationIssue } from '../errors/validationError.js';
import { CrmValidationError } from '../errors/validationError.js';
import { FIELD_ENTITIES, fieldLabel, type DeclaredField, type FieldCatalog } from './describe.js';
import type { FieldRegistry } from './declaration.js';
import { CrmError } from '../errors/crmError.js';
import type { CrmStore, EntityName, Page } from '../store/types.js';
import type { FieldValues } from '../schemas/fieldValues.js';

/** A stored record whose custom fields don't satisfy today's declaration. */
export interface FieldAuditItem {
  entity: EntityName;
  id: string;
  version: number;
  /** What is wrong, with paths from the record (`fields.tier`): a field no longer declared, or a value its schema now refuses. */
  issues: ValidationIssue[];
}

/** `crm.fields`: the declared custom fields, their labels, and the records that no longer fit them. */
export interface FieldsService {
  /** The declared fields of `entity`, in declaration order, with their labels, remote names and JSON Schema. */
  list(entity: EntityName): readonly DeclaredField[];
  /**
   * What to call a field in `locale`: its declared label for the language, with fallbacks
   * (`zh-TW` → `zh-Hant` → `zh`), then English, then the field's name. An undeclared field is
   * a `CrmValidationError`.
   *
   * @example
   * ```ts
   * crm.fields.label('customers', 'tier', 'zh-TW') // → '會員等級'
   * ```
   */
  label(entity: EntityName, name: string, locale?: string): string;
  /**
   * The records of `entity` whose stored fields don't satisfy today's declaration — after a
   * field was removed or narrowed — oldest first, reading the store a page at a time. Reads
   * never validate, so such records still read; a write that gives those fields must satisfy
   * the declaration (`null` removes a field). Each value is checked with its schema as if it
   * were given again, so schemas should accept their own output (JSON in, JSON out).
   *
   * @example
   * ```ts
   * for await (const { id, issues } of crm.fields.audit('customers')) console.log(id, issues.map((i) => i.field))
   * ```
   */
  audit(entity: EntityName, options?: { pageSize?: number }): AsyncIterable<FieldAuditItem>;
}


/**
 * `crm.fields` over a declaration's registry. Given a catalog alone and no `store` (a remote CRM,
 * which reaches records only through the service API and leaves validation to its server),
 * `audit` is refused: run it on the server.
 */
export function fieldsService(registry: FieldRegistry | FieldCatalog, store: Pick<CrmStore, 'list'> | null): FieldsService {
  const checkEntity = (entity: EntityName, subject: string) => {
    if (!FIELD_ENTITIES.includes(entity)) throw CrmValidationError.field(subject, ['entity'], 'expected "customers", "touchpoints" or "complaints"');
  };
  return {
    list(entity) {
      checkEntity(entity, 'fields list');
      return registry.list(entity);
    },
    label(entity, name, locale) {
      checkEntity(entity, 'field label');
      const field = registry.get(entity, name);
      if (!field) throw CrmValidationError.field('field label', ['name'], `no custom field "${name}" is declared for ${entity}`, 'unknown_field');
      return fieldLabel(field, locale);
    },
    audit(entity, options) {
      checkEntity(entity, 'fields audit');
      if (store === null || !('problems' in registry)) throw new CrmError('crm.fields.audit reads every record: run it on the server, whose CRM has the store');
      const limit = options?.pageSize ?? 200;
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw CrmValidationError.field('fields audit', ['pageSize'], 'must be a whole number from 1 to 500');
      return {
        async *[Symbol.asyncIterator]() {
          let cursor: string | null = null;
          do {
            const page: Page<{ id: string; version: number; fields?: FieldValues | undefined }> = await store.list(entity, { order: 'asc', limit, cursor });
            for (const record of page.items) {
              const issues = await registry.problems(entity, record.fields);
              if (issues.length > 0) yield { entity, id: record.id, version: record.version, issues };
            }
            cursor = page.nextCursor;
          } while (cursor);
        },
      };
    },
  };
}
