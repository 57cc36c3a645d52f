import * as z from 'zod/mini';
import {
  ChannelSchema,
  EmailSchema,
  ExternalIdsSchema,
  IdSchema,
  IsoTimestampSchema,
  TimestampSchema,
  list,
  rule,
  text,
  wholeNumber,
} from './primitives.js';
import { recordMeta } from './record.js';
import { FieldValuesSchema } from './fields.js';
import { SignalSchema } from './signal.js';

/** Whether the customer reached us (`inbound`) or we reached the customer (`outbound`). */
export const DirectionSchema = z.enum(['inbound', 'outbound']);

/** What came of a contact. */
export const OutcomeSchema = z.enum([
  'resolved',
  'follow_up',
  'no_answer',
  'voicemail',
  'returned_mail',
  'complaint',
  'order',
  'information',
  'not_interested',
  'other',
]);

/** Length limits of a participant's name and role, shared with the fast path. */
export const PARTICIPANT_LIMITS = { name: 200, role: 100 } as const;

/** A person at the customer who took part in a contact. */
export const ParticipantSchema = z.strictObject({
  name: text(PARTICIPANT_LIMITS.name, 1),
  role: z.optional(text(PARTICIPANT_LIMITS.role, 1)),
  email: z.optional(EmailSchema),
});

/** Length limits `[min, max]` of a touchpoint's text fields, shared with the fast path. */
export const TOUCHPOINT_TEXT_LIMITS = {
  department: [1, 100],
  subject: [1, 500],
  summary: [0, 20_000],
  nextStep: [1, 2000],
} as const;

/** The most participants a touchpoint can name. */
export const MAX_PARTICIPANTS = 50;

/** The longest contact a touchpoint can record, in seconds (one week). */
export const MAX_DURATION_SECONDS = 604_800;

const touchpointFields = {
  /** The customer this contact was with. */
  customerId: IdSchema,
  channel: ChannelSchema,
  direction: DirectionSchema,
  /** Length of the contact in whole seconds (at most a week). */
  durationSeconds: wholeNumber(0, MAX_DURATION_SECONDS, 'must be a whole number of seconds from 0 to 604800 (one week)'),
  /** The staff member who handled the contact. */
  actorId: IdSchema,
  /** The people at the customer who took part. */
  participants: list(ParticipantSchema, MAX_PARTICIPANTS),
  department: text(TOUCHPOINT_TEXT_LIMITS.department[1], 1),
  subject: text(TOUCHPOINT_TEXT_LIMITS.subject[1], 1),
  /** What was said or done, as plain text. */
  summary: text(TOUCHPOINT_TEXT_LIMITS.summary[1]),
  outcome: OutcomeSchema,
  /** What happens next, and who does it. */
  nextStep: text(TOUCHPOINT_TEXT_LIMITS.nextStep[1], 1),
  /** From -1 (very negative) to 1 (very positive). */
  sentiment: z.number().check(rule((n: number) => n >= -1 && n <= 1, 'must be between -1 and 1', 'out_of_range')),
  /** The complaint this contact was about. */
  complaintId: IdSchema,
  /** The postal address a letter was sent to (so returned mail can mark it). */
  addressId: IdSchema,
  externalIds: ExternalIdsSchema,
  /**
   * Why this outbound contact went ahead although the contact-frequency policy blocked it, and
   * the rule it overrode (filled in by `crm.touchpoints.log`).
   */
  policyOverride: z.strictObject({ reason: text(500, 1), rule: z.optional(text(50, 1)) }),
};

/**
 * What a caller passes to `crm.touchpoints.log`. `occurredAt` defaults to the CRM clock's now.
 *
 * @example
 * ```ts
 * TouchpointInputSchema.parse({ customerId, channel: 'call', direction: 'inbound', outcome: 'resolved' })
 * ```
 */
export const TouchpointInputSchema = z.strictObject({
  customerId: touchpointFields.customerId,
  channel: touchpointFields.channel,
  direction: touchpointFields.direction,
  /** When the contact happened; defaults to now. */
  occurredAt: z.optional(TimestampSchema),
  durationSeconds: z.optional(touchpointFields.durationSeconds),
  actorId: z.optional(touchpointFields.actorId),
  participants: z._default(touchpointFields.participants, []),
  department: z.optional(touchpointFields.department),
  subject: z.optional(touchpointFields.subject),
  summary: z.optional(touchpointFields.summary),
  outcome: z.optional(touchpointFields.outcome),
  nextStep: z.optional(touchpointFields.nextStep),
  sentiment: z.optional(touchpointFields.sentiment),
  complaintId: z.optional(touchpointFields.complaintId),
  addressId: z.optional(touchpointFields.addressId),
  externalIds: z._default(touchpointFields.externalIds, {}),
  /** Log an outbound contact that the contact-frequency policy blocks, saying why. */
  policyOverride: z.optional(touchpointFields.policyOverride),
  /** The host app's own fields, as declared with `createCrm({ fields: { touchpoints } })`. */
  fields: z.optional(FieldValuesSchema),
});

/** A stored touchpoint: one contact with a customer. */
export const TouchpointSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    ...recordMeta,
    ...TouchpointInputSchema.def.shape,
    occurredAt: IsoTimestampSchema,
    /** Set when the touchpoint looked like an unspoken complaint (`createCrm({ signals })`); not an input of `log`. */
    signal: z.optional(SignalSchema),
  }))();

/** Input to `crm.touchpoints.log`. */
export type TouchpointInput = z.input<typeof TouchpointInputSchema>;
/** A stored touchpoint. */
export type Touchpoint = z.output<typeof TouchpointSchema>;
/** `inbound` | `outbound`. */
export type Direction = z.output<typeof DirectionSchema>;
/** What came of a contact. */
export type Outcome = z.output<typeof OutcomeSchema>;
/** A person at the customer who took part in a contact. */
export type Participant = z.output<typeof ParticipantSchema>;
