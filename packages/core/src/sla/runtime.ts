import { businessCalendar, type BusinessCalendar } from '../calendar/calendar.js';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import { CrmValidationError, formatPath, isCrmValidationError } from '../errors/validationError.js';
import type { SlaEvent } from '../events/events.js';
import { parseOrThrow } from '../schemas/parse.js';
import { list, toEpochMs, type Channel } from '../schemas/primitives.js';
import { UNRESOLVED_STATUSES, type Complaint, type ComplaintActivity, type Priority } from '../schemas/complaint.js';
import { SlaPolicySchema, type SlaPolicy, type SlaPolicyInput } from '../schemas/slaPolicy.js';
import { activityEntry, appendActivity } from '../services/complaints.js';
import type { ServiceContext } from '../services/context.js';
import type { Page } from '../store/types.js';
import { slaBrief, slaCrossings, slaStatus, type SlaBrief, type SlaCrossing, type SlaStatus } from './engine.js';
import { MinHeap } from './heap.js';

/** What the services need of the SLA setup: the policies, matching, and a hook for writes. */
export interface SlaRuntime {
  readonly policies: readonly SlaPolicy[];
  readonly byId: ReadonlyMap<string, SlaPolicy>;
  /** The first policy whose conditions match, or undefined. */
  match(priority: Priority, channel: Channel, customerTags: readonly string[]): SlaPolicy | undefined;
  /** Called after every complaint write: lets a running scheduler re-plan. */
  changed(complaint: Complaint): void;
}

/** `crm.sla`: SLA status of complaints, and the scheduler that emits `sla.*` events. */
export interface SlaService {
  /** The policies given to `createCrm`, validated, in matching order. */
  readonly policies: readonly SlaPolicy[];
  /**
   * Where each SLA target of a complaint stands at `at` (default: now): state, business minutes
   * used and left, due and warning instants. A pure function of the complaint's activity log,
   * its policy and the instant — the same after a restart, and for any past instant.
   *
   * @example
   * ```ts
   * const { targets } = await crm.sla.status(complaint.id)
   * targets.firstResponse?.state // 'running' | 'warning' | 'breached' | …
   * ```
   */
  status(complaintId: string, at?: Date | string): Promise<SlaStatus>;
  /** {@link SlaService.status} for a complaint record you already hold (no store read). */
  statusOf(complaint: Complaint, at?: Date | string): SlaStatus;
  /**
   * Starts the scheduler: reads the unresolved (and resolved, not yet closed) complaints, emits
   * and records the crossings that were missed while no scheduler ran, then emits `sla.warning`,
   * `sla.breached` and `sla.met` as they happen, with one timer for the nearest deadline.
   * Resolves once the catch-up is done. Each crossing is recorded in the complaint's activity
   * log (an `sla` entry) in the same write that applies its escalation, so it is emitted once,
   * even across restarts and with several processes sharing a store.
   */
  start(): Promise<void>;
  /** Stops the scheduler (also done by `crm.close()`). */
  stop(): void;
  /**
   * Resolves when the scheduler has finished the work it has started (recording and emitting
   * crossings): for tests and simulations that move a manual clock and then look at the results.
   */
  idle(): Promise<void>;
  /** Whether the scheduler runs. */
  readonly running: boolean;
  /** Complaints the scheduler is waiting on (for monitoring). */
  readonly tracked: number;
}

const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
const SlaPolicyListSchema = /* @__PURE__ */ (() => list(SlaPolicySchema, 1000))();
const MAX_TIMEOUT = 2 ** 31 - 1;
/** Thrown inside a write to abandon it when another process has already recorded the crossings. */
const NOTHING_TO_RECORD = Symbol('nothing to record');

