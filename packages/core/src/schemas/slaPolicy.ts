import * as z from 'zod/mini';
import { ChannelSchema, IdSchema, TimeOfDaySchema, TimeZoneSchema, list, pattern, rule, text } from './primitives.js';
import type { SlaEvent } from '../events/events.js';
import { ComplaintStatusSchema, PrioritySchema, SlaTargetSchema, type Priority } from './complaint.js';
import { DurationSchema } from './duration.js';

/** The days of the week, as keys of a calendar's `hours`. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** One local opening interval, `["09:00", "17:30"]`; an end before the start runs past midnight. */
export const OpeningIntervalSchema = /* @__PURE__ */ (() =>
  // An array checked for two items rather than z.tuple, which would add its weight to every bundle.
  z
    .array(TimeOfDaySchema)
    .check(
      rule((pair: string[]) => pair.length === 2, 'expected an interval as ["HH:MM", "HH:MM"]', 'invalid_interval'),
    ) as unknown as z.ZodMiniType<[string, string], [string, string]>)();

const dayHours = /* @__PURE__ */ (() => z.optional(list(OpeningIntervalSchema, 24)))();

/** Opening intervals by weekday (`mon` … `sun`), the object form of a calendar's `hours`. */
export const WeeklyHoursSchema = /* @__PURE__ */ (() =>
  z.strictObject({ mon: dayHours, tue: dayHours, wed: dayHours, thu: dayHours, fri: dayHours, sat: dayHours, sun: dayHours }))();

/** Opening intervals by weekday; a missing day is closed. */
export type WeeklyHours = z.output<typeof WeeklyHoursSchema>;

/**
 * A business-hours calendar: opening hours per weekday in `timeZone`, and whole-day holidays.
 * `hours: "24/7"` is always open (except on holidays).
 */
export const CalendarSpecSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    timeZone: TimeZoneSchema,
    hours: z
      .custom<'24/7' | WeeklyHours>(
        (value) => value === '24/7' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
        'expected "24/7" or opening hours by weekday',
      )
      .check(
        // The object form is checked by its own schema, so errors name the day and interval.
        z.superRefine((value, ctx) => {
          if (value === '24/7') return;
          const result = WeeklyHoursSchema.safeParse(value);
          for (const issue of result.error?.issues ?? []) ctx.issues.push({ ...(issue as object), input: value } as never);
        }),
      ),
    holidays: z._default(list(pattern(/^\d{4}-\d{2}-\d{2}$/, 'expected a local date as "YYYY-MM-DD"'), 2000), []),
  }))();

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

/** A calendar specification. */
export type CalendarSpec = z.output<typeof CalendarSpecSchema>;
/** Input form of a calendar specification. */
export type CalendarSpecInput = z.input<typeof CalendarSpecSchema>;
/** A validated SLA policy (durations in minutes). */
export type SlaPolicy = z.output<typeof SlaPolicySchema>;
/** An SLA policy as a caller writes it (durations as minutes or ISO 8601). */
export type SlaPolicyInput = z.input<typeof SlaPolicySchema>;
/** A day of the week key. */
export type Weekday = (typeof WEEKDAYS)[number];
