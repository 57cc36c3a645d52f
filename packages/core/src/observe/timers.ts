/**
 * Where observers get their timers: the SLA status's next-minute wake-ups (unless the CRM's clock
 * has `setTimer`) and the short delays that fold a burst of changes into one refresh.
 *
 * @example
 * ```ts
 * observerClient(crm, { timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as never) } })
 * ```
 */
export interface ObserverTimers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer set with `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

interface Host {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The runtime's own timers, looked up on `globalThis` at each call (so fake timers installed later
 * are used). A waiting timer doesn't keep a Node process alive.
 */
export const hostTimers: ObserverTimers = {
  setTimeout(callback, ms) {
    // Every runtime has these; core's types leave out both DOM and Node, so they are declared here.
    const handle = (globalThis as unknown as Host).setTimeout(callback, Math.min(MAX_TIMEOUT, Math.max(0, ms)));
    (handle as { unref?: () => void } | null)?.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    (globalThis as unknown as Host).clearTimeout(handle);
  },
};
