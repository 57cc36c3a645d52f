import * as z from 'zod/mini';
import { TimeOfDaySchema, TimeZoneSchema, list, pattern, rule } from './primitives.js';

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

/** A calendar specification. */
export type CalendarSpec = z.output<typeof CalendarSpecSchema>;
/** Input form of a calendar specification. */
export type CalendarSpecInput = z.input<typeof CalendarSpecSchema>;
/** A day of the week key. */
export type Weekday = (typeof WEEKDAYS)[number];