/** Validates `slaPolicies` and builds their calendars; errors name `slaPolicies[i]…`. */
export function parsePolicies(
  input: readonly SlaPolicyInput[],
  staff: ReadonlyMap<string, unknown> | null,
): { policies: SlaPolicy[]; calendars: Map<string, BusinessCalendar> } {
  const subject = 'createCrm options';
  let policies: SlaPolicy[];
  try {
    policies = parseOrThrow(SlaPolicyListSchema, input, subject);
  } catch (error) {
    throw prefixed(error, ['slaPolicies']);
  }
  const calendars = new Map<string, BusinessCalendar>();
  policies.forEach((policy, i) => {
    if (calendars.has(policy.id))
      throw CrmValidationError.field(subject, ['slaPolicies', i, 'id'], `duplicate SLA policy id "${policy.id}"`);
    const reassignTo = policy.onBreach?.reassignTo;
    if (reassignTo !== undefined && staff && !staff.has(reassignTo)) {
      throw CrmValidationError.field(
        subject,
        ['slaPolicies', i, 'onBreach', 'reassignTo'],
        `unknown staff member "${reassignTo}"`,
        'unknown_reference',
      );
    }
    try {
      calendars.set(policy.id, businessCalendar(policy.calendar));
    } catch (error) {
      throw prefixed(error, ['slaPolicies', i, 'calendar']);
    }
  });
  return { policies, calendars };
}

function prefixed(error: unknown, path: (string | number)[]): unknown {
  if (!isCrmValidationError(error)) return error;
  return new CrmValidationError(
    'createCrm options',
    error.issues.map((issue) => {
      const full = [...path, ...issue.path];
      return { ...issue, path: full, field: formatPath(full) };
    }),
  );
}

function instantMs(at: Date | string | undefined, fallback: () => Date): Date {
  if (at === undefined) return fallback();
  const ms = typeof at === 'string' ? toEpochMs(at) : at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(ms))
    throw CrmValidationError.field('SLA status', ['at'], 'expected a valid Date or an ISO 8601 date-time with an offset', 'invalid_date');
  return new Date(ms);
}

