import * as z from 'zod/mini';
import { ChannelSchema, IdSchema, list, wholeNumber } from '../schemas/primitives.js';
import { LIST_FILTERS, type ListFilter, type ListFilterName } from '../store/filters.js';
import type { EntityFilters, EntityName } from '../store/types.js';

const page = {
  limit: z.optional(wholeNumber(1, 500)),
  cursor: z.optional(z.nullable(z.string())),
  order: z.optional(z.enum(['asc', 'desc'])),
};

/**
 * Equality on custom fields (`{ tier: 'gold' }`): checked against the declaration by the service
 * (declared names, scalar values), and for its shape by the store.
 */
const fieldsFilter = z.optional(
  z.custom<Record<string, string | number | boolean | null>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'expected an object of custom field values by name',
  ),
);

/** The schema a service checks a filter's value with, from the filter's kind of value. */
function filterSchema({ value }: ListFilter): z.ZodMiniType {
  switch (value.kind) {
    case 'id':
      return IdSchema;
    case 'enum':
      return z.enum(value.values as [string, ...string[]]);
    case 'enumList': {
      const { values, max, names } = value;
      const one = (v: unknown) => values.includes(v as string);
      return z.custom(
        (v) => one(v) || (Array.isArray(v) && v.length <= max && v.every(one)),
        `expected a ${names[0]} or a list of ${names[1]}: ${values.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    case 'text':
      return z.string();
    case 'externalId':
      return z.strictObject({ system: z.string(), id: z.string() });
  }
}

/** The filters of an entity's list query, each optional, from {@link LIST_FILTERS}. */
type FilterShape<E extends EntityName> = {
  [K in ListFilterName<E>]-?: z.ZodMiniOptional<z.ZodMiniType<NonNullable<EntityFilters[E][K]>, NonNullable<EntityFilters[E][K]>>>;
};

function filterShape<E extends EntityName>(entity: E): FilterShape<E> {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const [name, filter] of Object.entries(LIST_FILTERS[entity] as Record<string, ListFilter>)) shape[name] = z.optional(filterSchema(filter));
  return shape as FilterShape<E>;
}

/** Query of `crm.customers.list`. Unknown filter names are rejected, so a typo never lists everything. */
export const CustomerQuerySchema = /* @__PURE__ */ (() => z.strictObject({ ...page, ...filterShape('customers'), fields: fieldsFilter }))();

/** Query of `crm.touchpoints.list`. `signal`: touchpoints whose complaint suggestion is in this state (`suggested`, `accepted`, `dismissed`). */
export const TouchpointQuerySchema = /* @__PURE__ */ (() => z.strictObject({ ...page, ...filterShape('touchpoints'), fields: fieldsFilter }))();

/** Query of `crm.complaints.list`. `status` takes one status or a list of them. */
export const ComplaintQuerySchema = /* @__PURE__ */ (() => z.strictObject({ ...page, ...filterShape('complaints'), fields: fieldsFilter }))();

/** Query of `crm.history`. */
export const HistoryQuerySchema = z.strictObject({
  limit: page.limit,
  cursor: page.cursor,
  channels: z.optional(list(ChannelSchema, 9)),
  types: z.optional(list(z.enum(['touchpoint', 'complaint_activity']), 2)),
});

/** Query of `crm.customers.list`: filters plus paging. */
export type CustomerQuery = z.input<typeof CustomerQuerySchema>;
/** Query of `crm.touchpoints.list`: filters plus paging. */
export type TouchpointQuery = z.input<typeof TouchpointQuerySchema>;
/** Query of `crm.complaints.list`: filters plus paging. */
export type ComplaintQuery = z.input<typeof ComplaintQuerySchema>;
/** Query of `crm.history`. */
export type CrmHistoryQuery = z.input<typeof HistoryQuerySchema>;

/** Splits a parsed list query into the store's paging and filter. */
export function splitQuery<Q extends { limit?: number; cursor?: string | null; order?: 'asc' | 'desc' }>(query: Q) {
  const { limit, cursor, order, ...filter } = query;
  return { limit, cursor, order, filter };
}
