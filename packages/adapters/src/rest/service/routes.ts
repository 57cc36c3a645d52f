import { CHANNELS, CrmValidationError, type Crm } from '@crm/core';
import { FIELDS_PARAM, FILTER_PARAMS } from '../routes.js';
import type { QuerySpec } from '../query.js';
import { claimActor, customerOpenInput, customerView, forbidden, ownComplaint, type CrmPrincipal, type Role } from './access.js';

/** What an operation of the service API gets to answer one request. */
export interface ServiceCall {
  /** The tenant's CRM. */
  crm: Crm;
  principal: CrmPrincipal;
  /** Path parameters, decoded: `{ id }`. */
  params: Readonly<Record<string, string>>;
  /** Query parameters, parsed by the operation's spec. */
  query: Record<string, unknown>;
  /** The JSON body of a POST or PATCH (an object), `{}` for a GET. */
  body: Record<string, unknown>;
}

/** One method of one route of the service API, with what the OpenAPI document says of it. */
export interface ServiceOperation {
  operationId: string;
  summary: string;
  description?: string;
  /** Who may call it; anyone else gets a 403. */
  roles: readonly Role[];
  query?: QuerySpec;
  /** The request body's component schema. */
  body?: string;
  /** `201 Created` instead of `200`. */
  creates?: boolean;
  /** The 200 (or 201) response's component schema; `events` for the event stream. */
  response: string;
  /** The `Crm` method it calls, for the docs: `complaints.open`. */
  method: string;
  run?(call: ServiceCall): Promise<unknown>;
}

/** A path template and what each method does there. */
export interface ServiceRoute {
  path: string;
  segments: readonly string[];
  methods: Readonly<Partial<Record<ServiceMethod, ServiceOperation>>>;
}

/** The HTTP methods the service API answers. */
export type ServiceMethod = 'GET' | 'POST' | 'PATCH';

const STAFF: readonly Role[] = ['staff'];
const ANYONE: readonly Role[] = ['staff', 'customer'];

const PAGE: QuerySpec = {
  limit: { kind: 'int', min: 1, max: 500, description: 'Items per page, 1–500. Default 50.' },
  cursor: { kind: 'text', max: 500, description: 'The `nextCursor` of the previous page.' },
};
const ORDER: QuerySpec = { order: { kind: 'enum', values: ['asc', 'desc'], description: 'Creation order: `desc` (default) or `asc`.' } };
const instant = (description: string) => ({ kind: 'text', max: 64, description }) as const;

const staffId = (principal: CrmPrincipal) => (principal.kind === 'staff' ? principal.staffId : null);

/** Makes the staff member the actor of the options object of a call (see {@link claimActor}). */
function asActor<T extends Record<string, unknown>>(principal: CrmPrincipal, options: T): T {
  const id = staffId(principal);
  if (id !== null) claimActor(options, id);
  return options;
}

/**
 * Takes `key` out of a body: `[value, rest]`. Required keys that are missing are a validation
 * error naming them, as the service would name a field of its own input.
 */
function take(body: Record<string, unknown>, key: string, subject: string, required = true): [unknown, Record<string, unknown>] {
  const { [key]: value, ...rest } = body;
  if (required && value === undefined) throw CrmValidationError.field(subject, [key], 'is required');
  return [value, rest];
}

/** A batch body: `{ inputs: [...], origin? }`, nothing else. */
function batchBody(body: Record<string, unknown>, subject: string): { inputs: unknown[]; options: { origin?: string } } {
  for (const key of Object.keys(body)) {
    if (key !== 'inputs' && key !== 'origin') throw CrmValidationError.field(subject, [key], 'unknown field', 'unknown_field');
  }
  if (!Array.isArray(body.inputs)) throw CrmValidationError.field(subject, ['inputs'], 'expected a list');
  return { inputs: body.inputs, options: body.origin === undefined ? {} : { origin: body.origin as string } };
}

const never = <T>(value: unknown) => value as T;

function route(path: string, methods: ServiceRoute['methods']): ServiceRoute {
  return { path, segments: path.split('/').slice(1), methods };
}

/** A complaint command: `POST /complaints/{id}/<name>` with the options (and the leading argument, if any) in the body. */
function complaintCommand(
  name: string,
  operationId: string,
  method: string,
  summary: string,
  body: string,
  run: (crm: Crm, id: string, body: Record<string, unknown>) => Promise<unknown>,
): ServiceRoute {
  return route(`/complaints/{id}/${name}`, {
    POST: {
      operationId,
      summary,
      method,
      roles: STAFF,
      body,
      response: 'Complaint',
      run: ({ crm, principal, params, body: given }) => run(crm, params.id!, asActor(principal, given)),
    },
  });
}

