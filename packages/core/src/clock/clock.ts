/**
 * Where the CRM gets the time. Inject one to make time-dependent behaviour (default
 * `occurredAt`, timestamps, SLA clocks) deterministic in tests.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests and simulations. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): Date;
  /** Sets the clock to `at`. */
  set(at: Date | string): Date;
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
  return {
    now: () => new Date(ms),
    advance(by) {
      if (!Number.isFinite(by) || by < 0) throw new RangeError('manualClock.advance: expected a non-negative number of milliseconds');
      ms += by;
      return new Date(ms);
    },
    set(at) {
      const next = new Date(at).getTime();
      if (Number.isNaN(next)) throw new TypeError('manualClock.set: invalid time');
      ms = next;
      return new Date(ms);
    },
  };
}
