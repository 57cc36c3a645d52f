import {
  AcceptSuggestionSchema,
  AssignOptionsSchema,
  ComplaintOpenSchema,
  CustomerInputSchema,
  CustomerPatchSchema,
  DismissSuggestionSchema,
  NoteOptionsSchema,
  RateOptionsSchema,
  ReopenOptionsSchema,
  RespondInputSchema,
  ResolveOptionsSchema,
  SetPriorityOptionsSchema,
  SetStatusOptionsSchema,
  TouchpointInputSchema,
} from '@crm/core';
import { openApiDocument, operationObject, schemaOf, withFields, type OpenApiOptions } from '../openapi.js';
import { SERVICE_ROUTES, type ServiceOperation } from './routes.js';

type JsonSchema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (item: string) => ({ type: 'array', items: ref(item) });
const object = (properties: Record<string, unknown>, required: string[] = [], extra: JsonSchema = {}) => ({ type: 'object', properties, required, ...extra });
const instant = { type: 'string', format: 'date-time' };
const nullableInstant = { type: ['string', 'null'], format: 'date-time' };

/** An options schema with a leading argument of the method moved into the body: `{ ownerId, ...options }`. */
function withArgument(options: JsonSchema, name: string, schema: JsonSchema): JsonSchema {
  const properties = { [name]: schema, ...(options.properties as Record<string, unknown>) };
  return { ...options, properties, required: [name, ...((options.required as string[] | undefined) ?? [])] };
}

/** The schemas of the service API's bodies and answers, beside the record schemas of the store API. */
function serviceSchemas(base: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const input = (schema: Parameters<typeof schemaOf>[0]) => schemaOf(schema, 'input');
  const complaintProperties = base.Complaint!.properties as Record<string, JsonSchema>;
  const batch = (item: string) =>
    object(
      {
        inputs: { type: 'array', items: ref(item), maxItems: 1000 },
        origin: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$', description: 'The origin of the write (default: the CRM’s).' },
      },
      ['inputs'],
      { additionalProperties: false },
    );
  const slaTarget = object(
    {
      state: { type: 'string', enum: ['running', 'paused', 'warning', 'breached', 'met', 'missed'] },
      targetMinutes: { type: 'number' },
      elapsedMinutes: { type: 'number' },
      remainingMinutes: { type: 'number' },
      dueAt: nullableInstant,
      warningAt: nullableInstant,
      startedAt: instant,
      stoppedAt: nullableInstant,
    },
    ['state', 'targetMinutes', 'elapsedMinutes', 'remainingMinutes', 'dueAt', 'warningAt', 'startedAt', 'stoppedAt'],
  );
  const kpi = object({ value: { type: ['number', 'null'] }, target: { type: ['number', 'null'] }, met: { type: ['boolean', 'null'] } }, ['value', 'target', 'met']);
  const kpiSet = object({ complaints: { type: 'integer' }, kpis: { type: 'object', additionalProperties: kpi } }, ['complaints', 'kpis']);
  return {
    CustomerInput: input(CustomerInputSchema),
    CustomerUpdate: object(
      { patch: input(CustomerPatchSchema), version: { type: 'integer', minimum: 1, description: 'The version read: a 409 if the customer has changed since.' } },
      ['patch'],
      { additionalProperties: false },
    ),
    CustomerBatch: batch('CustomerInput'),
    CustomerList: list('Customer'),
    Erasure: object(
      { reason: { type: 'string', minLength: 1, maxLength: 1000 }, actorId: { type: 'string', description: 'Your own staff id, if given.' } },
      ['reason'],
      { additionalProperties: false },
    ),
    ErasureSummary: object(
      { customerId: { type: 'string' }, touchpoints: { type: 'integer' }, complaints: { type: 'integer' }, reason: { type: 'string' } },
      ['customerId', 'touchpoints', 'complaints', 'reason'],
    ),
    CustomerOverview: object(
      { customer: ref('Customer'), openComplaints: list('Complaint'), lastContact: { oneOf: [ref('Touchpoint'), { type: 'null' }] } },
      ['customer', 'openComplaints', 'lastContact'],
    ),
    StaleCustomerPage: object(
      {
        items: { type: 'array', items: object({ customer: ref('Customer'), addresses: { type: 'array', items: { type: 'object' } } }, ['customer', 'addresses']) },
        nextCursor: { type: ['string', 'null'] },
      },
      ['items', 'nextCursor'],
    ),
    TouchpointInput: input(TouchpointInputSchema),
    TouchpointBatch: batch('TouchpointInput'),
    TouchpointList: list('Touchpoint'),
    ComplaintOpenInput: input(ComplaintOpenSchema),
    RespondInput: input(RespondInputSchema),
    Assignment: withArgument(input(AssignOptionsSchema), 'ownerId', { type: 'string' }),
    StatusChange: withArgument(input(SetStatusOptionsSchema), 'status', complaintProperties.status ?? { type: 'string' }),
    Resolution: input(ResolveOptionsSchema),
    Reopening: input(ReopenOptionsSchema),
    PriorityChange: withArgument(input(SetPriorityOptionsSchema), 'priority', complaintProperties.priority ?? { type: 'string' }),
    Rating: withArgument(input(RateOptionsSchema), 'score', { type: 'integer', minimum: 1, maximum: 5 }),
    Note: withArgument(input(NoteOptionsSchema), 'note', { type: 'string', minLength: 1, maxLength: 20_000 }),
    TouchpointFieldsChange: object(
      { fields: { type: 'object' }, version: { type: 'integer', minimum: 1, description: 'The version read: a 409 if the touchpoint has changed since.' } },
      ['fields'],
      { additionalProperties: false },
    ),
    ComplaintFieldsChange: object(
      {
        fields: { type: 'object' },
        version: { type: 'integer', minimum: 1, description: 'The version read: a 409 if the complaint has changed since.' },
        actorId: { type: 'string', description: 'Your own staff id, if given.' },
      },
      ['fields'],
      { additionalProperties: false },
    ),
    SuggestionAcceptance: input(AcceptSuggestionSchema),
    SuggestionDismissal: input(DismissSuggestionSchema),
    SlaStatus: object(
      {
        complaintId: { type: 'string' },
        policyId: { type: ['string', 'null'] },
        priority: { type: 'string' },
        at: instant,
        targets: object({ firstResponse: slaTarget, nextResponse: slaTarget, resolution: slaTarget }),
      },
      ['complaintId', 'policyId', 'priority', 'at', 'targets'],
    ),
    ContactCheck: {
      oneOf: [
        object({ allowed: { const: true } }, ['allowed']),
        object(
          {
            allowed: { const: false },
            rule: { type: 'string', enum: ['opted_out', 'after_resolution', 'max_per_window', 'quiet_hours'] },
            reason: { type: 'string' },
            allowedAt: nullableInstant,
          },
          ['allowed', 'rule', 'reason', 'allowedAt'],
        ),
      ],
    },
    CustomerHealth: object(
      {
        customerId: { type: 'string' },
        level: { type: 'string', enum: ['healthy', 'at_risk', 'critical'] },
        score: { type: 'integer', minimum: 0, maximum: 100 },
        reasons: { type: 'array', items: object({ code: { type: 'string' }, message: { type: 'string' }, points: { type: 'integer' } }, ['code', 'message', 'points']) },
      },
      ['customerId', 'level', 'score', 'reasons'],
    ),
    CustomerHealthList: list('CustomerHealth'),
    KpiReport: {
      ...kpiSet,
      properties: {
        ...kpiSet.properties,
        from: instant,
        to: instant,
        customers: { type: 'integer' },
        groups: { type: 'array', items: { ...kpiSet, properties: { ...kpiSet.properties, key: { type: ['string', 'null'] } } } },
      },
      required: [...kpiSet.required, 'from', 'to', 'customers'],
    },
  };
}

