import * as z from 'zod/mini';
import { CrmValidationError, formatPath } from '../errors/validationError.js';
import { DurationSchema } from '../schemas/duration.js';
import { parseOrThrow } from '../schemas/parse.js';
import { TimestampSchema, rule } from '../schemas/primitives.js';

// The KPI targets, checked by `createCrm`: apart from the analytics, which load on first use.

const minutes = DurationSchema;
const count = z.number().check(rule((n: number) => Number.isFinite(n) && n >= 0, 'must be a number, 0 or more', 'out_of_range'));
const share = z.number().check(rule((n: number) => n >= 0 && n <= 1, 'must be a share from 0 to 1', 'out_of_range'));

/**
 * KPI targets, declared before use (`createCrm({ kpiTargets })`). Times are business minutes (or an
 * ISO 8601 duration such as `PT4H`); shares are from 0 to 1. Lower is better for every KPI except
 * `slaAttainment`, `satisfaction` and `retention`.
 */
export const KpiTargetsSchema = z.strictObject({
  firstResponseMedian: z.optional(minutes),
  firstResponseP90: z.optional(minutes),
  resolutionMedian: z.optional(minutes),
  resolutionP90: z.optional(minutes),
  slaAttainment: z.optional(share),
  breaches: z.optional(count),
  handoffsPerComplaint: z.optional(count),
  repeatContactsPerComplaint: z.optional(count),
  satisfaction: z.optional(z.number().check(rule((n: number) => n >= 1 && n <= 5, 'must be from 1 to 5', 'out_of_range'))),
  complaintsPer100Customers: z.optional(count),
  retention: z.optional(share),
});

/** Query of `crm.kpis`: the period `[from, to)`, optionally grouped. */
export const KpiQuerySchema = z.strictObject({
  from: TimestampSchema,
  to: TimestampSchema,
  /** Also report each owner's, department's (the owner's first in the staff directory) or channel's figures. */
  groupBy: z.optional(z.enum(['owner', 'department', 'channel'])),
});
/** Query of `crm.kpis`. */
export type KpiQuery = z.input<typeof KpiQuerySchema>;

/** `createCrm({ kpiTargets })`. */
export type KpiTargetsInput = z.input<typeof KpiTargetsSchema>;
/** The name of a KPI. */
export type KpiName = keyof z.output<typeof KpiTargetsSchema>;

/** The KPIs, in report order. */
export const KPI_NAMES: readonly KpiName[] = Object.keys(KpiTargetsSchema.def.shape) as KpiName[];

/** Checks `kpiTargets`; errors name `kpiTargets.<kpi>`. */
export function parseKpiTargets(input: unknown): Partial<Record<KpiName, number>> {
  try {
    return parseOrThrow(KpiTargetsSchema, input, 'createCrm options') as Partial<Record<KpiName, number>>;
  } catch (error) {
    if (!(error instanceof CrmValidationError)) throw error;
    throw new CrmValidationError(
      'createCrm options',
      error.issues.map((issue) => {
        const path = ['kpiTargets', ...issue.path];
        const unknown = issue.code === 'unknown_field';
        return {
          ...issue,
          path,
          field: formatPath(path),
          message: unknown ? `unknown KPI; expected one of ${KPI_NAMES.join(', ')}` : issue.message,
        };
      }),
    );
  }
}
