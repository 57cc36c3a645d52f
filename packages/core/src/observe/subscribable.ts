/**
 * The base of everything that can be subscribed to in `observe/`: a set of listeners, with hooks
 * for the first one to arrive and the last one to leave.
 *
 * `subscribe` is bound, so it can be handed over as it is (to React's `useSyncExternalStore`).
 *
 * @example
 * ```ts
 * class Ticker extends Subscribable<(n: number) => void> {
 *   #n = 0
 *   tick() { this.#n++; for (const listener of this.listeners) listener(this.#n) }
 *   protected override onSubscribe() { console.log('listeners:', this.listeners.size) }
 * }
 * const stop = new Ticker().subscribe((n) => console.log(n))
 * ```
 */
export class Subscribable<TListener extends (...args: never[]) => void = () => void> {
  /** The listeners now subscribed. */
  protected readonly listeners = new Set<TListener>();

  constructor() {
    this.subscribe = this.subscribe.bind(this);
  }

  /** Adds `listener`. Returns the function that removes it (calling it again does nothing). */
  subscribe(listener: TListener): () => void {
    this.listeners.add(listener);
    this.onSubscribe();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.listeners.delete(listener);
      this.onUnsubscribe();
    };
  }

  /** Whether anyone listens. */
  hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Called after each `subscribe`. */
  protected onSubscribe(): void {}

  /** Called after each unsubscribe. */
  protected onUnsubscribe(): void {}
}
