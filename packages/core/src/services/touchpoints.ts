import { CrmValidationError } from '../errors/validationError.js';
import { parseEachOrThrow, parseOrThrow } from '../schemas/parse.js';
import { fastTouchpointInput } from '../schemas/touchpointFastPath.js';
import { TouchpointInputSchema, type Touchpoint, type TouchpointInput } from '../schemas/touchpoint.js';
import type { Customer } from '../schemas/customer.js';
import { toEpochMs } from '../schemas/primitives.js';
import type { Page } from '../store/types.js';
import {
  MAX_BATCH_ITEMS,
  atIndex,
  checkStaff,
  getOrThrow,
  mergeFields,
  mutate,
  nowIso,
  setFields,
  type BulkOptions,
  type ServiceContext,
  type WriteOptions,
} from './context.js';
import type { FieldValues } from '../schemas/fields.js';
import type { WriteOp } from '../store/types.js';
import { CrmPolicyError } from '../errors/policyError.js';
import { CrmConflictError } from '../errors/conflictError.js';
import { checkContact } from './contactPolicy.js';
import { TouchpointQuerySchema, splitQuery, type TouchpointQuery } from './query.js';
import { detectSignal, emitSuggested, type SignalsConfig } from './suggestions.js';

/** `crm.touchpoints`: record every contact with a customer, with its outcome. */
export interface TouchpointService<T = Touchpoint, I = TouchpointInput, Q = TouchpointQuery, FP = { readonly [name: string]: unknown }> {
  /**
   * Records one contact with a customer. The customer (and the complaint or address it names)
   * must exist; `occurredAt` defaults to now.
   *
   * @example
   * ```ts
   * await crm.touchpoints.log({
   *   customerId: mei.id, channel: 'call', direction: 'inbound', actorId: 'linda',
   *   participants: [{ name: '林美' }], summary: '詢問退款進度', outcome: 'follow_up', nextStep: 'Call back Friday',
   * })
   * ```
   */
  log(input: I): Promise<T>;
  /**
   * Records many contacts in one atomic write, with one notification to `crm.subscribe` and the
   * observers: for imports and sync pulls. Every item is validated and its references checked
   * first; if any is bad, nothing is written and the error names each bad item's index and field
   * (`[17].channel: …`). At most 1,000 items per call ({@link MAX_BATCH_ITEMS}). Hidden-complaint
   * detection runs as for `log`, and returned mail marks its address; the contact-frequency
   * policy is not checked, since these are records of contacts that happened.
   *
   * @example
   * ```ts
   * await crm.touchpoints.logMany(calls.map((call) => ({ customerId: call.customerId, channel: 'call', direction: 'inbound', occurredAt: call.at })))
   * ```
   */
  logMany(inputs: readonly I[], options?: BulkOptions): Promise<T[]>;
  /** The touchpoint with this id; throws `CrmNotFoundError` if there is none. */
  get(id: string): Promise<T>;
  /** Touchpoints matching the filters, in the order they were logged (newest first by default). */
  list(query?: Q): Promise<Page<T>>;
  /**
   * Changes a touchpoint's custom fields (`createCrm({ fields: { touchpoints } })`), merged key
   * by key: a given field is validated by its declaration and replaces the stored value; `null`
   * removes it. Nothing else of a touchpoint changes after it is logged. Emits `touchpoint.updated`.
   *
   * @example
   * ```ts
   * await crm.touchpoints.setFields(touchpoint.id, { orderId: 'SO-1142' })
   * ```
   */
  setFields(id: string, fields: FP, options?: WriteOptions): Promise<T>;
}

type ParsedTouchpoint = ReturnType<typeof TouchpointInputSchema.parse>;

const unknownReference = (subject: string, field: string, message: string) =>
  CrmValidationError.field(subject, [field], message, 'unknown_reference');

/** Checks that a complaint a touchpoint names exists and belongs to the same customer. */
async function checkComplaint(ctx: ServiceContext, complaintId: string, customer: Customer, subject: string): Promise<void> {
  const complaint = await ctx.store.get('complaints', complaintId);
  if (!complaint || complaint.customerId !== customer.id)
    throw unknownReference(subject, 'complaintId', 'no complaint with this id for this customer');
}

/** Checks the address and actor a touchpoint names and completes the record (synchronously: the hot path). */
function completeTouchpoint(ctx: ServiceContext, input: ParsedTouchpoint, customer: Customer, subject: string): Touchpoint {
  if (input.addressId !== undefined && !customer.addresses.some((a) => a.id === input.addressId)) {
    throw unknownReference(subject, 'addressId', 'no address with this id for this customer');
  }
  checkStaff(ctx, input.actorId, subject, 'actorId');
  const now = nowIso(ctx);
  const record = input as Touchpoint;
  // The parsed input is a fresh object that nobody else holds: complete it in place.
  record.id = ctx.newId();
  record.occurredAt = input.occurredAt ?? now;
  record.version = 1;
  record.createdAt = now;
  record.updatedAt = now;
  return record;
}

