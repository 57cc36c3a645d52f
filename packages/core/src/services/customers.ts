import { UNRESOLVED_STATUSES, type Complaint } from '../schemas/complaint.js';
import { CustomerInputSchema, CustomerPatchSchema, type Customer, type CustomerInput, type CustomerPatch } from '../schemas/customer.js';
import { parseEachOrThrow, parseOrThrow } from '../schemas/parse.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import type { Page } from '../store/types.js';
import { checkLimit, encodeCursor } from '../store/cursor.js';
import { toEpochMs } from '../schemas/primitives.js';
import { CrmValidationError } from '../errors/validationError.js';
import { CrmConflictError } from '../errors/conflictError.js';
import { CrmError } from '../errors/crmError.js';
import type { WriteOp } from '../store/types.js';
import {
  MAX_BATCH_ITEMS,
  atIndex,
  checkStaff,
  compact,
  getOrThrow,
  mutate,
  mergeFields,
  nowIso,
  setFields,
  type BulkOptions,
  type ServiceContext,
  type WriteOptions,
} from './context.js';
import { CustomerQuerySchema, splitQuery, type CustomerQuery } from './query.js';

/** Everything someone picking up a customer needs first, so nobody asks the customer twice. */
export interface CustomerOverview<C = Customer, Cm = Complaint, T = Touchpoint> {
  customer: C;
  /** Complaints not yet resolved (new, open, pending customer, reopened), newest first. */
  openComplaints: Cm[];
  /** The most recent touchpoint in either direction, or `null` if there is none. */
  lastContact: T | null;
}

/** `crm.customers`: create, read, update and find customers (and prospects). */
/**
 * `crm.customers`. The type parameters are the record and input types, with the custom fields
 * declared with `createCrm({ fields })` (the defaults carry untyped JSON fields).
 */
export interface CustomerService<
  C = Customer,
  I = CustomerInput,
  P = CustomerPatch,
  Q = CustomerQuery,
  Cm = Complaint,
  T = Touchpoint,
> {
  /**
   * Creates a customer. Unknown fields, bad emails, unknown language tags or time zones are
   * rejected with a {@link CrmValidationError} naming each field; nothing is written then.
   *
   * @example
   * ```ts
   * const mei = await crm.customers.create({ name: '林美', emails: ['mei@example.tw'], locale: 'zh-TW', timeZone: 'Asia/Taipei' })
   * ```
   */
  create(input: I): Promise<C>;
  /**
   * Creates many customers in one atomic write, with one notification to `crm.subscribe` and the
   * observers: for imports and sync pulls. Every item is validated first; if any is bad, nothing
   * is written and the error names each bad item's index and field (`[17].emails[0]: …`). At most
   * 1,000 items per call ({@link MAX_BATCH_ITEMS}).
   *
   * @example
   * ```ts
   * const created = await crm.customers.createMany(rows.map((row) => ({ name: row.name, emails: [row.email] })))
   * ```
   */
  createMany(inputs: readonly I[], options?: BulkOptions): Promise<C[]>;
  /**
   * The right to erasure: deletes the customer, their touchpoints and their complaints in one
   * write, leaving a tombstone per record in the change feed (syncs archive them remotely) and no
   * copy of their personal data in the store — earlier versions kept by the feed included. The
   * `reason` goes to the `customer.erased` event (and the returned summary), not to the store.
   * A customer with more records than one write takes ({@link CrmStore.capabilities}) is erased in
   * several writes, the customer itself last.
   *
   * @example
   * ```ts
   * await crm.customers.erase(customerId, { reason: 'GDPR request #4411' })
   * ```
   */
  erase(id: string, options: EraseOptions): Promise<ErasureSummary>;
  /** The customer with this id; throws `CrmNotFoundError` if there is none. */
  get(id: string): Promise<C>;
  /**
   * Changes some fields. A missing field stays as it is, `null` clears an optional field, arrays
   * are replaced. Pass `{ version }` to fail with `CrmConflictError` if someone else changed the
   * customer since you read it.
   */
  update(id: string, patch: P, options?: WriteOptions): Promise<C>;
  /** Customers matching the filters, newest first, a page at a time. */
  list(query?: Q): Promise<Page<C>>;
  /** Customers with this email address (case-insensitive). Usually one; emails are not forced unique. */
  findByEmail(email: string): Promise<C[]>;
  /** The customer with their open complaints and last contact, in one call. */
  overview(id: string): Promise<CustomerOverview<C, Cm, T>>;
  /**
   * Customers to remind to confirm their postal addresses: those with an address that came back
   * (`returned`), or that was never confirmed, or last confirmed before `confirmedBefore`. Each
   * item names the addresses concerned. Reads every customer once across the pages (oldest
   * first), so run it as a periodic job rather than per request.
   *
   * @example
   * ```ts
   * const { items } = await crm.customers.stale({ confirmedBefore: '2025-12-01T00:00:00Z' })
   * for (const { customer, addresses } of items) await sendReminder(customer, addresses)
   * ```
   */
  stale(query: StaleQuery): Promise<Page<StaleCustomer<C>>>;
}

