import type { Crm } from '../crm.js';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import type { SlaTarget } from '../events/events.js';
import type { Complaint } from '../schemas/complaint.js';
import type { SlaState, SlaStatus } from '../sla/engine.js';
import type { Change } from '../store/types.js';
import { CrmObserver, toError, type ObserverSnapshot } from './crmObserver.js';
import type { ChangeInterest } from './observerClient.js';

const MINUTE = 60_000;

/**
 * One SLA target as a widget shows it: its state and whole business minutes.
 *
 * @example
 * ```ts
 * const { state, remainingMinutes } = sla.getSnapshot().display.resolution ?? {}
 * ```
 */
export interface SlaTargetDisplay {
  readonly state: SlaState;
  /** Whole business minutes used: `Math.floor(elapsedMinutes)`. */
  readonly elapsedMinutes: number;
  /** `targetMinutes - elapsedMinutes` (whole): negative once the target is exceeded. */
  readonly remainingMinutes: number;
}

/**
 * What {@link SlaStatusObserver.getSnapshot} returns.
 *
 * @example
 * ```ts
 * const { display, data }: SlaStatusSnapshot = sla.getSnapshot()
 * display.firstResponse?.state // 'running' | 'warning' | 'breached' | …
 * data?.targets.firstResponse?.dueAt // a Date
 * ```
 */
export interface SlaStatusSnapshot extends ObserverSnapshot<SlaStatus> {
  /**
   * Per target, what a widget shows. The snapshot changes when one of these does (or the
   * complaint does), not at every tick; `data` is the status computed at that moment.
   */
  readonly display: Readonly<Partial<Record<SlaTarget, SlaTargetDisplay>>>;
}

/** Epoch ms of an instant (a `Date`, or an ISO string from a client that didn't revive it); NaN for none. */
const msOf = (at: Date | string | null): number => (at === null ? Number.NaN : new Date(at).getTime());

/** States in which the clock runs, so the minutes move. */
const RUNNING: ReadonlySet<SlaState> = new Set(['running', 'warning', 'breached']);

function displayOf(status: SlaStatus): Partial<Record<SlaTarget, SlaTargetDisplay>> {
  const display: Partial<Record<SlaTarget, SlaTargetDisplay>> = {};
  for (const [target, t] of Object.entries(status.targets) as [SlaTarget, NonNullable<SlaStatus['targets'][SlaTarget]>][]) {
    const elapsed = Math.floor(t.elapsedMinutes);
    display[target] = Object.freeze({ state: t.state, elapsedMinutes: elapsed, remainingMinutes: t.targetMinutes - elapsed });
  }
  return display;
}

const sameDisplay = (a: SlaStatusSnapshot['display'], b: SlaStatusSnapshot['display']) => {
  const ka = Object.keys(a) as SlaTarget[];
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => {
    const x = a[k]!;
    const y = b[k];
    return !!y && x.state === y.state && x.elapsedMinutes === y.elapsedMinutes && x.remainingMinutes === y.remainingMinutes;
  });
};

/**
 * The SLA status of one complaint, live: `crm.sla.statusOf(complaint, now)` on the CRM's clock,
 * recomputed when the complaint changes and when a target's state or displayed minute changes —
 * with one timer to the next such instant (the next whole business minute of a running clock, a
 * warning, a breach), never on every tick. The timer comes from the CRM's clock when it has
 * `setTimer` (a manual clock), else from the observer client's timers.
 *
 * @example
 * ```ts
 * const sla = new SlaStatusObserver(crm, complaintId)
 * const stop = sla.subscribe(({ display }) => {
 *   const first = display.firstResponse
 *   if (first) badge(`${first.state}: ${first.remainingMinutes} min`)
 * })
 * ```
 */
export class SlaStatusObserver extends CrmObserver<SlaStatus, SlaStatusSnapshot> {
  /** The complaint whose SLA this is. */
  readonly complaintId: string;
  #complaint: Complaint | null = null;
  #cancelTimer: (() => void) | null = null;
  /** Counts evaluations, so a late answer from the server never overwrites a newer one. */
  #evaluation = 0;

  constructor(crm: Crm, complaintId: string) {
    super(crm, { display: {} });
    this.complaintId = complaintId;
  }