/**
 * Every route of the service API, relative to the handler's `basePath`. A path with a fixed
 * segment (`/customers/batch`) is matched before one with a parameter in its place
 * (`/customers/{id}`), so `batch`, `stale` and `by-email` can't be customer ids here (ids made by
 * the CRM are ULIDs, which never are).
 */
export const SERVICE_ROUTES: readonly ServiceRoute[] = [
  // ----- customers -----
  route('/customers', {
    POST: {
      operationId: 'createCustomer',
      summary: 'Create a customer',
      method: 'customers.create',
      roles: STAFF,
      body: 'CustomerInput',
      creates: true,
      response: 'Customer',
      run: ({ crm, body }) => crm.customers.create(never(body)),
    },
    GET: {
      operationId: 'listCustomers',
      summary: 'List customers',
      method: 'customers.list',
      roles: STAFF,
      query: { ...FILTER_PARAMS.customers, ...FIELDS_PARAM, ...PAGE, ...ORDER },
      response: 'CustomerPage',
      run: ({ crm, query }) => crm.customers.list(query),
    },
  }),
  route('/customers/batch', {
    POST: {
      operationId: 'createCustomers',
      summary: 'Create many customers in one atomic write',
      description: 'Every input is validated first; if any is bad, nothing is written and the issues name each bad item (`[17].emails[0]`). At most 1,000 inputs.',
      method: 'customers.createMany',
      roles: STAFF,
      body: 'CustomerBatch',
      creates: true,
      response: 'CustomerList',
      run: ({ crm, body }) => {
        const { inputs, options } = batchBody(body, 'customer batch');
        return crm.customers.createMany(never(inputs), options);
      },
    },
  }),
  route('/customers/by-email', {
    GET: {
      operationId: 'findCustomersByEmail',
      summary: 'Customers with an email address',
      method: 'customers.findByEmail',
      roles: STAFF,
      query: { email: { kind: 'text', max: 254, description: 'The address (case-insensitive).' } },
      response: 'CustomerList',
      run: ({ crm, query }) => crm.customers.findByEmail(String(query.email ?? '')),
    },
  }),
  route('/customers/stale', {
    GET: {
      operationId: 'listStaleCustomers',
      summary: 'Customers whose postal addresses should be confirmed',
      method: 'customers.stale',
      roles: STAFF,
      query: { confirmedBefore: instant('Addresses last confirmed before this instant (or never) are stale.'), ...PAGE },
      response: 'StaleCustomerPage',
      run: ({ crm, query }) => crm.customers.stale(never(query)),
    },
  }),
  route('/customers/{id}', {
    GET: {
      operationId: 'getCustomer',
      summary: 'Get a customer',
      method: 'customers.get',
      roles: STAFF,
      response: 'Customer',
      run: ({ crm, params }) => crm.customers.get(params.id!),
    },
    PATCH: {
      operationId: 'updateCustomer',
      summary: 'Change some fields of a customer',
      description: '`patch`: a missing field stays, `null` clears an optional field, arrays are replaced. With `version`, a 409 if the customer changed since.',
      method: 'customers.update',
      roles: STAFF,
      body: 'CustomerUpdate',
      response: 'Customer',
      run: ({ crm, params, body }) => {
        const [patch, rest] = take(body, 'patch', 'customer update');
        const [version, extra] = take(rest, 'version', 'customer update', false);
        for (const key of Object.keys(extra)) throw CrmValidationError.field('customer update', [key], 'unknown field', 'unknown_field');
        return crm.customers.update(params.id!, never(patch), version === undefined ? undefined : { version: never(version) });
      },
    },
  }),
  route('/customers/{id}/overview', {
    GET: {
      operationId: 'getCustomerOverview',
      summary: 'A customer with their open complaints and last contact',
      method: 'customers.overview',
      roles: STAFF,
      response: 'CustomerOverview',
      run: ({ crm, params }) => crm.customers.overview(params.id!),
    },
  }),
  route('/customers/{id}/erase', {
    POST: {
      operationId: 'eraseCustomer',
      summary: 'Erase a customer (the right to erasure)',
      description: 'Deletes the customer, their touchpoints and complaints, leaving tombstones in the feed and no copy of their personal data.',
      method: 'customers.erase',
      roles: STAFF,
      body: 'Erasure',
      response: 'ErasureSummary',
      run: ({ crm, principal, params, body }) => crm.customers.erase(params.id!, never(asActor(principal, body))),
    },
  }),
  route('/customers/{id}/history', {
    GET: {
      operationId: 'getCustomerHistory',
      summary: "A customer's history",
      description: 'Touchpoints and complaint activity merged, newest first, a page at a time.',
      method: 'history',
      roles: STAFF,
      query: {
        ...PAGE,
        channels: { kind: 'enumList', values: CHANNELS, description: 'Only touchpoints on these channels and activity of complaints raised on them.' },
        types: { kind: 'enumList', values: ['touchpoint', 'complaint_activity'], description: 'Only these kinds of item. Default: both.' },
      },
      response: 'HistoryPage',
      run: ({ crm, params, query }) => crm.history(params.id!, query),
    },
  }),
  route('/customers/{id}/health', {
    GET: {
      operationId: 'getCustomerHealth',
      summary: "How a customer's relationship stands",
      method: 'health',
      roles: STAFF,
      response: 'CustomerHealth',
      run: ({ crm, params }) => crm.health(params.id!),
    },
  }),
  route('/customers/{id}/contact-check', {
    GET: {
      operationId: 'checkContact',
      summary: 'May we contact this customer on this channel now?',
      method: 'contactPolicy.check',
      roles: STAFF,
      query: {
        channel: { kind: 'enum', values: CHANNELS, description: 'The channel of the outbound contact.' },
        at: instant('When (default: now).'),
      },
      response: 'ContactCheck',
      run: ({ crm, params, query }) => crm.contactPolicy.check(params.id!, never(query)),
    },
  }),

  // ----- touchpoints -----
  route('/touchpoints', {
    POST: {
      operationId: 'logTouchpoint',
      summary: 'Log a contact with a customer',
      description: 'The staff member making the request is its `actorId`.',
      method: 'touchpoints.log',
      roles: STAFF,
      body: 'TouchpointInput',
      creates: true,
      response: 'Touchpoint',
      run: ({ crm, principal, body }) => crm.touchpoints.log(never(asActor(principal, body))),
    },
    GET: {
      operationId: 'listTouchpoints',
      summary: 'List touchpoints',
      method: 'touchpoints.list',
      roles: STAFF,
      query: { ...FILTER_PARAMS.touchpoints, ...FIELDS_PARAM, ...PAGE, ...ORDER },
      response: 'TouchpointPage',
      run: ({ crm, query }) => crm.touchpoints.list(query),
    },
  }),
  route('/touchpoints/batch', {
    POST: {
      operationId: 'logTouchpoints',
      summary: 'Log many contacts in one atomic write',
      description: 'As `POST /customers/batch`; the staff member making the request is the `actorId` of every item.',
      method: 'touchpoints.logMany',
      roles: STAFF,
      body: 'TouchpointBatch',
      creates: true,
      response: 'TouchpointList',
      run: ({ crm, principal, body }) => {
        const { inputs, options } = batchBody(body, 'touchpoint batch');
        const id = staffId(principal)!;
        inputs.forEach((input, i) => claimActor(input, id, `inputs[${i}].`));
        return crm.touchpoints.logMany(never(inputs), options);
      },
    },
  }),
  route('/touchpoints/{id}', {
    GET: {
      operationId: 'getTouchpoint',
      summary: 'Get a touchpoint',
      method: 'touchpoints.get',
      roles: STAFF,
      response: 'Touchpoint',
      run: ({ crm, params }) => crm.touchpoints.get(params.id!),
    },
  }),
  route('/touchpoints/{id}/fields', {
    POST: {
      operationId: 'setTouchpointFields',
      summary: "Set or remove a touchpoint's custom fields",
      description: 'Merged key by key: a given field is validated by its declaration and replaces the stored value; `null` removes it.',
      method: 'touchpoints.setFields',
      roles: STAFF,
      body: 'TouchpointFieldsChange',
      response: 'Touchpoint',
      run: ({ crm, params, body }) => {
        const [fields, options] = take(body, 'fields', 'touchpoint fields');
        return crm.touchpoints.setFields(params.id!, never(fields), never(options));
      },
    },
  }),

  // ----- complaints -----
  route('/complaints', {
    POST: {
      operationId: 'openComplaint',
      summary: 'Open a complaint',
      description:
        'Staff: any customer, any field; the touchpoint given with it is logged with the staff member as its actor. A customer: for themselves only, on `self_service` (default) or `web_form`, with `subject`, `description` and `locale`.',
      method: 'complaints.open',
      roles: ANYONE,
      body: 'ComplaintOpenInput',
      creates: true,
      response: 'Complaint',
      run: async ({ crm, principal, body }) => {
        if (principal.kind === 'customer') return customerView(await crm.complaints.open(never(customerOpenInput(body, principal.customerId))));
        if (body.touchpoint !== undefined) claimActor(body.touchpoint, principal.staffId, 'touchpoint.');
        return crm.complaints.open(never(body));
      },
    },
    GET: {
      operationId: 'listComplaints',
      summary: 'List complaints',
      description: 'A customer gets their own complaints only (a `customerId` naming anyone else is a 403).',
      method: 'complaints.list',
      roles: ANYONE,
      query: { ...FILTER_PARAMS.complaints, ...FIELDS_PARAM, ...PAGE, ...ORDER },
      response: 'ComplaintPage',
      run: async ({ crm, principal, query }) => {
        if (principal.kind === 'staff') return crm.complaints.list(query);
        if (query.customerId !== undefined && query.customerId !== principal.customerId) {
          throw forbidden('customerId: a customer may list only their own complaints');
        }
        const page = await crm.complaints.list({ ...query, customerId: principal.customerId });
        return { ...page, items: page.items.map(customerView) };
      },
    },
  }),
  route('/complaints/{id}', {
    GET: {
      operationId: 'getComplaint',
      summary: 'Get a complaint',
      description: "A customer gets their own complaints only: another customer's is a 404, as for an id that does not exist.",
      method: 'complaints.get',
      roles: ANYONE,
      response: 'Complaint',
      run: async ({ crm, principal, params }) =>
        principal.kind === 'staff' ? crm.complaints.get(params.id!) : customerView(await ownComplaint(crm, params.id!, principal.customerId)),
    },
  }),
  route('/complaints/{id}/sla', {
    GET: {
      operationId: 'getComplaintSla',
      summary: "Where a complaint's SLA targets stand",
      method: 'sla.status',
      roles: ANYONE,
      query: { at: instant('The instant to describe (default: now).') },
      response: 'SlaStatus',
      run: async ({ crm, principal, params, query }) => {
        if (principal.kind === 'customer') await ownComplaint(crm, params.id!, principal.customerId);
        return crm.sla.status(params.id!, query.at as string | undefined);
      },
    },
  }),
  complaintCommand('respond', 'respondToComplaint', 'complaints.respond', 'Record a response', 'RespondInput', (crm, id, body) =>
    crm.complaints.respond(id, never(body)),
  ),
  complaintCommand('assign', 'assignComplaint', 'complaints.assign', 'Hand a complaint to another owner', 'Assignment', (crm, id, body) => {
    const [ownerId, options] = take(body, 'ownerId', 'complaint assignment');
    return crm.complaints.assign(id, never(ownerId), never(options));
  }),
  complaintCommand('status', 'setComplaintStatus', 'complaints.setStatus', 'Move a complaint to another status', 'StatusChange', (crm, id, body) => {
    const [status, options] = take(body, 'status', 'complaint status change');
    return crm.complaints.setStatus(id, never(status), never(options));
  }),
  complaintCommand('resolve', 'resolveComplaint', 'complaints.resolve', 'Resolve a complaint', 'Resolution', (crm, id, body) =>
    crm.complaints.resolve(id, never(body)),
  ),
  complaintCommand('reopen', 'reopenComplaint', 'complaints.reopen', 'Reopen a resolved complaint', 'Reopening', (crm, id, body) =>
    crm.complaints.reopen(id, never(body)),
  ),
  complaintCommand('priority', 'setComplaintPriority', 'complaints.setPriority', 'Change the priority', 'PriorityChange', (crm, id, body) => {
    const [priority, options] = take(body, 'priority', 'complaint priority change');
    return crm.complaints.setPriority(id, never(priority), never(options));
  }),
  complaintCommand('rating', 'rateComplaint', 'complaints.rate', "Record the customer's satisfaction", 'Rating', (crm, id, body) => {
    const [score, options] = take(body, 'score', 'complaint rating');
    return crm.complaints.rate(id, never(score), never(options));
  }),
  complaintCommand('notes', 'addComplaintNote', 'complaints.addNote', 'Add an internal note', 'Note', (crm, id, body) => {
    const [note, options] = take(body, 'note', 'complaint note');
    return crm.complaints.addNote(id, never(note), never(options));
  }),
  complaintCommand('fields', 'setComplaintFields', 'complaints.setFields', "Set or remove a complaint's custom fields", 'ComplaintFieldsChange', (crm, id, body) => {
    const [fields, options] = take(body, 'fields', 'complaint fields');
    return crm.complaints.setFields(id, never(fields), never(options));
  }),

  // ----- suggested complaints -----
  route('/suggestions', {
    GET: {
      operationId: 'listSuggestions',
      summary: 'Touchpoints that look like unspoken complaints',
      method: 'complaints.suggestions',
      roles: STAFF,
      query: { customerId: { kind: 'text', max: 64, description: "Only this customer's suggestions." }, ...PAGE },
      response: 'TouchpointPage',
      run: ({ crm, query }) => crm.complaints.suggestions(query),
    },
  }),
  route('/suggestions/{id}/accept', {
    POST: {
      operationId: 'acceptSuggestion',
      summary: 'Open a complaint from a suggested touchpoint',
      method: 'complaints.acceptSuggestion',
      roles: STAFF,
      body: 'SuggestionAcceptance',
      creates: true,
      response: 'Complaint',
      run: ({ crm, principal, params, body }) => crm.complaints.acceptSuggestion(params.id!, never(asActor(principal, body))),
    },
  }),
  route('/suggestions/{id}/dismiss', {
    POST: {
      operationId: 'dismissSuggestion',
      summary: 'Record that a suggested touchpoint is not a complaint',
      method: 'complaints.dismissSuggestion',
      roles: STAFF,
      body: 'SuggestionDismissal',
      response: 'Touchpoint',
      run: ({ crm, principal, params, body }) => crm.complaints.dismissSuggestion(params.id!, never(asActor(principal, body))),
    },
  }),

  // ----- analytics -----
  route('/kpis', {
    GET: {
      operationId: 'getKpis',
      summary: 'The KPIs of a period',
      method: 'kpis',
      roles: STAFF,
      query: {
        from: instant('Start of the period (inclusive).'),
        to: instant('End of the period (exclusive).'),
        groupBy: { kind: 'enum', values: ['owner', 'department', 'channel'], description: "Also each group's figures." },
      },
      response: 'KpiReport',
      run: ({ crm, query }) => crm.kpis(never(query)),
    },
  }),
  route('/at-risk', {
    GET: {
      operationId: 'listAtRisk',
      summary: 'The customers most at risk',
      method: 'atRisk',
      roles: STAFF,
      query: { limit: { kind: 'int', min: 1, max: 1000, description: 'At most this many, 1–1000. Default 20.' } },
      response: 'CustomerHealthList',
      run: ({ crm, query }) => crm.atRisk(query),
    },
  }),

  // ----- live -----
  route('/events', {
    GET: {
      operationId: 'streamEvents',
      summary: 'Live changes (Server-Sent Events)',
      description:
        'An `event: ready` message (its `id` the feed position the stream starts after), then one `event: changes` message per atomic write with what the principal may see of its changes, `id` the write’s id. Staff see every change; a customer sees the changes of their own complaints only, and gets `event: position` messages now and then so that `Last-Event-ID` stays recent. Resume with `Last-Event-ID` (or `since`): what was missed is replayed from the feed.',
      method: 'subscribe',
      roles: ANYONE,
      query: { since: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, description: 'Replay the changes after this feed position first.' } },
      response: 'events',
    },
  }),
];

/**
 * The route matching `segments` (split and decoded) and `method`: fixed segments win over
 * parameters. `null` when no path matches; `{ allow }` when paths match but not the method.
 */
export function matchServiceRoute(
  segments: readonly string[],
  method: string,
): { operation: ServiceOperation; params: Record<string, string> } | { allow: string[] } | null {
  let allow: string[] | null = null;
  let best: { operation: ServiceOperation; params: Record<string, string>; fixed: number } | null = null;
  for (const candidate of SERVICE_ROUTES) {
    if (candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let fixed = 0;
    const matches = candidate.segments.every((pattern, i) => {
      const segment = segments[i]!;
      if (!pattern.startsWith('{')) return pattern === segment && ++fixed > 0;
      params[pattern.slice(1, -1)] = segment;
      return segment !== '';
    });
    if (!matches) continue;
    const operation = candidate.methods[method as ServiceMethod];
    if (!operation) {
      allow = [...(allow ?? []), ...Object.keys(candidate.methods)];
      continue;
    }
    if (!best || fixed > best.fixed) best = { operation, params, fixed };
  }
  if (best) return { operation: best.operation, params: best.params };
  return allow ? { allow: [...new Set(allow)] } : null;
}