/**
 * Checks a touchpoint's references (customer, complaint, address, actor) and builds the record.
 * Shared by `touchpoints.log` and `complaints.open`, which logs a touchpoint with the complaint.
 */
export async function buildTouchpoint(
  ctx: ServiceContext,
  input: ParsedTouchpoint,
  subject: string,
  customer?: Customer,
): Promise<Touchpoint> {
  const owner = customer ?? (await ctx.store.get('customers', input.customerId));
  if (!owner) throw unknownReference(subject, 'customerId', 'no customer with this id');
  if (input.complaintId !== undefined) await checkComplaint(ctx, input.complaintId, owner, subject);
  return completeTouchpoint(ctx, input, owner, subject);
}

/** How far back an outbound contact may be dated and still be checked: older ones are records of the past (imports, backfills). */
const POLICY_GRACE_MS = 5 * 60_000;

/**
 * Refuses an outbound contact that breaks the contact-frequency policy (`CrmPolicyError`), unless
 * it carries a `policyOverride`, which is then kept with the rule it overrode (and dropped when it
 * overrides nothing). Contacts dated more than five minutes before now are records of the past
 * and are not checked.
 */
async function enforceContactPolicy(ctx: ServiceContext, customer: Customer, touchpoint: Touchpoint): Promise<void> {
  const policy = touchpoint.direction === 'outbound' ? ctx.contactPolicy : null;
  const at = toEpochMs(touchpoint.occurredAt);
  const applies =
    policy && (!policy.channels || policy.channels.includes(touchpoint.channel)) && at >= ctx.clock.now().getTime() - POLICY_GRACE_MS;
  const check = applies ? await checkContact(ctx, policy, customer, touchpoint.channel, at) : null;
  if (!check || check.allowed) {
    delete touchpoint.policyOverride; // Nothing was overridden.
    return;
  }
  if (!touchpoint.policyOverride) {
    const when = check.allowedAt ? `; allowed from ${check.allowedAt.toISOString()}` : '';
    throw new CrmPolicyError(
      `Contact policy: cannot log an outbound ${touchpoint.channel} contact with customer "${customer.id}": ${check.reason}${when}. To log it anyway, pass policyOverride: { reason }`,
      { rule: check.rule, allowedAt: check.allowedAt },
    );
  }
  touchpoint.policyOverride = { reason: touchpoint.policyOverride.reason, rule: check.rule };
}

/**
 * Logs mail that came back, and marks the address it was sent to `returned`, in one write (the
 * customer is read again and the write retried if it changed meanwhile).
 */
async function logReturnedMail(ctx: ServiceContext, touchpoint: Touchpoint, customer: Customer): Promise<Touchpoint> {
  for (let attempt = 0; ; attempt++) {
    const address = customer.addresses.find((a) => a.id === touchpoint.addressId);
    const marked: Customer | null =
      address && address.status !== 'returned'
        ? {
            ...customer,
            addresses: customer.addresses.map((a) => (a === address ? { ...a, status: 'returned' as const } : a)),
            version: customer.version + 1,
            updatedAt: nowIso(ctx),
          }
        : null;
    try {
      await ctx.store.write([
        { type: 'create', entity: 'touchpoints', record: touchpoint },
        ...(marked ? [{ type: 'update' as const, entity: 'customers' as const, record: marked, expectedVersion: customer.version }] : []),
      ]);
    } catch (error) {
      if (!(error instanceof CrmConflictError) || error.id !== customer.id || attempt >= 4) throw error;
      customer = await getOrThrow(ctx, 'customers', customer.id);
      continue;
    }
    ctx.emit('touchpoint.logged', { touchpoint });
    if (marked) ctx.emit('customer.updated', { customer: marked, previous: customer });
    return touchpoint;
  }
}

