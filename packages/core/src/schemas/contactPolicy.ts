import * as z from 'zod/mini';
import { ChannelSchema, TimeOfDaySchema, list, wholeNumber } from './primitives.js';
import { DurationSchema } from './duration.js';

/** At most `max` outbound touches within any rolling `window` (on one channel, or on all). */
export const ContactLimitSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The channel this limit counts; all channels when missing. */
    channel: z.optional(ChannelSchema),
    max: wholeNumber(0, Number.MAX_SAFE_INTEGER, 'must be a whole number, 0 or more'),
    /** The rolling window: minutes, or an ISO 8601 duration such as `P7D`. */
    window: DurationSchema.check(z.refine((minutes: number) => minutes > 0, 'must be a positive duration')),
  }))();

/** How often and when a customer may be contacted by us. */
export const ContactPolicySchema = /* @__PURE__ */ (() =>
  z.strictObject({
    limits: z._default(list(ContactLimitSchema, 20), []),
    /** After a complaint is resolved: allow `followUps` outbound touches, then none for `quietFor`. */
    afterResolution: z.optional(
      z.strictObject({
        followUps: z._default(wholeNumber(0, Number.MAX_SAFE_INTEGER, 'must be a whole number, 0 or more'), 1),
        quietFor: DurationSchema,
      }),
    ),
    /** Default quiet hours in the customer's time zone (a customer's own preferences win). */
    quietHours: z.optional(z.strictObject({ start: TimeOfDaySchema, end: TimeOfDaySchema })),
    /** Honour each customer's opted-out channels. */
    respectOptOuts: z._default(z.boolean(), true),
    /** Channels to which the policy applies; all outbound channels when missing. */
    channels: z.optional(list(ChannelSchema, 9)),
  }))();

/** A validated contact-frequency policy (durations in minutes). */
export type ContactPolicy = z.output<typeof ContactPolicySchema>;
/** A contact-frequency policy as a caller writes it. */
export type ContactPolicyInput = z.input<typeof ContactPolicySchema>;
