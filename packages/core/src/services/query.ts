import * as z from 'zod/mini';
import { ChannelSchema, IdSchema, list, wholeNumber } from '../schemas/primitives.js';
import { CustomerKindSchema } from '../schemas/customer.js';
import { DirectionSchema } from '../schemas/touchpoint.js';
import { SignalStateSchema } from '../schemas/signal.js';
import { ComplaintStatusSchema, PrioritySchema, type ComplaintStatus } from '../schemas/complaint.js';

const isStatus = (value: unknown): value is ComplaintStatus => (ComplaintStatusSchema.options as readonly unknown[]).includes(value);

const page = {
  limit: z.optional(wholeNumber(1, 500)),
  cursor: z.optional(z.nullable(z.string())),
  order: z.optional(z.enum(['asc', 'desc'])),
};

/** Query of `crm.customers.list`. Unknown filter names are rejected, so a typo never lists everything. */
export const CustomerQuerySchema = z.strictObject({
  ...page,
  kind: z.optional(CustomerKindSchema),
  ownerId: z.optional(IdSchema),
  tag: z.optional(z.string()),
  email: z.optional(z.string()),
  externalId: z.optional(z.strictObject({ system: z.string(), id: z.string() })),
});

/** Query of `crm.touchpoints.list`. */
export const TouchpointQuerySchema = z.strictObject({
  ...page,
  customerId: z.optional(IdSchema),
  complaintId: z.optional(IdSchema),
  channel: z.optional(ChannelSchema),
  direction: z.optional(DirectionSchema),
  actorId: z.optional(IdSchema),
  /** Touchpoints whose complaint suggestion is in this state (`suggested`, `accepted`, `dismissed`). */
  signal: z.optional(SignalStateSchema),
});

/** Query of `crm.complaints.list`. */
export const ComplaintQuerySchema = z.strictObject({
  ...page,
  customerId: z.optional(IdSchema),
  status: z.optional(
    z.custom<ComplaintStatus | ComplaintStatus[]>(
      (value) => isStatus(value) || (Array.isArray(value) && value.length <= 6 && value.every(isStatus)),
      `expected a status or a list of statuses: ${ComplaintStatusSchema.options.map((s) => `"${s}"`).join(', ')}`,
    ),
  ),
  ownerId: z.optional(IdSchema),
  priority: z.optional(PrioritySchema),
});

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
