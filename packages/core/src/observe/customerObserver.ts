import type { Crm } from '../crm.js';
import type { Customer } from '../schemas/customer.js';
import { RecordObserver, type RecordSnapshot } from './recordObserver.js';

/**
 * What {@link CustomerObserver.getSnapshot} returns.
 *
 * @example
 * ```ts
 * const { data: customer }: CustomerSnapshot = observer.getSnapshot()
 * ```
 */
export type CustomerSnapshot = RecordSnapshot<Customer>;

/**
 * One customer, live: read with `crm.customers.get`, then kept up to date from the CRM's change
 * feed (writes by this app, other processes, other tabs, sync). When the customer is erased, the
 * snapshot becomes an `error` (`CrmNotFoundError`) without data.
 *
 * @example
 * ```ts
 * const observer = new CustomerObserver(crm, customerId)
 * const stop = observer.subscribe(({ status, data }) => {
 *   if (status === 'success') render(data!.name)
 * })
 * // React: useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot)
 * ```
 */
export class CustomerObserver extends RecordObserver<'customers'> {
  constructor(crm: Crm, customerId: string) {
    super(crm, 'customers', 'customer', customerId);
  }

  protected load(): Promise<Customer> {
    return this.crm.customers.get(this.id);
  }
}
