import * as z from 'zod/mini';
import { IdSchema, LocaleSchema, list, text, wholeNumber } from './primitives.js';

/** A member of staff: who can own complaints, in which languages and departments. */
export const StaffSchema = z.strictObject({
  id: IdSchema,
  name: text(200, 1),
  /** BCP 47 tags of the languages this person speaks. */
  languages: z._default(list(LocaleSchema, 20), []),
  departments: z._default(list(text(100, 1), 20), []),
  /** The most open complaints this person should own at once. */
  capacity: z._default(wholeNumber(0, 100_000), 20),
  /** Inactive staff keep their history but get no new work. */
  active: z._default(z.boolean(), true),
});

/** A member of staff. */
export type Staff = z.output<typeof StaffSchema>;
/** A member of staff as a caller writes it. */
export type StaffInput = z.input<typeof StaffSchema>;
