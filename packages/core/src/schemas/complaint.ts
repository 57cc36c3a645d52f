import * as z from 'zod/mini';
import { ChannelSchema, ExternalIdsSchema, IdSchema, IsoTimestampSchema, LocaleSchema, list, pattern, text, wholeNumber } from './primitives.js';
import { recordMeta } from './record.js';
import { FIELD_NAME_PATTERN, FieldValuesSchema, MAX_FIELDS } from './fields.js';
import { DirectionSchema, TouchpointInputSchema } from './touchpoint.js';

/** How urgent a complaint is. */
export const PrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);

/**
 * Where a complaint stands: `new` → `open` ⇄ `pending_customer` → `resolved` → `closed`; a
 * resolved complaint can be `reopened`.
 */
export const ComplaintStatusSchema = z.enum(['new', 'open', 'pending_customer', 'resolved', 'closed', 'reopened']);

/** The SLA targets a complaint is measured against: the first response, each next response, the resolution. */
export const SlaTargetSchema = z.enum(['firstResponse', 'nextResponse', 'resolution']);

/** Complaint statuses that count as not yet resolved. */
export const UNRESOLVED_STATUSES = ['new', 'open', 'pending_customer', 'reopened'] as const;

const activityBase = /* @__PURE__ */ (() => ({
  /** Unique and sortable by creation time, like record ids. */
  id: IdSchema,
  /** When it happened (UTC ISO 8601). */
  at: IsoTimestampSchema,
  /** The staff member who did it, if any. */
  actorId: z.optional(IdSchema),
}))();

/** One entry of a complaint's append-only activity log. */
export const ComplaintActivitySchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.strictObject({ ...activityBase, type: z.literal('opened'), touchpointId: z.optional(IdSchema) }),
    z.strictObject({
      ...activityBase,
      type: z.literal('status_changed'),
      from: ComplaintStatusSchema,
      to: ComplaintStatusSchema,
      note: z.optional(text(5000, 1)),
    }),
    z.strictObject({
      ...activityBase,
      type: z.literal('responded'),
      /** `outbound`: staff answered the customer; `inbound`: the customer wrote or called again. */
      direction: DirectionSchema,
      message: z.optional(text(20_000)),
      channel: z.optional(ChannelSchema),
      touchpointId: z.optional(IdSchema),
    }),
    z.strictObject({
      ...activityBase,
      type: z.literal('assigned'),
      from: z.nullable(IdSchema),
      to: IdSchema,
      reason: text(1000, 1),
    }),
    z.strictObject({
      ...activityBase,
      type: z.literal('priority_changed'),
      from: PrioritySchema,
      to: PrioritySchema,
      reason: z.optional(text(1000, 1)),
    }),
    z.strictObject({
      ...activityBase,
      type: z.literal('satisfaction_recorded'),
      score: wholeNumber(1, 5),
      comment: z.optional(text(2000, 1)),
    }),
    z.strictObject({ ...activityBase, type: z.literal('note'), text: text(20_000, 1) }),
    /** Custom fields set or removed (`crm.complaints.setFields`): their names, not their values. */
    z.strictObject({
      ...activityBase,
      type: z.literal('fields_changed'),
      names: list(pattern(FIELD_NAME_PATTERN, 'expected a custom field name'), MAX_FIELDS),
    }),
    /**
     * An SLA crossing, recorded by the SLA scheduler when it emits the matching event, so that
     * each is emitted once even across restarts and several processes. `cycle` is the id of the
     * entry that started the clock (for `met`: the one that stopped it).
     */
    z.strictObject({
      ...activityBase,
      type: z.literal('sla'),
      target: SlaTargetSchema,
      event: z.enum(['warning', 'breached', 'met']),
      cycle: IdSchema,
      dueAt: IsoTimestampSchema,
    }),
  ]))();

/**
 * What a caller passes to `crm.complaints.open`.
 *
 * @example
 * ```ts
 * ComplaintInputSchema.parse({ customerId, subject: 'Parcel arrived damaged', channel: 'email', priority: 'high' })
 * ```
 */
export const ComplaintInputSchema = z.strictObject({
  customerId: IdSchema,
  subject: text(500, 1),
  description: z.optional(text(20_000)),
  channel: ChannelSchema,
  priority: z._default(PrioritySchema, 'normal'),
  /** The one staff member who owns the complaint until it is handed off. */
  ownerId: z.optional(IdSchema),
  slaPolicyId: z.optional(IdSchema),
  /** The language to answer in; defaults to the customer's locale. */
  locale: z.optional(LocaleSchema),
  externalIds: z._default(ExternalIdsSchema, {}),
  /** The host app's own fields, as declared with `createCrm({ fields: { complaints } })`. */
  fields: z.optional(FieldValuesSchema),
});

const { customerId: _customerId, complaintId: _complaintId, ...touchpointShape } = TouchpointInputSchema.def.shape;

/**
 * What `crm.complaints.open` takes: the complaint, and optionally the touchpoint it came from —
 * a new one to log (`touchpoint`) or one already logged (`touchpointId`). Either way the
 * complaint and the touchpoint are written together or not at all.
 */
export const ComplaintOpenSchema = z.strictObject({
  ...ComplaintInputSchema.def.shape,
  /** A touchpoint to log with the complaint; its `outcome` defaults to `complaint`. */
  touchpoint: z.optional(z.strictObject(touchpointShape)),
  /** A touchpoint already logged for this customer, to link to the complaint. */
  touchpointId: z.optional(IdSchema),
});

/** A stored complaint with its activity log. */
export const ComplaintSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    ...recordMeta,
    ...ComplaintInputSchema.def.shape,
    status: ComplaintStatusSchema,
    /** The touchpoint the complaint was opened from, if any. */
    touchpointId: z.optional(IdSchema),
    /** Satisfaction score from 1 to 5, recorded after resolution. */
    satisfaction: z.optional(wholeNumber(1, 5)),
    resolvedAt: z.optional(IsoTimestampSchema),
    /** Append-only: entries are added, never changed or removed. */
    activity: list(ComplaintActivitySchema, 100_000),
  }))();

/** The complaint fields of `crm.complaints.open`. */
export type ComplaintInput = z.input<typeof ComplaintInputSchema>;
/** Input to `crm.complaints.open`: a complaint, optionally with the touchpoint it came from. */
export type ComplaintOpenInput = z.input<typeof ComplaintOpenSchema>;
/** A stored complaint. */
export type Complaint = z.output<typeof ComplaintSchema>;
/** One entry of a complaint's activity log. */
export type ComplaintActivity = z.output<typeof ComplaintActivitySchema>;
/** The kinds of activity entry. */
export type ComplaintActivityType = ComplaintActivity['type'];
/** `low` | `normal` | `high` | `urgent`. */
export type Priority = z.output<typeof PrioritySchema>;
/** Where a complaint stands. */
export type ComplaintStatus = z.output<typeof ComplaintStatusSchema>;
