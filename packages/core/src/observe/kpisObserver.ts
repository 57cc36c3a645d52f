import type { Crm } from '../crm.js';
import type { KpiReport } from '../analytics/kpis.js';
import type { KpiQuery } from '../analytics/targets.js';
import type { Change } from '../store/types.js';
import { CrmObserver, refreshDelayOf, type ObserverSnapshot, type RefreshOptions } from './crmObserver.js';
import type { ChangeInterest } from './observerClient.js';

/**
 * What {@link KpisObserver.getSnapshot} returns.
 *
 * @example
 * ```ts
 * const { data: report }: KpisSnapshot = kpis.getSnapshot()
 * ```
 */
export type KpisSnapshot = ObserverSnapshot<KpiReport>;

/**
 * The KPIs of a period, live: `crm.kpis(query)`, read again shortly after complaints,
 * touchpoints or customers change (a burst of writes — an import of 500 touchpoints — is one read).
 * The previous report stays in `data` while the new one is read (`isFetching`).
 *
 * @example
 * ```ts
 * const kpis = new KpisObserver(crm, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })
 * const stop = kpis.subscribe(({ data }) => data && render(data.kpis.firstResponseMedian))
 * ```
 */
export class KpisObserver extends CrmObserver<KpiReport> {
  readonly #query: KpiQuery;
  readonly #delayMs: number;

  constructor(crm: Crm, query: KpiQuery, options: RefreshOptions = {}) {
    super(crm, {});
    this.#query = { ...query };
    this.#delayMs = refreshDelayOf('KpisObserver', options);
  }

  protected load(): Promise<KpiReport> {
    return this.crm.kpis(this.#query);
  }

  protected interests(): readonly ChangeInterest[] {
    return [{ entity: 'complaints' }, { entity: 'touchpoints' }, { entity: 'customers' }];
  }

  protected applyChanges(_changes: readonly Change[]): void {
    this.invalidate(this.#delayMs);
  }
}
