import { businessCalendar, type BusinessCalendar } from '../calendar/calendar.js';
import { CrmValidationError, formatPath, isCrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { list, type Channel } from '../schemas/primitives.js';
import type { Complaint, Priority } from '../schemas/complaint.js';
import { SlaPolicySchema, type SlaPolicy, type SlaPolicyInput } from '../schemas/slaPolicy.js';
import { replayCache, slaBrief, slaCrossings, slaStatus, type SlaBrief, type SlaCrossing, type SlaStatus } from './engine.js';

/**
 * A CRM's SLA policies with their calendars: which policy a complaint gets, and where its
 * targets stand at an instant. Pure (no store, no clock); the services and the scheduler read it.
 */
export interface SlaRules {
  /** The policies given to `createCrm`, validated, in matching order. */
  readonly policies: readonly SlaPolicy[];
  readonly byId: ReadonlyMap<string, SlaPolicy>;
  /** The first policy whose conditions match, or undefined. */
  match(priority: Priority, channel: Channel, customerTags: readonly string[]): SlaPolicy | undefined;
  /** The policy a complaint was opened under, or null. */
  policyOf(complaint: Complaint): SlaPolicy | null;
  /** The business calendar of a policy. */
  calendarOf(policy: SlaPolicy): BusinessCalendar | null;
  /** Where each target of the complaint stands at `at`. */
  statusOf(complaint: Complaint, at: Date): SlaStatus;
  /** The states and business minutes alone, at `at` (epoch ms): what KPIs and health read. */
  briefOf(complaint: Complaint, at: number): SlaBrief;
  /** The complaint's crossings under `policy` by its clocks at `at` (epoch ms): those due and the next one. */
  crossings(complaint: Complaint, policy: SlaPolicy, calendar: BusinessCalendar, at: number): { due: SlaCrossing[]; next: number };
}

const SlaPolicyListSchema = /* @__PURE__ */ (() => list(SlaPolicySchema, 1000))();

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

/** The rules of validated policies (from {@link parsePolicies}), with a replay cache of their own. */
export function slaRules(policies: readonly SlaPolicy[], calendars: ReadonlyMap<string, BusinessCalendar>): SlaRules {
  const byId = new Map(policies.map((p) => [p.id, p]));
  // Replays of activity logs, kept per CRM: another CRM's complaints never evict these.
  const replays = replayCache();
  const policyOf = (complaint: Complaint): SlaPolicy | null =>
    complaint.slaPolicyId === undefined ? null : byId.get(complaint.slaPolicyId) ?? null;
  const calendarOf = (policy: SlaPolicy | null) => (policy ? calendars.get(policy.id) ?? null : null);
  return {
    policies,
    byId,
    match: (priority, channel, tags) =>
      policies.find(({ appliesTo: a }) => {
        return (
          (!a.priorities || a.priorities.includes(priority)) &&
          (!a.channels || a.channels.includes(channel)) &&
          (!a.customerTags || a.customerTags.some((tag) => tags.includes(tag)))
        );
      }),
    policyOf,
    calendarOf,
    statusOf(complaint, at) {
      const policy = policyOf(complaint);
      return slaStatus(complaint, policy, calendarOf(policy), at, replays);
    },
    briefOf(complaint, at) {
      const policy = policyOf(complaint);
      return slaBrief(complaint, policy, calendarOf(policy), at, replays);
    },
    crossings: (complaint, policy, calendar, at) => slaCrossings(complaint, policy, calendar, at, replays),
  };
}
