import type { SlaEvent } from '../events/events.js';
import { UNRESOLVED_STATUSES, type Complaint } from '../schemas/complaint.js';
import type { SlaCrossing } from '../sla/engine.js';
import { escalates, slaEscalation } from '../sla/escalation.js';
import { MinHeap } from '../sla/heap.js';
import type { SlaRules } from '../sla/policies.js';
import type { Page } from '../store/types.js';
import { appendActivity, entryMaker } from './activityWrite.js';
import type { ServiceContext } from './context.js';

/** The SLA scheduler: emits and records `sla.*` crossings as they happen. Made by {@link slaScheduler}. */
export interface SlaScheduler {
  /** Reads the open complaints, catches up on missed crossings, then follows writes and the clock. */
  start(): Promise<void>;
  stop(): void;
  /** Resolves when the work in flight (recording and emitting crossings) is done. */
  idle(): Promise<void>;
  readonly running: boolean;
  /** Complaints the scheduler is waiting on. */
  readonly tracked: number;
}

const MAX_TIMEOUT = 2 ** 31 - 1;
/** Thrown inside a write to abandon it when another process has already recorded the crossings. */
const NOTHING_TO_RECORD = Symbol('nothing to record');

/**
 * The scheduler of a CRM's SLA crossings, over its services' context: one timer for the
 * nearest deadline (a heap of each tracked complaint's next crossing), re-planned on every
 * complaint write — from the store's feed when it pushes, else from this CRM's own writes.
 * Each crossing is recorded in the complaint's activity log (an `sla` entry) in the same write
 * that applies its escalation, so it is emitted once, even across restarts and processes.
 */