  protected async load(): Promise<SlaStatus> {
    const complaint = await this.crm.complaints.get(this.complaintId);
    // A change may have brought a newer version while the read was under way.
    if (!this.#complaint || this.#complaint.version <= complaint.version) this.#complaint = complaint;
    const at = new Date(this.now());
    try {
      return this.crm.sla.statusOf(this.#complaint, at);
    } catch {
      // A client that can't work SLAs out itself asks the server (which fails alike if it's a real error).
      return this.crm.sla.status(this.complaintId, at);
    }
  }

  protected override loaded(status: SlaStatus): Partial<SlaStatusSnapshot> {
    this.#plan(status);
    const display = displayOf(status);
    return { display: sameDisplay(display, this.getSnapshot().display) ? this.getSnapshot().display : display };
  }

  protected interests(): readonly ChangeInterest[] {
    return [{ entity: 'complaints', id: this.complaintId }];
  }

  protected applyChanges(changes: readonly Change[]): void {
    let latest: Change | undefined;
    for (const change of changes) if (change.entity === 'complaints' && change.id === this.complaintId) latest = change;
    if (!latest) return;
    if (latest.op === 'delete') {
      this.#complaint = null;
      this.#evaluation++;
      this.#clearTimer();
      this.setSnapshot({ status: 'error', data: undefined, error: new CrmNotFoundError('complaint', this.complaintId), display: {} });
      return;
    }
    const record = latest.entity === 'complaints' ? latest.record : undefined;
    // A feed that leaves records out (a remote client, say): read the complaint again.
    if (!record) return this.invalidate(0);
    if (this.#complaint && this.#complaint.version >= record.version) return;
    this.#complaint = record;
    this.#evaluate(true);
  }

  protected override onStop(): void {
    this.#clearTimer();
  }

  /** Works the status out now; a new snapshot when the display changed (or `always`, after a write). */
  #evaluate(always: boolean): void {
    const complaint = this.#complaint;
    if (!complaint) return;
    const at = new Date(this.now());
    const token = ++this.#evaluation;
    let status: SlaStatus;
    try {
      status = this.crm.sla.statusOf(complaint, at);
    } catch {
      this.crm.sla.status(this.complaintId, at).then(
        (remote) => token === this.#evaluation && this.#show(remote, always),
        (error: unknown) => token === this.#evaluation && this.#fail(error),
      );
      return;
    }
    this.#show(status, always);
  }

  #show(status: SlaStatus, always: boolean): void {
    const previous = this.getSnapshot();
    const display = displayOf(status);
    const same = sameDisplay(display, previous.display);
    if (always || !same || previous.status !== 'success') {
      this.setSnapshot({
        status: 'success',
        data: status,
        error: null,
        display: same ? previous.display : display,
        updatedAt: this.now(),
      });
    }
    this.#plan(status);
  }

  #fail(error: unknown): void {
    this.#clearTimer();
    this.setSnapshot({ status: 'error', error: toError(error) });
  }

  /** Sets the one timer, to the next instant the display can change. */
  #plan(status: SlaStatus): void {
    this.#clearTimer();
    if (!this.active) return;
    const now = msOf(status.at);
    let next = Number.POSITIVE_INFINITY;
    for (const t of Object.values(status.targets)) {
      if (!t || !RUNNING.has(t.state)) continue;
      // The next whole business minute: a wall-clock minute away at most while the calendar is
      // open (while it is closed the minute doesn't move, and the wake-up changes nothing).
      const fraction = t.elapsedMinutes - Math.floor(t.elapsedMinutes);
      next = Math.min(next, now + Math.max(1, Math.ceil((1 - fraction) * MINUTE)));
      const warningAt = msOf(t.warningAt);
      if (t.state === 'running' && warningAt > now) next = Math.min(next, warningAt);
      // Breached from the first millisecond after `dueAt`.
      const breachAt = msOf(t.dueAt) + 1;
      if (t.state !== 'breached' && breachAt > now) next = Math.min(next, breachAt);
    }
    if (!Number.isFinite(next)) return;
    const fire = () => {
      this.#cancelTimer = null;
      if (this.active) this.#evaluate(false);
    };
    const clock = this.crm.clock;
    if (typeof clock.setTimer === 'function') {
      this.#cancelTimer = clock.setTimer(new Date(next), fire);
    } else {
      const { timers } = this.client;
      const handle = timers.setTimeout(fire, next - this.now());
      this.#cancelTimer = () => timers.clearTimeout(handle);
    }
  }

  #clearTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }
}
