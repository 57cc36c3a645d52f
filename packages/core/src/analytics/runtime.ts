import { atRisk, customerHealth } from './health.js';
import type { Analytics, AnalyticsSetup } from './index.js';
import { computeKpis } from './kpis.js';

// The analytics themselves, over a CRM's setup (their types and public helpers are in index.ts).

/** Builds {@link Analytics} over a CRM's store, clock, staff, SLA and KPI targets. */
export function analytics(setup: AnalyticsSetup): Analytics {
  const ctx = { ...setup, now: () => setup.clock.now().getTime() };
  return {
    health: (customerId) => customerHealth(ctx, customerId),
    atRisk: (query) => atRisk(ctx, query),
    kpis: (query) => computeKpis(ctx, query),
  };
}
