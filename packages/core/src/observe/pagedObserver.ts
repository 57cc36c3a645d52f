import type { Crm } from '../crm.js';
import type { Page } from '../store/types.js';
import { CrmObserver, toError, type ObserverSnapshot } from './crmObserver.js';

/**
 * The snapshot of a paged list ({@link HistoryObserver}, {@link ComplaintListObserver}).
 *
 * @example
 * ```ts
 * const { data = [], hasNextPage, isFetchingNextPage } = history.getSnapshot()
 * if (hasNextPage && !isFetchingNextPage && nearTheEnd) void history.fetchNextPage()
 * ```
 */
export interface PagedSnapshot<TItem> extends ObserverSnapshot<readonly TItem[]> {
  /** More items can be read with `fetchNextPage()`. */
  readonly hasNextPage: boolean;
  /** `fetchNextPage()` is under way. */
  readonly isFetchingNextPage: boolean;
  /** Why the last `fetchNextPage()` failed, else `null` (the items read so far stay). */
  readonly fetchNextPageError: Error | null;
}

/**
 * The base of paged, live lists: the first page is read when the observer starts, later pages on
 * `fetchNextPage()`, and changes are patched into the pages read so far (an item that sorts after
 * the last one read waits for its page). Items keep their identity until they change.
 *
 * @example
 * ```ts
 * class OpenTouchpoints extends PagedObserver<Touchpoint> {
 *   protected loadPage(cursor: string | null) { return this.crm.touchpoints.list({ cursor }) }
 *   protected compare(a: Touchpoint, b: Touchpoint) { return a.id < b.id ? 1 : a.id > b.id ? -1 : 0 }
 *   protected interests() { return [{ entity: 'touchpoints' as const }] }
 *   protected applyChanges(changes: readonly Change[]) {
 *     this.edit((list) => { for (const c of changes) if (c.entity === 'touchpoints' && c.record) list.put(c.record) })
 *   }
 * }
 * ```
 */
export abstract class PagedObserver<TItem extends { readonly id: string }> extends CrmObserver<readonly TItem[], PagedSnapshot<TItem>> {
  #cursor: string | null = null;
  #pageGeneration = 0;

  protected constructor(crm: Crm) {
    super(crm, { hasNextPage: false, isFetchingNextPage: false, fetchNextPageError: null });
  }

  /**
   * Reads the next page and appends it. Does nothing while one is being read or when there is none.
   * Resolves with the snapshot; never rejects (a failure is in `fetchNextPageError`).
   *
   * @example
   * ```ts
   * if (observer.getSnapshot().hasNextPage) await observer.fetchNextPage()
   * ```
   */
  async fetchNextPage(): Promise<PagedSnapshot<TItem>> {
    const start = this.getSnapshot();
    if (!start.hasNextPage || start.isFetchingNextPage || start.data === undefined || this.#cursor === null) return start;
    const generation = this.#pageGeneration;
    this.setSnapshot({ isFetchingNextPage: true, fetchNextPageError: null });
    let page: Page<TItem>;
    try {
      page = await this.loadPage(this.#cursor);
    } catch (error) {
      if (generation === this.#pageGeneration) this.setSnapshot({ isFetchingNextPage: false, fetchNextPageError: toError(error) });
      return this.getSnapshot();
    }
    // The list was read again meanwhile: this page belongs to the old one.
    if (generation !== this.#pageGeneration) return this.getSnapshot();
    const items = this.getSnapshot().data ?? [];
    const have = new Set(items.map((item) => item.id));
    this.#cursor = page.nextCursor;
    this.setSnapshot({
      data: [...items, ...page.items.filter((item) => !have.has(item.id))],
      hasNextPage: page.nextCursor !== null,
      isFetchingNextPage: false,
    });
    return this.getSnapshot();
  }

  /** Reads one page. */
  protected abstract loadPage(cursor: string | null): Promise<Page<TItem>>;
  /** The list's order: negative when `a` comes first. */
  protected abstract compare(a: TItem, b: TItem): number;

  protected async load(): Promise<readonly TItem[]> {
    const generation = ++this.#pageGeneration;
    const page = await this.loadPage(null);
    if (generation === this.#pageGeneration) this.#cursor = page.nextCursor;
    return page.items;
  }

  protected override loaded(): Partial<PagedSnapshot<TItem>> {
    return { hasNextPage: this.#cursor !== null, isFetchingNextPage: false, fetchNextPageError: null };
  }

  /**
   * Edits the items read so far: `edit` gets helpers to put and remove items; one new snapshot is
   * made at the end if anything changed. Does nothing before the first read.
   */
  protected edit(edit: (list: ListEditor<TItem>) => void): void {
    const current = this.getSnapshot().data;
    if (current === undefined) return;
    let items: TItem[] | null = null;
    const mutable = () => (items ??= [...current]);
    const view = () => items ?? current;
    const indexOf = (id: string) => view().findIndex((item) => item.id === id);
    const editor: ListEditor<TItem> = {
      get: (id) => view().find((item) => item.id === id),
      remove: (id) => {
        const i = indexOf(id);
        if (i >= 0) mutable().splice(i, 1);
      },
      put: (item) => {
        const i = indexOf(item.id);
        if (i >= 0) {
          if (view()[i] === item) return;
          mutable().splice(i, 1);
        }
        const list = view();
        const last = list[list.length - 1];
        // Beyond the pages read: it will come with its page.
        if (this.#cursor !== null && last !== undefined && this.compare(item, last) > 0) return;
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (this.compare(list[mid]!, item) <= 0) lo = mid + 1;
          else hi = mid;
        }
        mutable().splice(lo, 0, item);
      },
      removeWhere: (test) => {
        if (!view().some(test)) return;
        items = view().filter((item) => !test(item));
      },
    };
    edit(editor);
    if (items !== null) this.setSnapshot({ data: items, updatedAt: this.now() });
  }
}

/**
 * The helpers of {@link PagedObserver.edit}.
 *
 * @example
 * ```ts
 * this.edit((list) => {
 *   if (list.get(id)) list.remove(id)
 * })
 * ```
 */
export interface ListEditor<TItem> {
  /** The item with this id, if it is in the pages read. */
  get(id: string): TItem | undefined;
  /** Puts `item` in its place (replacing the item with its id), if it falls within the pages read. */
  put(item: TItem): void;
  /** Removes the item with this id. */
  remove(id: string): void;
  /** Removes every item that passes `test`. */
  removeWhere(test: (item: TItem) => boolean): void;
}
