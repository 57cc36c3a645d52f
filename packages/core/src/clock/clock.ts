/**
 * Where the CRM gets the time. Inject one to make time-dependent behaviour (default
 * `occurredAt`, timestamps, SLA clocks) deterministic in tests.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /**
   * Calls `callback` once when the clock reaches `at`; returns a function that cancels it.
   * Optional: without it the SLA scheduler uses `setTimeout` for `at - now()`. A manual clock
   * fires its timers as it is moved, so simulations need no real waiting.
   */
  setTimer?(at: Date, callback: () => void): () => void;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests and simulations. */
export interface ManualClock extends Clock {
  /**
   * Moves the clock forward by `ms` milliseconds, firing the timers due on the way in time
   * order, each with the clock set to its instant.
   */
  advance(ms: number): Date;
  /** Sets the clock to `at` (firing the timers due on the way when moving forward). */
  set(at: Date | string): Date;
  setTimer(at: Date, callback: () => void): () => void;
  /** Timers waiting to fire. */
  readonly pendingTimers: number;
}

/**
 * A {@link ManualClock} starting at `start`.
 *
 * @example
 * ```ts
 * const clock = manualClock('2026-03-02T09:00:00Z')
 * const crm = createCrm({ clock })
 * clock.advance(60_000)
 * ```
 */
export function manualClock(start: Date | string = new Date()): ManualClock {
  let ms = new Date(start).getTime();
  if (Number.isNaN(ms)) throw new TypeError(`manualClock: invalid start time ${JSON.stringify(String(start))}`);
  let seq = 0;
  const timers: { at: number; seq: number; callback: () => void }[] = [];
  const moveTo = (target: number) => {
    for (;;) {
      // The earliest due timer (ties in the order they were set).
      let k = -1;
      for (let i = 0; i < timers.length; i++) {
        const t = timers[i]!;
        if (t.at <= target && (k < 0 || t.at < timers[k]!.at || (t.at === timers[k]!.at && t.seq < timers[k]!.seq))) k = i;
      }
      if (k < 0) break;
      const [timer] = timers.splice(k, 1);
      ms = Math.max(ms, timer!.at);
      timer!.callback();
    }
    ms = target;
    return new Date(ms);
  };
  return {
    now: () => new Date(ms),
    advance(by) {
      if (!Number.isFinite(by) || by < 0) throw new RangeError('manualClock.advance: expected a non-negative number of milliseconds');
      return moveTo(ms + by);
    },
    set(at) {
      const next = new Date(at).getTime();
      if (Number.isNaN(next)) throw new TypeError('manualClock.set: invalid time');
      if (next < ms) {
        ms = next;
        return new Date(ms);
      }
      return moveTo(next);
    },
    setTimer(at, callback) {
      const timer = { at: at.getTime(), seq: seq++, callback };
      timers.push(timer);
      return () => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    get pendingTimers() {
      return timers.length;
    },
  };
}
