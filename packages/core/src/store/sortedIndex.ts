/**
 * Records grouped by a key (a customer id, a status, an email) and kept sorted within each group
 * by a unique string key, so a page is a binary search plus a walk: O(log n + page size).
 */
export class SortedIndex<R> {
  readonly #groups = new Map<string, R[]>();
  readonly #keyOf: (record: R) => string;

  constructor(keyOf: (record: R) => string) {
    this.#keyOf = keyOf;
  }

  /** Adds `record` to `group`. Appending in key order (the usual case) is O(1). */
  add(group: string, record: R): void {
    let items = this.#groups.get(group);
    if (!items) {
      this.#groups.set(group, [record]);
      return;
    }
    const key = this.#keyOf(record);
    const last = items[items.length - 1];
    if (last === undefined || this.#keyOf(last) < key) items.push(record);
    else items.splice(this.#lowerBound(items, key), 0, record);
  }

  /** Removes the record with `key` from `group`. */
  delete(group: string, key: string): void {
    const items = this.#groups.get(group);
    if (!items) return;
    const i = this.#lowerBound(items, key);
    if (i < items.length && this.#keyOf(items[i]!) === key) {
      items.splice(i, 1);
      if (items.length === 0) this.#groups.delete(group);
    }
  }

  /** Replaces the record with the same key in `group` (after an update that kept its key). */
  replace(group: string, record: R): void {
    const items = this.#groups.get(group);
    const key = this.#keyOf(record);
    if (items) {
      const i = this.#lowerBound(items, key);
      if (i < items.length && this.#keyOf(items[i]!) === key) {
        items[i] = record;
        return;
      }
    }
    this.add(group, record);
  }

  /** How many records `group` holds. */
  size(group: string): number {
    return this.#groups.get(group)?.length ?? 0;
  }

  /**
   * Walks `group` in key order (`desc`: largest first) starting strictly after `afterKey`
   * (or at the start), yielding records until the caller stops.
   */
  *walk(group: string, order: 'asc' | 'desc', afterKey?: string): Generator<R, void, undefined> {
    const items = this.#groups.get(group);
    if (!items) return;
    if (order === 'asc') {
      let i = afterKey === undefined ? 0 : this.#upperBound(items, afterKey);
      while (i < items.length) yield items[i++]!;
    } else {
      let i = afterKey === undefined ? items.length - 1 : this.#lowerBound(items, afterKey) - 1;
      while (i >= 0) yield items[i--]!;
    }
  }

  /** First position whose key is >= `key`. */
  #lowerBound(items: R[], key: string): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#keyOf(items[mid]!) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose key is > `key`. */
  #upperBound(items: R[], key: string): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#keyOf(items[mid]!) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Merges walks that are each in key order into one walk in key order (largest first for
 * `desc`). Used for a history (touchpoints + activity) and for "any of these statuses".
 */
export function* mergeWalks<R>(
  walks: Iterator<R>[],
  keyOf: (record: R) => string,
  order: 'asc' | 'desc',
): Generator<R, void, undefined> {
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