/** The OpenAPI operation of one service operation: the store API's, with the service's statuses. */
function serviceOperation(operation: ServiceOperation, pathParams: string[]): JsonSchema {
  const stream = operation.response === 'events';
  const base = operationObject(
    {
      operationId: operation.operationId,
      summary: operation.summary,
      description: `${operation.description ? `${operation.description}\n\n` : ''}\`crm.${operation.method}\`. For ${operation.roles.length === 2 ? 'staff and customers' : 'staff only'}.`,
      ...(operation.query ? { query: operation.query } : {}),
      ...(operation.body ? { body: operation.body } : {}),
      response: stream ? { mediaType: 'text/event-stream', description: 'A stream of `ready`, `changes` and `position` events.' } : { schema: operation.response },
      ...(stream ? { special: 'stream' as const } : {}),
    },
    pathParams,
  );
  const responses = { ...(base.responses as Record<string, unknown>) };
  if (operation.creates) {
    responses['201'] = { ...(responses['200'] as object), description: 'Created' };
    delete responses['200'];
  }
  responses['403'] = { $ref: '#/components/responses/Forbidden' };
  if (pathParams.length > 0) responses['404'] = { $ref: '#/components/responses/NotFound' };
  if (operation.method === 'touchpoints.log') responses['422'] = { $ref: '#/components/responses/PolicyBlocked' };
  if (stream) responses['410'] = { $ref: '#/components/responses/FeedExpired' };
  return { ...base, responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))) };
}

/**
 * The OpenAPI 3.1 document of the service API served by `createCrmHandler`: every operation,
 * who may call it, its parameters, body and answers, with the record and input schemas generated
 * from the core's zod schemas.
 */
export function serviceOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  const store = openApiDocument(options) as Record<string, unknown> & {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown> };
  };
  const { WriteOp: _op, WriteRequest: _request, WriteResult: _result, ChangePage: _page, ...schemas } = store.components.schemas;
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of SERVICE_ROUTES) {
    const pathParams = route.segments.filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1));
    const item: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(route.methods)) item[method.toLowerCase()] = serviceOperation(operation, pathParams);
    paths[route.path] = item;
  }
  paths['/openapi.json'] = store.paths['/openapi.json']!;
  return {
    ...store,
    info: {
      title: options.title,
      version: options.version,
      description:
        'The @crm service API: the operations of a CRM (customers, touchpoints, the complaint lifecycle, history, SLA status, the contact policy, KPIs, health) for staff, and a self-service subset for customers (open a complaint for yourself, follow your complaints). Writes go through the CRM’s services, never as raw records; the staff member making a request is the actor of its writes. Errors are RFC 9457 problem details.',
    },
    paths,
    components: {
      schemas: withFields({ ...schemas, ...serviceSchemas(schemas) }, options.fields),
      responses: {
        ...store.components.responses,
        NotFound: problem('No record with this id exists for this tenant — or, for a customer, none of theirs.'),
        Conflict: problem('The record changed since the `version` given (or a transition is not allowed): nothing was written.'),
        Forbidden: problem('The principal may not do this: a staff-only operation called by a customer, a customer id that is not theirs, or an `actorId` that is not the caller’s.'),
        PolicyBlocked: problem('The contact policy blocks this outbound contact: `rule` says which rule, `allowedAt` from when it would be allowed.'),
        FeedExpired: problem('The feed no longer holds the changes after this position: resynchronise, then follow from `lastSeq`.'),
      },
    },
  };
}
