import { CrmNotFoundError } from '../errors/notFoundError.js';
import { CrmValidationError } from '../errors/validationError.js';
import type { Complaint } from '../schemas/complaint.js';
import type { SlaPolicy } from '../schemas/slaPolicy.js';
import { toEpochMs } from '../schemas/primitives.js';
import type { SlaStatus } from '../sla/engine.js';
import type { SlaRules } from '../sla/policies.js';
import type { ServiceContext } from './context.js';
import { slaScheduler } from './slaScheduler.js';

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

function instantOf(at: Date | string | undefined, fallback: () => Date): Date {
  if (at === undefined) return fallback();
  const ms = typeof at === 'string' ? toEpochMs(at) : at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(ms))
    throw CrmValidationError.field('SLA status', ['at'], 'expected a valid Date or an ISO 8601 date-time with an offset', 'invalid_date');
  return new Date(ms);
}

/** `crm.sla`, over the CRM's SLA rules, with its scheduler. */
export function slaService(ctx: ServiceContext, rules: SlaRules): SlaService {
  const scheduler = slaScheduler(ctx, rules);
  const service: SlaService = {
    policies: rules.policies,
    get running() {
      return scheduler.running;
    },
    get tracked() {
      return scheduler.tracked;
    },
    status(complaintId, at) {
      try {
        const when = instantOf(at, () => ctx.clock.now());
        // One promise, not three: dashboards ask for thousands of these at a time.
        if (typeof complaintId !== 'string' || complaintId === '') {
          throw CrmValidationError.field('complaint id', ['id'], 'expected a non-empty string');
        }
        return ctx.store.get('complaints', complaintId).then((complaint) => {
          if (!complaint) throw new CrmNotFoundError('complaint', complaintId);
          return service.statusOf(complaint, when);
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    statusOf: (complaint, at) => rules.statusOf(complaint, instantOf(at, () => ctx.clock.now())),
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
    idle: () => scheduler.idle(),
  };
  return service;
}
