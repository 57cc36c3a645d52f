import { complaintSummary } from '../store/queries.js';
import type { Crm } from '../crm.js';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import type { Channel } from '../schemas/primitives.js';
import type { Complaint } from '../schemas/complaint.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { CrmHistoryQuery } from '../services/query.js';
import type { Change, ComplaintSummary, HistoryItem, Page } from '../store/types.js';
import type { ChangeInterest } from './observerClient.js';
import { PagedObserver, type PagedSnapshot } from './pagedObserver.js';

/**
 * What {@link HistoryObserver} shows: `crm.history`'s query without the cursor (paging is the observer's).
 *
 * @example
 * ```ts
 * const query: HistoryObserverQuery = { limit: 20, channels: ['email', 'call'], types: ['touchpoint'] }
 * ```
 */
export type HistoryObserverQuery = Omit<CrmHistoryQuery, 'cursor'>;

/**
 * What {@link HistoryObserver.getSnapshot} returns: the items read so far, newest first.
 *
 * @example
 * ```ts
 * const { data: items = [], hasNextPage }: HistorySnapshot = history.getSnapshot()
 * ```
 */
export type HistorySnapshot = PagedSnapshot<HistoryItem>;

const summarize = complaintSummary;

const sameSummary = (a: ComplaintSummary, b: ComplaintSummary) =>
  a.subject === b.subject && a.status === b.status && a.priority === b.priority && a.ownerId === b.ownerId && a.channel === b.channel;

/**
 * A customer's history, paged and live: the first page of `crm.history(customerId, query)`, more
 * with `fetchNextPage()`, and every touchpoint logged for the customer, and every new complaint
 * activity entry (responses, hand-offs, status changes), put in its place — at the top, for what
 * just happened — without a reload, whoever wrote it. Complaint items show each complaint as it
 * is now. Erasing the customer turns the snapshot into an `error` (`CrmNotFoundError`).
 *
 * @example
 * ```ts
 * const history = new HistoryObserver(crm, customerId, { limit: 20 })
 * const stop = history.subscribe(({ data, hasNextPage }) => render(data ?? [], hasNextPage))
 * await history.fetchNextPage() // on scroll
 * ```
 */
export class HistoryObserver extends PagedObserver<HistoryItem> {
  /** The customer whose history this is. */
  readonly customerId: string;
  readonly #query: HistoryObserverQuery;
  readonly #channels: ReadonlySet<Channel> | null;
  readonly #touchpoints: boolean;
  readonly #activity: boolean;
  /** Complaint versions seen in changes, so a replayed older change never undoes a newer one. */
  readonly #complaintVersions = new Map<string, number>();

  constructor(crm: Crm, customerId: string, query: HistoryObserverQuery = {}) {
    super(crm);
    this.customerId = customerId;
    this.#query = { ...query };
    this.#channels = query.channels ? new Set(query.channels) : null;
    const types = query.types ?? ['touchpoint', 'complaint_activity'];
    this.#touchpoints = types.includes('touchpoint');
    this.#activity = types.includes('complaint_activity');
  }

  protected loadPage(cursor: string | null): Promise<Page<HistoryItem>> {
    return this.crm.history(this.customerId, { ...this.#query, cursor });
  }

  /** Newest first, by `at` then `id`, as stores order a history. */
  protected compare(a: HistoryItem, b: HistoryItem): number {
    if (a.at !== b.at) return a.at > b.at ? -1 : 1;
    return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
  }

  protected interests(): readonly ChangeInterest[] {
    return [{ customerId: this.customerId }];
  }

  protected override onStart(): void {
    this.#complaintVersions.clear();
  }

  protected applyChanges(changes: readonly Change[]): void {
    for (const change of changes) {
      if (change.entity === 'customers' && change.id === this.customerId && change.op === 'delete') {
        this.setSnapshot({
          status: 'error',
          data: undefined,
          error: new CrmNotFoundError('customer', this.customerId),
          hasNextPage: false,
        });
        return;
      }
    }
    let unplaced = false;
    this.edit((list) => {
      for (const change of changes) {
        if (change.entity === 'touchpoints') {
          const touchpoint = change.record as Touchpoint | undefined;
          if (!touchpoint) {
            if (change.op === 'delete') list.remove(change.id);
            else unplaced = true;
            continue;
          }
          const held = list.get(touchpoint.id);
          if (held?.type === 'touchpoint' && held.touchpoint.version >= touchpoint.version) continue;
          if (
            touchpoint.customerId !== this.customerId ||
            !this.#touchpoints ||
            (this.#channels && !this.#channels.has(touchpoint.channel))
          )
            list.remove(touchpoint.id);
          else list.put({ type: 'touchpoint', id: touchpoint.id, at: touchpoint.occurredAt, touchpoint });
        } else if (change.entity === 'complaints') {
          const complaint = change.record as Complaint | undefined;
          const ofComplaint = (item: HistoryItem) => item.type === 'complaint_activity' && item.complaint.id === change.id;
          if (!complaint) {
            if (change.op === 'delete') list.removeWhere(ofComplaint);
            else unplaced = true;
            continue;
          }
          if ((this.#complaintVersions.get(complaint.id) ?? 0) >= complaint.version) continue;
          this.#complaintVersions.set(complaint.id, complaint.version);
          if (complaint.customerId !== this.customerId || !this.#activity || (this.#channels && !this.#channels.has(complaint.channel))) {
            list.removeWhere(ofComplaint);
            continue;
          }
          const summary = summarize(complaint);
          for (const activity of complaint.activity) {
            const held = list.get(activity.id);
            if (held?.type === 'complaint_activity' && sameSummary(held.complaint, summary)) continue;
            list.put({ type: 'complaint_activity', id: activity.id, at: activity.at, complaint: summary, activity });
          }
        }
      }
    });
    // A feed that leaves records out (a remote client, say): read the first page again.
    if (unplaced) this.invalidate(0);
  }
}