export function slaScheduler(ctx: ServiceContext, rules: SlaRules): SlaScheduler {
  const entry = entryMaker(ctx);
  let running = false;
  let unsubscribe: (() => void) | null = null;
  const heap = new MinHeap<string>();
  /** Each tracked complaint's next crossing (epoch ms); heap entries with another instant are stale. */
  const nextAt = new Map<string, number>();
  let timerAt = Number.POSITIVE_INFINITY;
  let cancelTimer: (() => void) | null = null;
  /** Per complaint, the evaluation in progress, so one complaint is never evaluated twice at once. */
  const inFlight = new Map<string, Promise<void>>();
  /** Complaints whose evaluation must run again when the one in flight ends. */
  const again = new Map<string, Complaint | null>();

  const now = () => ctx.clock.now().getTime();

  function setTimer(at: number, fn: () => void): () => void {
    const clock = ctx.clock as { setTimer?: (at: Date, fn: () => void) => () => void };
    if (typeof clock.setTimer === 'function') return clock.setTimer(new Date(at), fn);
    // Every runtime has these; core's types leave out both DOM and Node, so they are declared here.
    const host = globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
    const handle = host.setTimeout(fn, Math.min(MAX_TIMEOUT, Math.max(0, at - now())));
    // Node: a waiting SLA timer doesn't keep the process alive.
    (handle as { unref?: () => void }).unref?.();
    return () => host.clearTimeout(handle);
  }

  function arm(): void {
    // Drop stale entries so the top is a live deadline.
    while (heap.size && nextAt.get(heap.peek()!.value) !== heap.peek()!.key) heap.pop();
    const top = heap.peek();
    const at = top ? top.key : Number.POSITIVE_INFINITY;
    if (at === timerAt) return;
    cancelTimer?.();
    cancelTimer = null;
    timerAt = at;
    if (running && Number.isFinite(at)) cancelTimer = setTimer(at, fire);
  }

  function fire(): void {
    cancelTimer = null;
    timerAt = Number.POSITIVE_INFINITY;
    if (!running) return;
    const t = now();
    while (heap.size && heap.peek()!.key <= t) {
      const { key, value: id } = heap.pop()!;
      if (nextAt.get(id) !== key) continue;
      nextAt.delete(id);
      evaluate(id, null);
    }
    // A timer that fired early (long delays are split) just re-arms.
    arm();
  }

  function plan(id: string, at: number): void {
    if (!Number.isFinite(at)) nextAt.delete(id);
    else if (nextAt.get(id) !== at) {
      nextAt.set(id, at);
      heap.push(at, id);
    }
    arm();
  }

  /** Evaluates a complaint (the record given, or read fresh from the store), one at a time per complaint. */
  function evaluate(id: string, complaint: Complaint | null): void {
    if (inFlight.has(id)) {
      again.set(id, complaint);
      return;
    }
    const run = (async () => {
      try {
        const record = complaint ?? (await ctx.store.get('complaints', id));
        if (running && record) await settle(record);
        else if (!record) nextAt.delete(id);
      } catch (error) {
        ctx.emit('error', { error, event: 'sla.scheduler' });
      } finally {
        inFlight.delete(id);
        if (again.has(id)) {
          const next = again.get(id)!;
          again.delete(id);
          evaluate(id, next);
        }
      }
    })();
    inFlight.set(id, run);
  }

  /** Records and emits the complaint's due crossings, applies escalations, and plans the next one. */
  async function settle(complaint: Complaint): Promise<void> {
    const policy = rules.policyOf(complaint);
    const cal = policy && rules.calendarOf(policy);
    if (!policy || !cal || complaint.status === 'closed') {
      plan(complaint.id, Number.POSITIVE_INFINITY);
      return;
    }
    const t = now();
    const first = rules.crossings(complaint, policy, cal, t);
    if (first.due.length === 0) {
      plan(complaint.id, first.next);
      return;
    }
    let crossings: SlaCrossing[] = [];
    let written: Awaited<ReturnType<typeof appendActivity>>;
    try {
      written = await appendActivity(ctx, complaint.id, undefined, (current) => {
        // Worked out again on the record being written: another process may have recorded them.
        crossings = rules.crossings(current, policy, cal, t).due.sort((a, b) => a.at - b.at);
        if (crossings.length === 0) throw NOTHING_TO_RECORD;
        return slaEscalation(current, policy, crossings, entry);
      });
    } catch (error) {
      if (error !== NOTHING_TO_RECORD) throw error;
      const fresh = await ctx.store.get('complaints', complaint.id);
      plan(complaint.id, fresh ? rules.crossings(fresh, policy, cal, now()).next : Number.POSITIVE_INFINITY);
      return;
    }
    const { record, entries } = written;
    for (const c of crossings) {
      const payload: SlaEvent = {
        complaint: record,
        target: c.target,
        dueAt: new Date(c.dueAt).toISOString(),
        at: new Date(c.at).toISOString(),
      };
      ctx.emit(c.event === 'warning' ? 'sla.warning' : c.event === 'met' ? 'sla.met' : 'sla.breached', payload);
      if (escalates(policy, c)) {
        try {
          await policy.onBreach?.call?.(payload);
        } catch (error) {
          ctx.emit('error', { error, event: 'sla.breached' });
        }
      }
    }
    // The write changed the complaint (and maybe its priority): plan from the stored record.
    if (entries.length) plan(record.id, rules.crossings(record, policy, cal, now()).next);
  }

  async function catchUp(): Promise<void> {
    let cursor: string | null = null;
    do {
      const page: Page<Complaint> = await ctx.store.list('complaints', {
        filter: { status: [...UNRESOLVED_STATUSES, 'resolved'] },
        limit: 500,
        cursor,
      });
      for (const complaint of page.items) evaluate(complaint.id, complaint);
      cursor = page.nextCursor;
    } while (cursor);
    await Promise.all([...inFlight.values()]);
  }

  return {
    get running() {
      return running;
    },
    get tracked() {
      return nextAt.size;
    },
    async start() {
      if (running) return;
      running = true;
      // Writes from anywhere (other CRM instances on the same store) re-plan their complaints,
      // through the CRM's one feed subscription; on a store that can't push (polled), this CRM's
      // own writes are told by its services at once too.
      const stopFeed = ctx.subscribe((changes) => {
        for (const change of changes) if (change.entity === 'complaints' && change.record) evaluate(change.id, change.record);
      });
      const stopHook = ctx.store.capabilities.subscribe ? null : ctx.complaintWritten.add((complaint) => evaluate(complaint.id, complaint));
      unsubscribe = () => {
        stopFeed();
        stopHook?.();
      };
      await catchUp();
    },
    async idle() {
      while (inFlight.size) await Promise.all([...inFlight.values()]);
    },
    stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = null;
      cancelTimer?.();
      cancelTimer = null;
      timerAt = Number.POSITIVE_INFINITY;
      nextAt.clear();
      heap.clear();
    },
  };
}