export function touchpointService(ctx: ServiceContext, signals: SignalsConfig | null = null): TouchpointService {
  return {
    async log(raw) {
      const input = fastTouchpointInput(raw) ?? parseOrThrow(TouchpointInputSchema, raw, 'touchpoint input');
      if (input.fields !== undefined) setFields(input, await ctx.fields.check('touchpoints', input.fields, 'touchpoint input'));
      // buildTouchpoint inlined: one async step fewer on the hottest path of the SDK.
      const customer = await ctx.store.get('customers', input.customerId);
      if (!customer) throw unknownReference('touchpoint input', 'customerId', 'no customer with this id');
      if (input.complaintId !== undefined) await checkComplaint(ctx, input.complaintId, customer, 'touchpoint input');
      const touchpoint = completeTouchpoint(ctx, input, customer, 'touchpoint input');
      if ((ctx.contactPolicy && touchpoint.direction === 'outbound') || touchpoint.policyOverride)
        await enforceContactPolicy(ctx, customer, touchpoint);
      if (signals) {
        // Hidden complaints (R6): the suggestion is stored with the touchpoint, in the same write.
        const signal = await detectSignal(ctx, signals, touchpoint, customer);
        if (signal) touchpoint.signal = signal;
      }
      if (touchpoint.outcome === 'returned_mail' && touchpoint.addressId !== undefined) {
        await logReturnedMail(ctx, touchpoint, customer);
        emitSuggested(ctx, touchpoint);
        return touchpoint;
      }
      await ctx.store.write([{ type: 'create', entity: 'touchpoints', record: touchpoint }]);
      ctx.emit('touchpoint.logged', { touchpoint });
      if (touchpoint.signal) emitSuggested(ctx, touchpoint);
      return touchpoint;
    },

    async logMany(raw, options) {
      const subject = 'touchpoint inputs';
      const inputs = parseEachOrThrow(TouchpointInputSchema, raw, subject, MAX_BATCH_ITEMS);
      if (inputs.length === 0) return [];
      if (inputs.some((input) => input.fields !== undefined)) {
        const checked = await ctx.fields.checkMany('touchpoints', inputs.map((input) => input.fields), subject);
        inputs.forEach((input, i) => setFields(input, checked[i]));
      }
      const origin = options?.origin;
      for (let attempt = 0; ; attempt++) {
        const customers = new Map<string, Customer | null>();
        await Promise.all(
          [...new Set(inputs.map((input) => input.customerId))].map(async (id) => customers.set(id, await ctx.store.get('customers', id))),
        );
        const complaintOwners = new Map<string, string | null>();
        await Promise.all(
          [...new Set(inputs.flatMap((input) => (input.complaintId === undefined ? [] : [input.complaintId])))].map(async (id) =>
            complaintOwners.set(id, (await ctx.store.get('complaints', id))?.customerId ?? null),
          ),
        );
        const marked = new Map<string, Customer>();
        const touchpoints = inputs.map((input, i) => {
          try {
            const customer = customers.get(input.customerId);
            if (!customer) throw unknownReference(subject, 'customerId', 'no customer with this id');
            if (input.complaintId !== undefined && complaintOwners.get(input.complaintId) !== customer.id) {
              throw unknownReference(subject, 'complaintId', 'no complaint with this id for this customer');
            }
            const touchpoint = completeTouchpoint(ctx, { ...input }, customer, subject);
            delete touchpoint.policyOverride;
            if (touchpoint.outcome === 'returned_mail' && touchpoint.addressId !== undefined) {
              const current = marked.get(customer.id) ?? customer;
              if (current.addresses.some((a) => a.id === touchpoint.addressId && a.status !== 'returned')) {
                marked.set(customer.id, {
                  ...current,
                  addresses: current.addresses.map((a) => (a.id === touchpoint.addressId ? { ...a, status: 'returned' as const } : a)),
                });
              }
            }
            return touchpoint;
          } catch (error) {
            throw atIndex(error, i, subject);
          }
        });
        if (signals) {
          await Promise.all(
            touchpoints.map(async (touchpoint) => {
              const signal = await detectSignal(ctx, signals, touchpoint, customers.get(touchpoint.customerId)!);
              if (signal) touchpoint.signal = signal;
            }),
          );
        }
        const ops: WriteOp[] = touchpoints.map((record) => ({ type: 'create', entity: 'touchpoints', record }));
        const updated: { customer: Customer; previous: Customer }[] = [];
        for (const [id, next] of marked) {
          const previous = customers.get(id)!;
          const customer = { ...next, version: previous.version + 1, updatedAt: nowIso(ctx) };
          updated.push({ customer, previous });
          ops.push({ type: 'update', entity: 'customers', record: customer, expectedVersion: previous.version });
        }
        try {
          await ctx.store.write(ops, origin === undefined ? undefined : { origin });
        } catch (error) {
          // A customer whose address was marked changed meanwhile: read again.
          if (!(error instanceof CrmConflictError) || error.entity !== 'customer' || attempt >= 4) throw error;
          continue;
        }
        const meta = origin === undefined ? {} : { origin };
        for (const touchpoint of touchpoints) ctx.emit('touchpoint.logged', { touchpoint, ...meta });
        for (const { customer, previous } of updated) ctx.emit('customer.updated', { customer, previous, ...meta });
        for (const touchpoint of touchpoints) if (touchpoint.signal) emitSuggested(ctx, touchpoint);
        return touchpoints;
      }
    },

    get: (id) => getOrThrow(ctx, 'touchpoints', id),

    async list(raw = {}) {
      const { filter, ...page } = splitQuery(parseOrThrow(TouchpointQuerySchema, raw, 'touchpoint query'));
      if (filter.fields !== undefined) filter.fields = ctx.fields.checkFilter('touchpoints', filter.fields, 'touchpoint query');
      return ctx.store.list('touchpoints', { ...page, filter });
    },

    async setFields(id, raw, options) {
      const patch = await ctx.fields.checkPatch('touchpoints', raw as FieldValues, 'touchpoint fields');
      const { record: touchpoint, previous } = await mutate(ctx, 'touchpoints', id, options, (current) =>
        setFields({ ...current }, mergeFields(current.fields, patch)),
      );
      ctx.emit('touchpoint.updated', { touchpoint, previous });
      return touchpoint;
    },
  };
}
