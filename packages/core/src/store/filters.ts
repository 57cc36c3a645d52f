import { ComplaintStatusSchema, PrioritySchema } from '../schemas/complaint.js';
import { CustomerKindSchema } from '../schemas/customer.js';
import { CHANNELS } from '../schemas/primitives.js';
import { SIGNAL_STATES } from '../schemas/signal.js';
import { DirectionSchema } from '../schemas/touchpoint.js';
import type { EntityFilters, EntityName } from './types.js';

/**
 * The list filters: one table that the stores (memory, SQL, REST), the services' query schemas
 * and the REST routes (query parameters, OpenAPI) all read, so a filter is added in one place.
 * Each reader turns a filter's value kind into its own checks: the services into a zod schema,
 * the REST routes into a query parameter, the SQL store into a column.
 *
 * @module
 */

/** How a filter's value is given. */
export type ListFilterValue =
  /** A record or staff id. */
  | { readonly kind: 'id' }
  /** One of `values`. */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** One of `values`, or a list of at most `max` of them (any matches); `names` says one and several, for messages. */
  | { readonly kind: 'enumList'; readonly values: readonly string[]; readonly max: number; readonly names: readonly [one: string, several: string] }
  /** Text of at most `max` characters (for a query parameter; longer can never match). */
  | { readonly kind: 'text'; readonly max: number }
  /** An id in another system: `{ system, id }` (`system:id` as a query parameter). */
  | { readonly kind: 'externalId' };

/**
 * How a record matches a filter, by the record field it reads (`field`):
 * - `equals`: the field equals the value (is one of them, for a list);
 * - `includes`: the field is a list that includes the value (a customer's `tags`);
 * - `includesEmail`: like `includes`, comparing email addresses as stores do (trimmed, lower case);
 * - `state`: the field is an object whose `state` equals the value (a touchpoint's `signal`);
 * - `systemId`: the field maps systems to ids, and maps the value's `system` to its `id`.
 */
export type ListFilterMatch = 'equals' | 'includes' | 'includesEmail' | 'state' | 'systemId';

/** One list filter: what it takes, what it reads, and what it selects (for docs and OpenAPI). */
export interface ListFilter {
  readonly value: ListFilterValue;
  readonly field: string;
  readonly match: ListFilterMatch;
  /** What the filter selects, said for a person: "Only customers carrying this tag…". */
  readonly description: string;
}

/**
 * The names of an entity's fixed-shape list filters: the keys of {@link EntityFilters} but
 * `fields`, the filter on custom fields, whose keys are the host's field names (it is checked by
 * `checkListQuery` and matched by each store on its own, see `FieldFilter`).
 */
export type ListFilterName<E extends EntityName> = Exclude<keyof EntityFilters[E] & string, typeof FIELDS_FILTER>;

/** The name of the filter on custom fields: in every entity's filters, but not a row of {@link LIST_FILTERS}. */
export const FIELDS_FILTER = 'fields';

const id = <F extends string>(field: F, description: string) => ({ value: { kind: 'id' }, field, match: 'equals', description }) as const;
const oneOf = <F extends string, V extends readonly string[]>(field: F, values: V, description: string) =>
  ({ value: { kind: 'enum', values }, field, match: 'equals', description }) as const;

/**
 * Every entity's list filters. Exactly the keys of {@link EntityFilters} but `fields` (a compile
 * error otherwise); any other key is a mistake worth an error, not an empty page.
 */
export const LIST_FILTERS = {
  customers: {
    kind: oneOf('kind', CustomerKindSchema.options, 'Only customers of this kind.'),
    ownerId: id('ownerId', 'Only customers owned by this staff member.'),
    tag: { value: { kind: 'text', max: 64 }, field: 'tags', match: 'includes', description: 'Only customers carrying this tag (exact, case-sensitive).' },
    email: {
      value: { kind: 'text', max: 254 },
      field: 'emails',
      match: 'includesEmail',
      description: 'Only customers with this email address (case-insensitive).',
    },
    externalId: {
      value: { kind: 'externalId' },
      field: 'externalIds',
      match: 'systemId',
      description: 'Only the customer known by this id in another system: `system:id`, e.g. `hubspot:901`.',
    },
  },
  touchpoints: {
    customerId: id('customerId', 'Only touchpoints of this customer.'),
    complaintId: id('complaintId', 'Only touchpoints about this complaint.'),
    channel: oneOf('channel', CHANNELS, 'Only touchpoints on this channel.'),
    direction: oneOf('direction', DirectionSchema.options, 'Only inbound or only outbound touchpoints.'),
    actorId: id('actorId', 'Only touchpoints handled by this staff member.'),
    signal: {
      value: { kind: 'enum', values: SIGNAL_STATES },
      field: 'signal',
      match: 'state',
      description: 'Only touchpoints whose complaint suggestion is in this state (`suggested`, `accepted` or `dismissed`).',
    },
  },
  complaints: {
    customerId: id('customerId', 'Only complaints of this customer.'),
    status: {
      value: { kind: 'enumList', values: ComplaintStatusSchema.options, max: ComplaintStatusSchema.options.length, names: ['status', 'statuses'] },
      field: 'status',
      match: 'equals',
      description: 'Only complaints in one of these statuses: repeat the parameter or separate values with commas.',
    },
    ownerId: id('ownerId', 'Only complaints owned by this staff member.'),
    priority: oneOf('priority', PrioritySchema.options, 'Only complaints of this priority.'),
  },
} as const satisfies { readonly [E in EntityName]: { readonly [K in ListFilterName<E>]-?: ListFilter } };

/**
 * The filters of `E` whose match is one of `M`: `ListFiltersMatching<'customers', 'equals'>` is
 * `'kind' | 'ownerId'` (for a store that keeps those in columns).
 */
export type ListFiltersMatching<E extends EntityName, M extends ListFilterMatch> = {
  [K in keyof (typeof LIST_FILTERS)[E]]: (typeof LIST_FILTERS)[E][K] extends { readonly match: M } ? K : never;
}[keyof (typeof LIST_FILTERS)[E]] &
  string;

/** Whether `name` is a list filter of `entity` (and not, say, `__proto__`). */
export function isListFilter<E extends EntityName>(entity: E, name: string): name is ListFilterName<E> {
  return Object.hasOwn(LIST_FILTERS[entity], name);
}

/** The parameters of a list query besides its filters: a filter can't take these names. */
export const LIST_PAGING = ['limit', 'cursor', 'order'] as const;
