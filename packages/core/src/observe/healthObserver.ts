import type { Crm } from '../crm.js';
import type { CustomerHealth } from '../analytics/score.js';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import type { Change } from '../store/types.js';
import { CrmObserver, refreshDelayOf, type ObserverSnapshot, type RefreshOptions } from './crmObserver.js';
import type { ChangeInterest } from './observerClient.js';

/**
 * What {@link HealthObserver.getSnapshot} returns.
 *
 * @example
 * ```ts
 * const { data: health }: HealthSnapshot = observer.getSnapshot()
 * health?.reasons.map((r) => r.message)
 * ```
 */
export type HealthSnapshot = ObserverSnapshot<CustomerHealth>;

/**
 * A customer's health, live: `crm.health(customerId)`, read again shortly after the customer,
 * their touchpoints or their complaints change (a burst of writes is one read). Erasing the
 * customer turns the snapshot into an `error` (`CrmNotFoundError`) without data.
 *
 * @example
 * ```ts
 * const health = new HealthObserver(crm, customerId)
 * const stop = health.subscribe(({ data }) => data && badge(data.level, data.score))
 * ```
 */
export class HealthObserver extends CrmObserver<CustomerHealth> {
  /** The customer whose health this is. */
  readonly customerId: string;
  readonly #delayMs: number;

  constructor(crm: Crm, customerId: string, options: RefreshOptions = {}) {
    super(crm, {});
    this.customerId = customerId;
    this.#delayMs = refreshDelayOf('HealthObserver', options);
  }

  protected load(): Promise<CustomerHealth> {
    return this.crm.health(this.customerId);
  }

  protected interests(): readonly ChangeInterest[] {
    return [{ customerId: this.customerId }];
  }

  protected applyChanges(changes: readonly Change[]): void {
    if (changes.some((c) => c.entity === 'customers' && c.id === this.customerId && c.op === 'delete')) {
      this.setSnapshot({ status: 'error', data: undefined, error: new CrmNotFoundError('customer', this.customerId) });
      return;
    }
    // A tombstone of someone else's record reaches every customer's watchers: only ours count.
    if (changes.some((c) => c.record !== undefined || c.entity === 'customers')) this.invalidate(this.#delayMs);
  }
}
