import type { Crm } from '../crm.js';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import type { Change, EntityName, EntityRecords } from '../store/types.js';
import { CrmObserver, type ObserverSnapshot } from './crmObserver.js';
import type { ChangeInterest } from './observerClient.js';

/**
 * The snapshot of one record's observer.
 *
 * @example
 * ```ts
 * const { data: complaint } = new ComplaintObserver(crm, id).getSnapshot()
 * ```
 */
export type RecordSnapshot<T> = ObserverSnapshot<T>;

/**
 * The base of the observers of one record ({@link CustomerObserver}, {@link ComplaintObserver}):
 * read once, then kept up to date from the record's changes, whoever made them; a delete turns
 * the snapshot into an `error` with a `CrmNotFoundError` and no data.
 *
 * @example
 * ```ts
 * const observer: RecordObserver<'customers'> = new CustomerObserver(crm, id)
 * observer.id // the customer's id
 * ```
 */
export abstract class RecordObserver<E extends EntityName> extends CrmObserver<EntityRecords[E]> {
  /** The id of the record observed. */
  readonly id: string;
  readonly #entity: E;
  readonly #label: string;

  protected constructor(crm: Crm, entity: E, label: string, id: string) {
    super(crm, {});
    this.#entity = entity;
    this.#label = label;
    this.id = id;
  }

  protected interests(): readonly ChangeInterest[] {
    return [{ entity: this.#entity, id: this.id }];
  }

  protected applyChanges(changes: readonly Change[]): void {
    let latest: Change | undefined;
    for (const change of changes) if (change.entity === this.#entity && change.id === this.id) latest = change;
    if (!latest) return;
    if (latest.op === 'delete') {
      this.setSnapshot({ status: 'error', data: undefined, error: new CrmNotFoundError(this.#label, this.id) });
      return;
    }
    const record = latest.record as EntityRecords[E] | undefined;
    const held = this.getSnapshot().data;
    // A feed that leaves records out (a remote client, say): read the record again.
    if (!record) return this.invalidate(0);
    // Older than what we hold (a change replayed after a read that already saw it): nothing new.
    if (held && held.version >= record.version) return;
    this.setSnapshot({ status: 'success', data: record, error: null, updatedAt: this.now() });
  }
}
