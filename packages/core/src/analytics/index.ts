import type { BusinessCalendar } from '../calendar/calendar.js';
import type { Clock } from '../clock/clock.js';
import type { Complaint } from '../schemas/complaint.js';
import type { Staff } from '../schemas/staff.js';
import type { SlaBrief } from '../sla/engine.js';
import type { CrmStore } from '../store/types.js';
import type { AtRiskQuery, CustomerHealth } from './score.js';
import type { KpiReport } from './kpis.js';
import type { KpiName, KpiQuery } from './targets.js';

/** `crm.health`, `crm.atRisk` and `crm.kpis`. */
export interface Analytics {
  /**
   * How a customer's relationship stands (R13): `healthy`, `at_risk` or `critical`, a score out of
   * 100, and the reasons — open and breached complaints, contacts of the last 90 days that ended
   * badly (`complaint`, `not_interested`) or felt bad (sentiment averaging -0.3 or less), and
   * silence for over twice the customer's usual contact gap (at least two weeks). Each reason is
   * a sentence saying what to do.
   *
   * @example
   * ```ts
   * const { level, score, reasons } = await crm.health(customer.id)
   * if (level !== 'healthy') console.log(reasons.map((r) => r.message).join('\n'))
   * ```
   */
  health(customerId: string): Promise<CustomerHealth>;
  /**
   * The customers most at risk: every customer's {@link Analytics.health}, the lowest scores
   * first (the oldest customer first among equals), healthy ones left out. `limit`: 1–1000,
   * default 20. Reads every customer and complaint once, and each customer's history as far back
   * as health looks (the last 90 days, and at least the newest 21 touchpoints): on a store with
   * a million touchpoints of years past, most are never read.
   *
   * @example
   * ```ts
   * for (const { customerId, level, reasons } of await crm.atRisk({ limit: 10 })) notify(customerId, level, reasons[0]?.message)
   * ```
   */
  atRisk(query?: AtRiskQuery): Promise<CustomerHealth[]>;
  /**
   * The KPIs of the period `[from, to)` (R10), each with its target from `createCrm({ kpiTargets })`
   * and whether it is met: first-response and resolution time (median and p90, in business
   * minutes as the SLA clock measures them when a policy applies, else wall-clock minutes), SLA
   * attainment (targets met of those decided), breaches (complaints that missed a target),
   * hand-offs and repeat contacts per complaint ({@link complaintCounts}), average satisfaction,
   * complaints per 100 customers, and retention (of the customers with an `order` touchpoint in
   * the period of the same length before, the share with one in this period). Complaint KPIs are
   * over the complaints opened in the period, as they stood at `to` (or now, if earlier).
   * `groupBy` (`owner`, `department`, `channel`) adds each group's figures.
   *
   * @example
   * ```ts
   * const { kpis, groups } = await crm.kpis({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', groupBy: 'owner' })
   * kpis.firstResponseMedian // { value: 42, target: 60, met: true }
   * ```
   */
  kpis(query: KpiQuery): Promise<KpiReport>;
}

/** What the analytics need of a CRM: its store, clock, staff, SLA and KPI targets. */
export interface AnalyticsSetup {
  store: CrmStore;
  clock: Clock;
  staff: ReadonlyMap<string, Staff> | null;
  targets: Partial<Record<KpiName, number>>;
  briefOf(complaint: Complaint, at: number): SlaBrief;
  calendarOf(complaint: Complaint): BusinessCalendar | null;
}

export { complaintCounts, type ComplaintCounts } from './counts.js';
export { healthOf, AtRiskQuerySchema, type AtRiskQuery, type CustomerHealth, type HealthReason } from './score.js';
export type { Kpi, KpiReport, KpiSet } from './kpis.js';
export { KpiQuerySchema, KpiTargetsSchema, KPI_NAMES, parseKpiTargets, type KpiName, type KpiQuery, type KpiTargetsInput } from './targets.js';
