import * as z from 'zod/mini';
import { CrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { ChannelSchema, IdSchema, TimestampSchema, text, wholeNumber } from '../schemas/primitives.js';
import {
  ComplaintOpenSchema,
  ComplaintStatusSchema,
  PrioritySchema,
  type Complaint,
  type ComplaintActivity,
  type ComplaintOpenInput,
  type ComplaintStatus,
  type Priority,
} from '../schemas/complaint.js';
import { DirectionSchema, type Touchpoint } from '../schemas/touchpoint.js';
import type { Page, WriteOp } from '../store/types.js';
import { routeComplaint } from './routing.js';
import { acceptSignal, suggestionMethods, type Accepting, type ComplaintSuggestions, type OpenForSuggestion } from './suggestions.js';
import { checkStaff, getOrThrow, mergeFields, nowIso, setFields, type ServiceContext, type WriteOptions } from './context.js';
import type { FieldValues } from '../schemas/fields.js';
import { appendActivity, entryMaker } from './activityWrite.js';
import { ComplaintQuerySchema, splitQuery, type ComplaintQuery } from './query.js';
import { buildTouchpoint } from './touchpoints.js';
import type { AppendBuild } from '../complaints/activity.js';

/**
 * The statuses each status may move to. `closed` is final; a `resolved` complaint can be
 * `reopened`, which then moves on like an open one.
 */
export const COMPLAINT_TRANSITIONS: Readonly<Record<ComplaintStatus, readonly ComplaintStatus[]>> = {
  new: ['open', 'pending_customer', 'resolved'],
  open: ['pending_customer', 'resolved'],
  pending_customer: ['open', 'resolved'],
  resolved: ['closed', 'reopened'],
  closed: [],
  reopened: ['open', 'pending_customer', 'resolved'],
};

const actor = {
  actorId: z.optional(IdSchema),
  /** The version you read; the call fails with `CrmConflictError` if the complaint has changed since. */
  version: z.optional(wholeNumber(1, Number.MAX_SAFE_INTEGER, 'must be a whole number, 1 or more')),
};
/** Options of `crm.complaints.respond`. */
export const RespondInputSchema = z.strictObject({
  ...actor,
  /** `outbound` (default): staff answered; `inbound`: the customer wrote or called again. */
  direction: z._default(DirectionSchema, 'outbound'),
  message: z.optional(text(20_000)),
  channel: z.optional(ChannelSchema),
  touchpointId: z.optional(IdSchema),
  /** When the response happened; defaults to now. */
  at: z.optional(TimestampSchema),
});
/** Options of `crm.complaints.assign`. */
export const AssignOptionsSchema = z.strictObject({ ...actor, reason: text(1000, 1) });
/** Options of `crm.complaints.setStatus`. */
export const SetStatusOptionsSchema = z.strictObject({ ...actor, note: z.optional(text(5000, 1)) });
/** Options of `crm.complaints.resolve`. */
export const ResolveOptionsSchema = z.strictObject({
  ...actor,
  note: z.optional(text(5000, 1)),
  satisfaction: z.optional(wholeNumber(1, 5)),
});
/** Options of `crm.complaints.reopen`. */
export const ReopenOptionsSchema = z.strictObject({ ...actor, reason: text(5000, 1) });
/** Options of `crm.complaints.setPriority`. */
export const SetPriorityOptionsSchema = z.strictObject({ ...actor, reason: z.optional(text(1000, 1)) });
/** Options of `crm.complaints.rate`. */
export const RateOptionsSchema = z.strictObject({ ...actor, comment: z.optional(text(2000, 1)) });
/** Options of `crm.complaints.addNote`. */
export const NoteOptionsSchema = z.strictObject({ ...actor });

/** Options of `crm.complaints.respond`. */
export type RespondInput = z.input<typeof RespondInputSchema>;
/** Options of `crm.complaints.assign`: the reason is required, so hand-offs are explained. */
export type AssignOptions = z.input<typeof AssignOptionsSchema>;
/** Options of `crm.complaints.setStatus`. */
export type SetStatusOptions = z.input<typeof SetStatusOptionsSchema>;
/** Options of `crm.complaints.resolve`. */
export type ResolveOptions = z.input<typeof ResolveOptionsSchema>;
/** Options of `crm.complaints.reopen`: the reason is required. */
export type ReopenOptions = z.input<typeof ReopenOptionsSchema>;

/** `crm.complaints`: the complaint lifecycle, every step recorded in the complaint's activity log. */
/**
 * `crm.complaints`. The type parameters are the record and input types, with the custom fields
 * declared with `createCrm({ fields })` (the defaults carry untyped JSON fields).
 */
export interface ComplaintService<
  C = Complaint,
  I = ComplaintOpenInput,
  Q = ComplaintQuery,
  FP = { readonly [name: string]: unknown },
> extends ComplaintSuggestions {
  /**
   * Opens a complaint (status `new`). With `touchpoint`, also logs the contact it came from; with
   * `touchpointId`, links one already logged. Complaint and touchpoint are written together or not at all.
   *
   * @example
   * ```ts
   * const complaint = await crm.complaints.open({
   *   customerId, subject: 'Pacco arrivato danneggiato', channel: 'email', priority: 'high', ownerId: 'giulia',
   *   touchpoint: { channel: 'email', direction: 'inbound', summary: 'Foto del pacco allegate' },
   * })
   * ```
   */
  open(input: I): Promise<C>;
  /** The complaint with this id; throws `CrmNotFoundError` if there is none. */
  get(id: string): Promise<C>;
  /** Complaints matching the filters, newest first. `status` takes one status or several. */
  list(query?: Q): Promise<Page<C>>;
  /**
   * Records a response. An outbound response to a `new` or `reopened` complaint moves it to
   * `open`; an inbound message on a `pending_customer` complaint moves it back to `open`.
   *
   * An inbound message on a `resolved` complaint is recorded like a note from the customer (a
   * thank-you, say): the complaint stays resolved, and no SLA clock starts, not even when the
   * complaint is reopened later. When the message means the problem is back, call
   * {@link ComplaintService.reopen} first and then record it: it then starts a `nextResponse`
   * clock. A `closed` complaint refuses responses.
   */
  respond(id: string, input?: RespondInput): Promise<C>;
  /** Hands the complaint to another owner, with the reason recorded in the log and the history. */
  assign(id: string, ownerId: string, options: AssignOptions): Promise<C>;
  /** Moves the complaint to another status, if {@link COMPLAINT_TRANSITIONS} allows it. */
  setStatus(id: string, status: ComplaintStatus, options?: SetStatusOptions): Promise<C>;
  /** Marks the complaint `resolved`, optionally with a note and a satisfaction score (1–5). */
  resolve(id: string, options?: ResolveOptions): Promise<C>;
  /** Reopens a resolved complaint, with the reason. */
  reopen(id: string, options: ReopenOptions): Promise<C>;
  /** Changes the priority, with an optional reason. */
  setPriority(id: string, priority: Priority, options?: z.input<typeof SetPriorityOptionsSchema>): Promise<C>;
  /** Records the customer's satisfaction (1–5) with a resolved or closed complaint. */
  rate(id: string, score: number, options?: z.input<typeof RateOptionsSchema>): Promise<C>;
  /** Adds an internal note to the activity log. */
  addNote(id: string, note: string, options?: z.input<typeof NoteOptionsSchema>): Promise<C>;
  /**
   * Changes a complaint's custom fields (`createCrm({ fields: { complaints } })`), merged key by
   * key: a given field is validated by its declaration and replaces the stored value; `null`
   * removes it. The activity log records which fields changed (`fields_changed`, names only),
   * and `complaint.updated` is emitted. Works on closed complaints too (a serial number found later).
   *
   * @example
   * ```ts
   * await crm.complaints.setFields(complaint.id, { serial: 'SN-4471-B' }, { actorId: 'linda' })
   * ```
   */
  setFields(id: string, fields: FP, options?: SetFieldsOptions): Promise<C>;
}

/** Options of `crm.complaints.setFields`. */
export interface SetFieldsOptions extends WriteOptions {
  /** Who changed the fields (recorded in the activity log). */
  actorId?: string;
}

export function complaintService(ctx: ServiceContext): ComplaintService {
  const entry = entryMaker(ctx);

  const transition = (complaint: Complaint, to: ComplaintStatus, subject: string) => {
    const allowed = COMPLAINT_TRANSITIONS[complaint.status];
    if (!allowed.includes(to)) {
      const options = allowed.length ? `allowed: ${allowed.map((s) => `"${s}"`).join(', ')}` : `"${complaint.status}" is final`;
      throw CrmValidationError.field(
        subject,
        ['status'],
        `cannot go from "${complaint.status}" to "${to}" (${options})`,
        'invalid_transition',
      );
    }
  };

  const notClosed = (complaint: Complaint, subject: string) => {
    if (complaint.status === 'closed') throw CrmValidationError.field(subject, ['status'], 'the complaint is closed', 'invalid_transition');
  };

  const append = async (id: string, version: number | undefined, build: AppendBuild) =>
    (await appendActivity(ctx, id, version, build)).record;

  const statusEntry = (
    current: Complaint,
    to: ComplaintStatus,
    options: { actorId?: string | undefined; note?: string | undefined },
    subject: string,
  ) => {
    transition(current, to, subject);
    return entry('status_changed', {
      actorId: options.actorId,
      from: current.status,
      to,
      ...(options.note === undefined ? {} : { note: options.note }),
    });
  };

  const service: ComplaintService = {
    async open(raw: ComplaintOpenInput, accepting?: Accepting) {
      const { touchpoint: touchpointInput, touchpointId, ...input } = parseOrThrow(ComplaintOpenSchema, raw, 'complaint input');
      if (touchpointInput && touchpointId) {
        throw CrmValidationError.field('complaint input', ['touchpointId'], 'give either touchpoint or touchpointId, not both');
      }
      if (input.fields !== undefined) setFields(input, await ctx.fields.check('complaints', input.fields, 'complaint input'));
      if (touchpointInput?.fields !== undefined) {
        setFields(touchpointInput, await ctx.fields.check('touchpoints', touchpointInput.fields, 'complaint input', ['touchpoint']));
      }
      const customer = await ctx.store.get('customers', input.customerId);
      if (!customer) throw CrmValidationError.field('complaint input', ['customerId'], 'no customer with this id', 'unknown_reference');
      checkStaff(ctx, input.ownerId, 'complaint input', 'ownerId');
      if (ctx.sla) {
        // The SLA policy is chosen once, here: explicitly, or the first whose conditions match.
        if (input.slaPolicyId !== undefined && !ctx.sla.byId.has(input.slaPolicyId)) {
          throw CrmValidationError.field('complaint input', ['slaPolicyId'], `no SLA policy "${input.slaPolicyId}"`, 'unknown_reference');
        }
        const matched = input.slaPolicyId ?? ctx.sla.match(input.priority, input.channel, customer.tags)?.id;
        if (matched !== undefined) input.slaPolicyId = matched;
      }

      const complaintId = ctx.newId();
      const ops: WriteOp[] = [];
      let touchpoint: Touchpoint | null = null;
      if (touchpointInput) {
        const parsed = { outcome: 'complaint' as const, ...touchpointInput, customerId: customer.id };
        touchpoint = { ...(await buildTouchpoint(ctx, parsed, 'complaint input', customer)), complaintId };
        ops.push({ type: 'create', entity: 'touchpoints', record: touchpoint });
      } else if (touchpointId) {
        const existing = await ctx.store.get('touchpoints', touchpointId);
        if (!existing || existing.customerId !== customer.id) {
          throw CrmValidationError.field(
            'complaint input',
            ['touchpointId'],
            'no touchpoint with this id for this customer',
            'unknown_reference',
          );
        }
        if (existing.complaintId !== undefined) {
          throw CrmValidationError.field(
            'complaint input',
            ['touchpointId'],
            `the touchpoint already belongs to complaint "${existing.complaintId}"`,
          );
        }
        touchpoint = { ...existing, complaintId, version: existing.version + 1, updatedAt: nowIso(ctx) };
        touchpoint = acceptSignal(touchpoint, complaintId, touchpoint.updatedAt, accepting); // A pending suggestion is accepted.
        ops.push({ type: 'update', entity: 'touchpoints', record: touchpoint, expectedVersion: existing.version });
      }

      // Opened without an owner: routing picks one, and its reasons are recorded with the assignment.
      let assignedBecause = 'owner when opened';
      if (input.ownerId === undefined && ctx.routing && ctx.staff) {
        const { subject, priority, channel } = input;
        const decision = await routeComplaint(ctx, ctx.routing, customer, { subject, priority, channel, locale: input.locale ?? customer.locale });
        if (decision) {
          input.ownerId = decision.ownerId;
          assignedBecause = `routed: ${decision.reasons.join('; ')}`;
        }
      }
      const now = nowIso(ctx);
      const activity: ComplaintActivity[] = [entry('opened', touchpoint ? { touchpointId: touchpoint.id } : {}, now)];
      if (input.ownerId !== undefined) activity.push(entry('assigned', { from: null, to: input.ownerId, reason: assignedBecause }, now));
      const locale = input.locale ?? customer.locale;
      const complaint: Complaint = {
        id: complaintId,
        ...input,
        ...(locale === undefined ? {} : { locale }),
        status: 'new',
        ...(touchpoint ? { touchpointId: touchpoint.id } : {}),
        activity,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      ops.unshift({ type: 'create', entity: 'complaints', record: complaint });
      await ctx.store.write(ops);
      if (touchpoint && touchpointInput) ctx.emit('touchpoint.logged', { touchpoint });
      ctx.emit('complaint.opened', { complaint, touchpoint });
      ctx.complaintWritten.call(complaint);
      return complaint;
    },

    get: (id) => getOrThrow(ctx, 'complaints', id),

    async list(raw = {}) {
      const { filter, ...page } = splitQuery(parseOrThrow(ComplaintQuerySchema, raw, 'complaint query'));
      return ctx.store.list('complaints', { ...page, filter });
    },

    async respond(id, raw) {
      const { version, ...input } = parseOrThrow(RespondInputSchema, raw ?? {}, 'complaint response');
      checkStaff(ctx, input.actorId, 'complaint response', 'actorId');
      const touchpoint = input.touchpointId === undefined ? null : await ctx.store.get('touchpoints', input.touchpointId);
      return append(id, version, (current) => {
        notClosed(current, 'complaint response');
        if (input.touchpointId !== undefined && touchpoint?.customerId !== current.customerId) {
          throw CrmValidationError.field(
            'complaint response',
            ['touchpointId'],
            'no touchpoint with this id for this customer',
            'unknown_reference',
          );
        }
        const { at, ...fields } = input;
        const entries: ComplaintActivity[] = [entry('responded', fields, at)];
        const reopensWork =
          (input.direction === 'outbound' && (current.status === 'new' || current.status === 'reopened')) ||
          (input.direction === 'inbound' && current.status === 'pending_customer');
        if (reopensWork) entries.push(entry('status_changed', { actorId: input.actorId, from: current.status, to: 'open' }, at));
        return { entries };
      });
    },

    async assign(id, ownerId, raw) {
      const owner = parseOrThrow(IdSchema, ownerId, 'complaint assignment');
      const { version, ...options } = parseOrThrow(AssignOptionsSchema, raw, 'complaint assignment');
      checkStaff(ctx, owner, 'complaint assignment', 'ownerId');
      checkStaff(ctx, options.actorId, 'complaint assignment', 'actorId');
      return append(id, version, (current) => {
        notClosed(current, 'complaint assignment');
        if (current.ownerId === owner)
          throw CrmValidationError.field('complaint assignment', ['ownerId'], `"${owner}" already owns this complaint`);
        return {
          entries: [entry('assigned', { actorId: options.actorId, from: current.ownerId ?? null, to: owner, reason: options.reason })],
          fields: { ownerId: owner },
        };
      });
    },

    async setStatus(id, status, raw) {
      const to = parseOrThrow(ComplaintStatusSchema, status, 'complaint status');
      const { version, ...options } = parseOrThrow(SetStatusOptionsSchema, raw ?? {}, 'complaint status change');
      return append(id, version, (current) => {
        const change = statusEntry(current, to, options, 'complaint status change');
        if (to === 'resolved') return { entries: [change], fields: { resolvedAt: change.at } };
        if (to === 'reopened') return { entries: [change], clear: ['resolvedAt'] };
        return { entries: [change] };
      });
    },

    async resolve(id, raw) {
      const { version, ...options } = parseOrThrow(ResolveOptionsSchema, raw ?? {}, 'complaint resolution');
      return append(id, version, (current) => {
        const change = statusEntry(current, 'resolved', options, 'complaint resolution');
        const entries: ComplaintActivity[] = [change];
        if (options.satisfaction === undefined) return { entries, fields: { resolvedAt: change.at } };
        entries.push(entry('satisfaction_recorded', { actorId: options.actorId, score: options.satisfaction }, change.at));
        return { entries, fields: { resolvedAt: change.at, satisfaction: options.satisfaction } };
      });
    },

    async reopen(id, raw) {
      const { version, ...options } = parseOrThrow(ReopenOptionsSchema, raw, 'complaint reopening');
      return append(id, version, (current) => ({
        entries: [statusEntry(current, 'reopened', { actorId: options.actorId, note: options.reason }, 'complaint reopening')],
        clear: ['resolvedAt'],
      }));
    },

    async setPriority(id, priority, raw) {
      const to = parseOrThrow(PrioritySchema, priority, 'complaint priority');
      const { version, ...options } = parseOrThrow(SetPriorityOptionsSchema, raw ?? {}, 'complaint priority change');
      return append(id, version, (current) => {
        notClosed(current, 'complaint priority change');
        if (current.priority === to)
          throw CrmValidationError.field('complaint priority change', ['priority'], `the priority is already "${to}"`);
        return { entries: [entry('priority_changed', { ...options, from: current.priority, to })], fields: { priority: to } };
      });
    },

    async rate(id, score, raw) {
      const parsed = parseOrThrow(ResolveOptionsSchema, { satisfaction: score }, 'complaint rating').satisfaction!;
      const { version, ...options } = parseOrThrow(RateOptionsSchema, raw ?? {}, 'complaint rating');
      return append(id, version, (current) => {
        if (current.status !== 'resolved' && current.status !== 'closed') {
          throw CrmValidationError.field(
            'complaint rating',
            ['status'],
            'only a resolved or closed complaint can be rated',
            'invalid_transition',
          );
        }
        return { entries: [entry('satisfaction_recorded', { ...options, score: parsed })], fields: { satisfaction: parsed } };
      });
    },

    async addNote(id, note, raw) {
      const body = parseOrThrow(z.strictObject({ text: text(20_000, 1) }), { text: note }, 'complaint note').text;
      const { version, ...options } = parseOrThrow(NoteOptionsSchema, raw ?? {}, 'complaint note');
      return append(id, version, () => ({ entries: [entry('note', { ...options, text: body })] }));
    },

    async setFields(id, raw, options = {}) {
      const subject = 'complaint fields';
      const { version, actorId } = options;
      checkStaff(ctx, actorId, subject, 'actorId');
      const patch = await ctx.fields.checkPatch('complaints', raw as FieldValues, subject);
      const names = Object.keys(patch);
      if (names.length === 0) throw CrmValidationError.field(subject, ['fields'], 'give at least one field to set or remove');
      return append(id, version, (current) => {
        const merged = mergeFields(current.fields, patch);
        return {
          entries: [entry('fields_changed', { actorId, names })],
          ...(merged === undefined ? { clear: ['fields' as const] } : { fields: { fields: merged } }),
        };
      });
    },

    ...suggestionMethods(ctx, (input, accepting) => (service.open as OpenForSuggestion)(input, accepting)),
  };
  return service;
}
