import type { Crm } from '../crm.js';
import type { Complaint } from '../schemas/complaint.js';
import type { ComplaintQuery } from '../services/query.js';
import type { Change, Page } from '../store/types.js';
import type { ChangeInterest } from './observerClient.js';
import { refreshDelayOf, type RefreshOptions } from './crmObserver.js';
import { PagedObserver, type PagedSnapshot } from './pagedObserver.js';

/**
 * What {@link ComplaintListObserver} lists: `crm.complaints.list`'s query without the cursor.
 *
 * @example
 * ```ts
 * const myQueue: ComplaintListQuery = { ownerId: 'linda', status: ['new', 'open', 'reopened'], limit: 50 }
 * ```
 */
export type ComplaintListQuery = Omit<ComplaintQuery, 'cursor'>;

/**
 * What {@link ComplaintListObserver.getSnapshot} returns: the complaints read so far, in the list's order.
 *
 * @example
 * ```ts
 * const { data: complaints = [] }: ComplaintListSnapshot = queue.getSnapshot()
 * ```
 */
export type ComplaintListSnapshot = PagedSnapshot<Complaint>;

/** The filters this observer can check on a changed record itself; any other means reading again. */
const LOCAL_FILTERS = new Set(['customerId', 'status', 'ownerId', 'priority']);
const PAGING = new Set(['limit', 'order', 'cursor']);

/**
 * A list of complaints, live — the queue: `crm.complaints.list(query)` (for instance
 * `{ status: ['new', 'open', 'reopened'], ownerId }`), a page at a time with `fetchNextPage()`.
 * When a complaint changes anywhere, it is patched into the list, moved, or taken out, as the
 * filter now says; a change the observer can't place by itself makes it read the list again.
 *
 * @example
 * ```ts
 * const queue = new ComplaintListObserver(crm, { status: ['new', 'open', 'reopened'], limit: 50 })
 * const stop = queue.subscribe(({ data }) => renderQueue(data ?? []))
 * ```
 */
export class ComplaintListObserver extends PagedObserver<Complaint> {
  readonly #query: ComplaintListQuery;
  readonly #filter: [key: string, want: unknown][];
  readonly #local: boolean;
  readonly #desc: boolean;
  readonly #refreshDelayMs: number;

  constructor(crm: Crm, query: ComplaintListQuery = {}, options: RefreshOptions = {}) {
    super(crm);
    this.#query = { ...query };
    this.#filter = Object.entries(query).filter(([key, want]) => !PAGING.has(key) && want !== undefined);
    this.#local = this.#filter.every(([key]) => LOCAL_FILTERS.has(key));
    this.#desc = query.order !== 'asc';
    this.#refreshDelayMs = refreshDelayOf('ComplaintListObserver', options, 100);
  }

  protected loadPage(cursor: string | null): Promise<Page<Complaint>> {
    return this.crm.complaints.list({ ...this.#query, cursor });
  }

  /** By id (creation order), newest first unless the query says `order: 'asc'`. */
  protected compare(a: Complaint, b: Complaint): number {
    if (a.id === b.id) return 0;
    return a.id < b.id === this.#desc ? 1 : -1;
  }

  protected interests(): readonly ChangeInterest[] {
    const customerId = this.#query.customerId;
    return [customerId === undefined ? { entity: 'complaints' } : { customerId }];
  }

  /** Whether `complaint` belongs in this list. */
  #matches(complaint: Complaint): boolean {
    const record = complaint as unknown as Record<string, unknown>;
    return this.#filter.every(([key, want]) => (Array.isArray(want) ? want.includes(record[key]) : record[key] === want));
  }

  protected applyChanges(changes: readonly Change[]): void {
    let unplaced = false;
    this.edit((list) => {
      for (const change of changes) {
        if (change.entity !== 'complaints') continue;
        const complaint = change.record;
        if (!complaint) {
          if (change.op === 'delete') list.remove(change.id);
          else unplaced = true;
          continue;
        }
        if (!this.#local) {
          unplaced = true;
          continue;
        }
        const held = list.get(complaint.id);
        if (held && held.version >= complaint.version) continue;
        if (this.#matches(complaint)) list.put(complaint);
        else list.remove(complaint.id);
      }
    });
    if (unplaced) this.invalidate(this.#refreshDelayMs);
  }
}