/** Builds `crm.sla` and the runtime the services use. */
export function slaSetup(
  ctx: () => ServiceContext,
  policies: readonly SlaPolicy[],
  calendars: ReadonlyMap<string, BusinessCalendar>,
): { runtime: SlaRuntime; service: SlaService; briefOf(complaint: Complaint, at: number): SlaBrief } {
  const byId = new Map(policies.map((p) => [p.id, p]));

  const match = (priority: Priority, channel: Channel, tags: readonly string[]) =>
    policies.find(({ appliesTo: a }) => {
      return (
        (!a.priorities || a.priorities.includes(priority)) &&
        (!a.channels || a.channels.includes(channel)) &&
        (!a.customerTags || a.customerTags.some((tag) => tags.includes(tag)))
      );
    });

  const policyOf = (complaint: Complaint): SlaPolicy | null =>
    complaint.slaPolicyId === undefined ? null : byId.get(complaint.slaPolicyId) ?? null;

  // ---- the scheduler ----
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

  const now = () => ctx().clock.now().getTime();

  function setTimer(at: number, fn: () => void): () => void {
    const clock = ctx().clock as { setTimer?: (at: Date, fn: () => void) => () => void };
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
        const record = complaint ?? (await ctx().store.get('complaints', id));
        if (running && record) await settle(record);
        else if (!record) nextAt.delete(id);
      } catch (error) {
        ctx().emit('error', { error, event: 'sla.scheduler' });
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
    const policy = policyOf(complaint);
    const cal = policy && calendars.get(policy.id);
    if (!policy || !cal || complaint.status === 'closed') {
      plan(complaint.id, Number.POSITIVE_INFINITY);
      return;
    }
    const t = now();
    const first = slaCrossings(complaint, policy, cal, t);
    if (first.due.length === 0) {
      plan(complaint.id, first.next);
      return;
    }
    let crossings: SlaCrossing[] = [];
    let written: Awaited<ReturnType<typeof appendActivity>>;
    try {
      written = await appendActivity(ctx(), complaint.id, undefined, (current) => {
        // Worked out again on the record being written: another process may have recorded them.
        crossings = slaCrossings(current, policy, cal, t).due.sort((a, b) => a.at - b.at);
        if (crossings.length === 0) throw NOTHING_TO_RECORD;
        return escalate(current, policy, crossings);
      });
    } catch (error) {
      if (error !== NOTHING_TO_RECORD) throw error;
      const fresh = await ctx().store.get('complaints', complaint.id);
      plan(complaint.id, fresh ? slaCrossings(fresh, policy, cal, now()).next : Number.POSITIVE_INFINITY);
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
      ctx().emit(c.event === 'warning' ? 'sla.warning' : c.event === 'met' ? 'sla.met' : 'sla.breached', payload);
      if (c.event === 'breached' && escalates(policy, c)) {
        try {
          await policy.onBreach?.call?.(payload);
        } catch (error) {
          ctx().emit('error', { error, event: 'sla.breached' });
        }
      }
    }
    // The write changed the complaint (and maybe its priority): plan from the stored record.
    if (entries.length) plan(record.id, slaCrossings(record, policy, cal, now()).next);
  }

  const escalates = (policy: SlaPolicy, c: SlaCrossing) => {
    const on = policy.onBreach;
    return !!on && (!on.targets || on.targets.includes(c.target));
  };

  /** The `sla` entries for `crossings`, with the escalations their breaches call for. */
  function escalate(current: Complaint, policy: SlaPolicy, crossings: readonly SlaCrossing[]) {
    const c0 = ctx();
    const entries: ComplaintActivity[] = [];
    let priority = current.priority;
    let ownerId = current.ownerId;
    for (const c of crossings) {
      entries.push(
        activityEntry(
          c0,
          'sla',
          { target: c.target, event: c.event, cycle: c.cycle, dueAt: new Date(c.dueAt).toISOString() },
          new Date(c.at).toISOString(),
        ),
      );
      if (c.event !== 'breached' || !escalates(policy, c)) continue;
      const reason = `SLA ${c.target} target breached (due ${new Date(c.dueAt).toISOString()})`;
      const raise = policy.onBreach!.raisePriority;
      if (raise !== undefined) {
        const to = raise === true ? PRIORITIES[Math.min(3, PRIORITIES.indexOf(priority) + 1)]! : raise;
        if (PRIORITIES.indexOf(to) > PRIORITIES.indexOf(priority)) {
          entries.push(activityEntry(c0, 'priority_changed', { from: priority, to, reason }));
          priority = to;
        }
      }
      const owner = policy.onBreach!.reassignTo;
      if (owner !== undefined && owner !== ownerId) {
        entries.push(activityEntry(c0, 'assigned', { from: ownerId ?? null, to: owner, reason: `${reason}: escalated` }));
        ownerId = owner;
      }
    }
    return { entries, fields: { priority, ...(ownerId === undefined ? {} : { ownerId }) } };
  }

  async function catchUp(): Promise<void> {
    const store = ctx().store;
    let cursor: string | null = null;
    do {
      const page: Page<Complaint> = await store.list('complaints', {
        filter: { status: [...UNRESOLVED_STATUSES, 'resolved'] },
        limit: 500,
        cursor,
      });
      for (const complaint of page.items) evaluate(complaint.id, complaint);
      cursor = page.nextCursor;
    } while (cursor);
    await Promise.all([...inFlight.values()]);
  }

  const runtime: SlaRuntime = {
    policies,
    byId,
    match,
    changed(complaint) {
      if (running && !unsubscribe) evaluate(complaint.id, complaint);
    },
  };

  const service: SlaService = {
    policies,
    get running() {
      return running;
    },
    get tracked() {
      return nextAt.size;
    },
    status(complaintId, at) {
      try {
        const when = instantMs(at, () => ctx().clock.now());
        // One promise, not three: dashboards ask for thousands of these at a time.
        if (typeof complaintId !== 'string' || complaintId === '') {
          throw CrmValidationError.field('complaint id', ['id'], 'expected a non-empty string');
        }
        return ctx()
          .store.get('complaints', complaintId)
          .then((complaint) => {
            if (!complaint) throw new CrmNotFoundError('complaint', complaintId);
            return service.statusOf(complaint, when);
          });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    statusOf(complaint, at) {
      const policy = policyOf(complaint);
      return slaStatus(
        complaint,
        policy,
        policy ? calendars.get(policy.id) ?? null : null,
        instantMs(at, () => ctx().clock.now()),
      );
    },
    async start() {
      if (running) return;
      running = true;
      const store = ctx().store;
      // Writes from anywhere (other CRM instances on the same store) re-plan their complaints.
      unsubscribe =
        store.subscribe?.((changes) => {
          for (const change of changes) if (change.entity === 'complaints' && change.record) evaluate(change.id, change.record);
        }) ?? null;
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
  const briefOf = (complaint: Complaint, at: number): SlaBrief => {
    const policy = policyOf(complaint);
    return slaBrief(complaint, policy, policy ? calendars.get(policy.id) ?? null : null, at);
  };
  return { runtime, service, briefOf };
}
