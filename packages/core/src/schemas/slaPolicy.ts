import * as z from 'zod/mini';
import { ChannelSchema, IdSchema, list, rule, text } from './primitives.js';
import { CalendarSpecSchema } from './calendar.js';
import type { SlaEvent } from '../events/events.js';
import { ComplaintStatusSchema, PrioritySchema, SlaTargetSchema, type Priority } from './complaint.js';
import { DurationSchema } from './duration.js';

/** Business-time targets for one priority. Each is minutes, or an ISO 8601 duration (`PT4H`). */
export const SlaTargetsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    firstResponse: z.optional(DurationSchema),
    nextResponse: z.optional(DurationSchema),
    resolution: z.optional(DurationSchema),
  }))();

/**
 * A service-level agreement: which complaints it covers, the calendar its clock runs on, and
 * the targets per priority.
 */
export const SlaPolicySchema = /* @__PURE__ */ (() =>
  z.strictObject({
    id: IdSchema,
    name: text(200, 1),
    /** Which complaints this policy covers; the first policy whose conditions all match wins. */
    appliesTo: z._default(
      z.strictObject({
        priorities: z.optional(list(PrioritySchema, 4)),
        channels: z.optional(list(ChannelSchema, 9)),
        customerTags: z.optional(list(text(64, 1), 100)),
      }),
      {},
    ),
    calendar: CalendarSpecSchema,
    targets: z.strictObject({
      low: z.optional(SlaTargetsSchema),
      normal: z.optional(SlaTargetsSchema),
      high: z.optional(SlaTargetsSchema),
      urgent: z.optional(SlaTargetsSchema),
    }),
    /** Statuses during which the clock stops. */
    pauseStatuses: z._default(list(ComplaintStatusSchema, 6), ['pending_customer']),
    /**
     * What happens when a target is breached, in the same write that records the breach: raise
     * the priority (`true`: one step, or to a given priority), hand the complaint to an
     * escalation owner (recorded as an assignment with the reason), and/or call a function.
     */
    onBreach: z.optional(
      z.strictObject({
        /** Which targets escalate. Default: all. */
        targets: z.optional(list(SlaTargetSchema, 3)),
        raisePriority: z.optional(
          z.custom<true | Priority>(
            (v) => v === true || PrioritySchema.options.includes(v as Priority),
            'expected true (one step) or a priority',
          ),
        ),
        reassignTo: z.optional(IdSchema),
        /** Called after the breach is recorded; errors go to the CRM's `error` event. */
        call: z.optional(z.custom<(event: SlaEvent) => unknown>((v) => typeof v === 'function', 'expected a function')),
      }),
    ),
    /** The fraction of a target after which a warning is raised. */
    warningThreshold: z._default(
      z.number().check(rule((n: number) => n > 0 && n < 1, 'must be between 0 and 1 (exclusive)', 'out_of_range')),
      0.8,
    ),
  }))();

/** A validated SLA policy (durations in minutes). */
export type SlaPolicy = z.output<typeof SlaPolicySchema>;
/** An SLA policy as a caller writes it (durations as minutes or ISO 8601). */
export type SlaPolicyInput = z.input<typeof SlaPolicySchema>;
