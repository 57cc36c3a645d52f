/** One order in which a {@link SortedIndex} keeps each group. */
export interface Ordering<R> {
  /** The record's unique sort key in this order (what cursors hold). */
  keyOf(record: R): string;
  /**
   * Whether `a` sorts before `b`: the same order as comparing keys, answered without building
   * keys (the hot path of every insert). Defaults to comparing `keyOf`.
   */
  before?(a: R, b: R): boolean;
}

const NO_ITEMS: readonly never[] = [];

/**
 * Records grouped by a key (a customer id, a status, an email) and kept sorted within each group
 * in one or more orders, so a page is a binary search plus a walk: O(log n + page size). Several
 * orders share one group lookup, which is most of the cost of an insert into a large index.
 */
export class SortedIndex<R> {
  readonly #groups = new Map<string, R[][]>();
  readonly #keys: ((record: R) => string)[];
  readonly #before: ((a: R, b: R) => boolean)[];

  constructor(orderings: readonly Ordering<R>[]) {
    this.#keys = orderings.map((o) => o.keyOf);
    this.#before = orderings.map((o) => o.before ?? ((a: R, b: R) => o.keyOf(a) < o.keyOf(b)));
  }

  /** Adds `record` to `group` in every order. Appending in key order (the usual case) is O(1). */
  add(group: string, record: R): void {
    const lists = this.#groups.get(group);
    if (!lists) {
      this.#groups.set(
        group,
        this.#keys.map(() => [record]),
      );
      return;
    }
    for (let o = 0; o < lists.length; o++) this.#insert(lists[o]!, o, record);
  }

  /** Removes `record` (found by its keys) from `group`. */
  delete(group: string, record: R): void {
    const lists = this.#groups.get(group);
    if (!lists) return;
    for (let o = 0; o < lists.length; o++) this.#remove(lists[o]!, o, record);
    if (lists[0]!.length === 0) this.#groups.delete(group);
  }

  /** Puts `record` in the place of `previous` (the same record before an update) within `group`. */
  replace(group: string, previous: R, record: R): void {
    const lists = this.#groups.get(group);
    if (!lists) return this.add(group, record);
    for (let o = 0; o < lists.length; o++) {
      const items = lists[o]!;
      const keyOf = this.#keys[o]!;
      const key = keyOf(previous);
      const i = this.#lowerBound(items, o, key);
      if (key === keyOf(record) && i < items.length && keyOf(items[i]!) === key) {
        items[i] = record;
      } else {
        this.#remove(items, o, previous);
        this.#insert(items, o, record);
      }
    }
  }

  /** The record of `group` whose key (in the first ordering) is `key`, if any: a binary search. */
  find(group: string, key: string): R | undefined {
    const items = this.#groups.get(group)?.[0];
    if (!items) return undefined;
    const found = items[this.#lowerBound(items, 0, key)];
    return found !== undefined && this.#keys[0]!(found) === key ? found : undefined;
  }

  /**
   * Walks `group` in ordering `ordering` (`desc`: largest key first), starting strictly after
   * `afterKey` (or at the start), yielding records until the caller stops.
   */
  *walk(group: string, order: 'asc' | 'desc', afterKey?: string, ordering = 0): Generator<R, void, undefined> {
    const { items, start } = this.span(group, order, afterKey, ordering);
    if (order === 'asc') for (let i = start; i < items.length; i++) yield items[i]!;
    else for (let i = start; i >= 0; i--) yield items[i]!;
  }

  /**
   * What {@link SortedIndex.walk} walks, for loops that step themselves (no generator per page):
   * `group`'s records in ordering `ordering` (not to be changed) and the position of the first
   * record strictly after `afterKey`, counting up from there for `asc` and down for `desc` (-1:
   * none left).
   */
  span(group: string, order: 'asc' | 'desc', afterKey?: string, ordering = 0): { items: readonly R[]; start: number } {
    const items = this.#groups.get(group)?.[ordering];
    if (!items) return { items: NO_ITEMS as readonly R[], start: order === 'asc' ? 0 : -1 };
    if (order === 'asc') return { items, start: afterKey === undefined ? 0 : this.#upperBound(items, ordering, afterKey) };
    return { items, start: afterKey === undefined ? items.length - 1 : this.#lowerBound(items, ordering, afterKey) - 1 };
  }

  #insert(items: R[], o: number, record: R): void {
    const before = this.#before[o]!;
    const last = items[items.length - 1];
    if (last === undefined || before(last, record)) {
      items.push(record);
      return;
    }
    // Out of order (a backdated touchpoint): binary search with the comparator, building no keys.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(items[mid]!, record)) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, record);
  }

  #remove(items: R[], o: number, record: R): void {
    const keyOf = this.#keys[o]!;
    const key = keyOf(record);
    const i = this.#lowerBound(items, o, key);
    if (i < items.length && keyOf(items[i]!) === key) items.splice(i, 1);
  }

  /** First position whose key is >= `key`. */
  #lowerBound(items: R[], o: number, key: string): number {
    const keyOf = this.#keys[o]!;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(items[mid]!) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose key is > `key`. */
  #upperBound(items: R[], o: number, key: string): number {
    const keyOf = this.#keys[o]!;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(items[mid]!) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Merges walks that are each in key order into one walk in key order (largest first for
 * `desc`). Used for a history (touchpoints + activity) and for "any of these statuses".
 */
export function* mergeWalks<R>(walks: Iterator<R>[], keyOf: (record: R) => string, order: 'asc' | 'desc'): Generator<R, void, undefined> {
  const heads: { value: R; key: string; it: Iterator<R> }[] = [];
  for (const it of walks) {
    const next = it.next();
    if (!next.done) heads.push({ value: next.value, key: keyOf(next.value), it });
  }
  while (heads.length > 0) {
    let best = 0;
    for (let i = 1; i < heads.length; i++) {
      const better = order === 'asc' ? heads[i]!.key < heads[best]!.key : heads[i]!.key > heads[best]!.key;
      if (better) best = i;
    }
    const head = heads[best]!;
    yield head.value;
    const next = head.it.next();
    if (next.done) heads.splice(best, 1);
    else {
      head.value = next.value;
      head.key = keyOf(next.value);
    }
  }
}