/** Options of {@link CustomerService.erase}. */
export interface EraseOptions {
  /** Why the customer is erased (a request number, say): told to `customer.erased` handlers. Required. */
  reason: string;
  /** Who erased them. */
  actorId?: string;
}

/** What {@link CustomerService.erase} deleted. */
export interface ErasureSummary {
  customerId: string;
  touchpoints: number;
  complaints: number;
  reason: string;
}

/** What {@link CustomerService.stale} looks for. */
export interface StaleQuery {
  /** Addresses last confirmed before this instant (or never) are stale. */
  confirmedBefore: Date | string;
  /** Customers per page, 1–500. Default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** A customer with the addresses they should confirm. */
export interface StaleCustomer<C = Customer> {
  customer: C;
  addresses: Customer['addresses'];
}

function withAddressIds<A extends { id?: string | undefined }>(ctx: ServiceContext, addresses: A[]): (A & { id: string })[] {
  return addresses.map((address) => ({ ...address, id: address.id ?? ctx.newId() }));
}

/** A new customer record (version 1) from validated input: ids for its addresses, no duplicate emails or tags. */
function newCustomer(ctx: ServiceContext, input: ReturnType<typeof CustomerInputSchema.parse>, now: string): Customer {
  return {
    id: ctx.newId(),
    ...input,
    emails: [...new Set(input.emails)],
    tags: [...new Set(input.tags)],
    addresses: withAddressIds(ctx, input.addresses),
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

export function customerService(ctx: ServiceContext): CustomerService {
  return {
    async create(raw) {
      const input = parseOrThrow(CustomerInputSchema, raw, 'customer input');
      checkStaff(ctx, input.ownerId, 'customer input', 'ownerId');
      if (input.fields !== undefined) setFields(input, await ctx.fields.check('customers', input.fields, 'customer input'));
      const now = nowIso(ctx);
      const customer = newCustomer(ctx, input, now);
      await ctx.store.write([{ type: 'create', entity: 'customers', record: customer }]);
      ctx.emit('customer.created', { customer });
      return customer;
    },

    async createMany(raw, options) {
      const inputs = parseEachOrThrow(CustomerInputSchema, raw, 'customer inputs', MAX_BATCH_ITEMS);
      if (inputs.length === 0) return [];
      if (inputs.some((input) => input.fields !== undefined)) {
        const checked = await ctx.fields.checkMany('customers', inputs.map((input) => input.fields), 'customer inputs');
        inputs.forEach((input, i) => setFields(input, checked[i]));
      }
      const now = nowIso(ctx);
      const customers = inputs.map((input, i): Customer => {
        try {
          checkStaff(ctx, input.ownerId, 'customer inputs', 'ownerId');
        } catch (error) {
          throw atIndex(error, i, 'customer inputs');
        }
        return newCustomer(ctx, input, now);
      });
      const origin = options?.origin;
      await ctx.store.write(
        customers.map((record) => ({ type: 'create', entity: 'customers', record })),
        origin === undefined ? undefined : { origin },
      );
      for (const customer of customers) ctx.emit('customer.created', { customer, ...(origin === undefined ? {} : { origin }) });
      return customers;
    },

    async erase(id, raw) {
      const reason = typeof raw?.reason === 'string' ? raw.reason.trim() : '';
      if (reason === '' || reason.length > 1000) {
        throw CrmValidationError.field('customer erasure', ['reason'], 'is required: say why the customer is erased (1–1000 characters)');
      }
      checkStaff(ctx, raw.actorId, 'customer erasure', 'actorId');
      if (!ctx.store.capabilities.delete) {
        throw new CrmError(`customers.erase: the ${ctx.store.kind} store cannot delete records (capabilities.delete is false)`);
      }
      for (let attempt = 0; ; attempt++) {
        const customer = await getOrThrow(ctx, 'customers', id);
        const ops: WriteOp[] = [];
        let touchpoints = 0;
        let complaints = 0;
        for (const entity of ['touchpoints', 'complaints'] as const) {
          let cursor: string | null = null;
          do {
            const page: Page<{ id: string; version: number }> = await ctx.store.list(entity, {
              filter: { customerId: id },
              limit: 500,
              order: 'asc',
              cursor,
            });
            for (const record of page.items) ops.push({ type: 'delete', entity, id: record.id, expectedVersion: record.version });
            if (entity === 'touchpoints') touchpoints += page.items.length;
            else complaints += page.items.length;
            cursor = page.nextCursor;
          } while (cursor);
        }
        ops.push({ type: 'delete', entity: 'customers', id, expectedVersion: customer.version });
        try {
          const max = Math.max(1, ctx.store.capabilities.maxWriteOps);
          for (let start = 0; start < ops.length; start += max) await ctx.store.write(ops.slice(start, start + max));
        } catch (error) {
          // Something of theirs changed meanwhile: read again and erase what is there now.
          if (!(error instanceof CrmConflictError) || attempt >= 4) throw error;
          continue;
        }
        ctx.emit('customer.erased', { customerId: id, reason });
        return { customerId: id, touchpoints, complaints, reason };
      }
    },

    get: (id) => getOrThrow(ctx, 'customers', id),

    async update(id, raw, options) {
      const { fields: rawFields, ...patch } = parseOrThrow(CustomerPatchSchema, raw, 'customer update');
      checkStaff(ctx, patch.ownerId ?? undefined, 'customer update', 'ownerId');
      const fields = rawFields === undefined ? undefined : await ctx.fields.checkPatch('customers', rawFields, 'customer update');
      const { record: customer, previous } = await mutate(ctx, 'customers', id, options, (current) => {
        const next: Record<string, unknown> = { ...current };
        if (fields !== undefined) setFields(next, mergeFields(current.fields, fields));
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete next[key];
          else if (value !== undefined) next[key] = value;
        }
        const record = compact(next) as Customer;
        if (patch.addresses) record.addresses = withAddressIds(ctx, patch.addresses);
        if (patch.emails) record.emails = [...new Set(patch.emails)];
        if (patch.tags) record.tags = [...new Set(patch.tags)];
        return record;
      });
      ctx.emit('customer.updated', { customer, previous });
      return customer;
    },

    async list(raw = {}) {
      const { filter, ...page } = splitQuery(parseOrThrow(CustomerQuerySchema, raw, 'customer query'));
      if (filter.fields !== undefined) filter.fields = ctx.fields.checkFilter('customers', filter.fields, 'customer query');
      return ctx.store.list('customers', { ...page, filter });
    },

    async findByEmail(email) {
      const page = await ctx.store.list('customers', { filter: { email }, limit: 100, order: 'asc' });
      return page.items;
    },

    async stale(query) {
      const given = query?.confirmedBefore;
      const before = typeof given === 'string' || given instanceof Date ? toEpochMs(given) : Number.NaN;
      if (Number.isNaN(before))
        throw CrmValidationError.field('stale query', ['confirmedBefore'], 'expected a Date or an ISO 8601 timestamp');
      const limit = checkLimit(query.limit, 50, 500);
      const items: StaleCustomer[] = [];
      let cursor = query.cursor || null;
      for (;;) {
        const page: Page<Customer> = await ctx.store.list('customers', { order: 'asc', limit: 500, cursor });
        for (const customer of page.items) {
          const addresses = customer.addresses.filter(
            (a) => a.status === 'returned' || a.confirmedAt === undefined || toEpochMs(a.confirmedAt) < before,
          );
          if (addresses.length === 0) continue;
          items.push({ customer, addresses });
          // A full page: the next one goes on after this customer.
          if (items.length === limit) return { items, nextCursor: encodeCursor('list:customers', customer.id) };
        }
        if (!page.nextCursor) return { items, nextCursor: null };
        cursor = page.nextCursor;
      }
    },

    async overview(id) {
      const customer = await getOrThrow(ctx, 'customers', id);
      const [complaints, last] = await Promise.all([
        ctx.store.list('complaints', { filter: { customerId: id, status: UNRESOLVED_STATUSES }, limit: 100 }),
        ctx.store.history(id, { limit: 1, types: ['touchpoint'] }),
      ]);
      const item = last.items[0];
      return { customer, openComplaints: complaints.items, lastContact: item?.type === 'touchpoint' ? item.touchpoint : null };
    },
  };
}
