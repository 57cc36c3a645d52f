import {
  ComplaintActivitySchema,
  ComplaintSchema,
  CustomerSchema,
  EmailSchema,
  ExternalIdsSchema,
  IdSchema,
  IsoTimestampSchema,
  TimestampSchema,
  TouchpointSchema,
  type FieldsDeclaration,
} from '@crm/core';
import { MAX_WRITE_OPS } from '@crm/core/store';
import { toJSONSchema } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import type { ParamSpec } from './query.js';
import { ROUTES, type Operation } from './routes.js';
import { declaredFields, describeFields } from './fieldSchemas.js';

type JsonSchema = Record<string, unknown>;

/** Details our schemas check in code (ids, timestamps, emails), told to JSON Schema readers. */
function describeKnown(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const { zodSchema, jsonSchema } = ctx;
  if (zodSchema === IdSchema) Object.assign(jsonSchema, { pattern: '^[A-Za-z0-9_-]{1,64}$' });
  else if (zodSchema === IsoTimestampSchema) Object.assign(jsonSchema, { format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' });
  else if (zodSchema === TimestampSchema) Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
  else if (zodSchema === EmailSchema) Object.assign(jsonSchema, { format: 'email', maxLength: 254 });
  else if (zodSchema === ExternalIdsSchema) {
    Object.assign(jsonSchema, {
      type: 'object',
      description: 'Ids of the same record in other systems, by system name: `{ "hubspot": "901" }`.',
      propertyNames: { pattern: '^[a-z][a-z0-9_-]{0,31}$' },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 255 },
      maxProperties: 20,
    });
  }
}

/** The JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) of one of the core's zod schemas. */
export function schemaOf(schema: $ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...json } = toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => describeKnown(ctx as unknown as { zodSchema: unknown; jsonSchema: JsonSchema }),
  }) as JsonSchema;
  return json;
}

/** `schemas` with each entity's `fields` described from the declaration (see fieldSchemas.ts). */
export function withFields(schemas: Record<string, JsonSchema>, fields: FieldsDeclaration | undefined): Record<string, JsonSchema> {
  describeFields(schemas, declaredFields(fields));
  return schemas;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemRef = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const ENTITIES = [
  ['customers', 'Customer'],
  ['touchpoints', 'Touchpoint'],
  ['complaints', 'Complaint'],
] as const;

function components(): Record<string, JsonSchema> {
  const page = (item: string) => ({
    type: 'object',
    properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'] } },
    required: ['items', 'nextCursor'],
  });
  const complaintSummary = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      subject: { type: 'string' },
      status: (schemaOf(ComplaintSchema, 'output').properties as Record<string, unknown>).status,
      priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'] },
      ownerId: { type: 'string' },
      channel: (schemaOf(TouchpointSchema, 'output').properties as Record<string, unknown>).channel,
    },
    required: ['id', 'subject', 'status', 'priority', 'channel'],
  };
  const writeOp = {
    oneOf: ENTITIES.flatMap(([entity, name]) => [
      {
        type: 'object',
        title: `create ${entity}`,
        properties: { type: { const: 'create' }, entity: { const: entity }, record: ref(`${name}Write`) },
        required: ['type', 'entity', 'record'],
        additionalProperties: false,
      },
      {
        type: 'object',
        title: `update ${entity}`,
        properties: {
          type: { const: 'update' },
          entity: { const: entity },
          record: ref(`${name}Write`),
          expectedVersion: { type: 'integer', minimum: 0 },
        },
        required: ['type', 'entity', 'record', 'expectedVersion'],
        additionalProperties: false,
      },
      {
        type: 'object',
        title: `delete ${entity}`,
        description: 'Deletes the record if it is still at `expectedVersion`: a tombstone goes into the feed, and no copy of the record stays.',
        properties: {
          type: { const: 'delete' },
          entity: { const: entity },
          id: { type: 'string', minLength: 1 },
          expectedVersion: { type: 'integer', minimum: 1 },
        },
        required: ['type', 'entity', 'id', 'expectedVersion'],
        additionalProperties: false,
      },
    ]),
  };
  const change = {
    oneOf: ENTITIES.map(([entity, name]) => ({
      type: 'object',
      properties: {
        seq: { type: 'integer', minimum: 1 },
        entity: { const: entity },
        op: { type: 'string', enum: ['create', 'update', 'delete'] },
        id: { type: 'string' },
        version: { type: 'integer', minimum: 1 },
        record: { ...ref(name), description: 'Absent for a delete, and for earlier changes of a record deleted since.' },
        writeId: { type: 'integer', minimum: 1, description: 'Shared by all changes of one atomic write: the seq of its last change.' },
        at: { type: 'string', format: 'date-time', description: 'When the write committed.' },
        origin: { type: 'string', description: 'Who made the write: `app`, `sync:hubspot`, …' },
      },
      required: ['seq', 'entity', 'op', 'id', 'version', 'writeId', 'at', 'origin'],
    })),
  };
  const out: Record<string, JsonSchema> = {};
  for (const [, name] of ENTITIES) {
    const schema = { Customer: CustomerSchema, Touchpoint: TouchpointSchema, Complaint: ComplaintSchema }[name];
    out[name] = { description: `A stored ${name.toLowerCase()}.`, ...schemaOf(schema, 'output') };
    out[`${name}Write`] = {
      description: `A ${name.toLowerCase()} as a write sends it: a stored record, where fields with defaults may be left out.`,
      ...schemaOf(schema, 'input'),
    };
    out[`${name}Page`] = page(name);
  }
  Object.assign(out, {
    ComplaintActivity: schemaOf(ComplaintActivitySchema, 'output'),
    ComplaintSummary: complaintSummary,
    HistoryItem: {
      oneOf: [
        {
          type: 'object',
          properties: { type: { const: 'touchpoint' }, id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, touchpoint: ref('Touchpoint') },
          required: ['type', 'id', 'at', 'touchpoint'],
        },
        {
          type: 'object',
          properties: {
            type: { const: 'complaint_activity' },
            id: { type: 'string' },
            at: { type: 'string', format: 'date-time' },
            complaint: ref('ComplaintSummary'),
            activity: ref('ComplaintActivity'),
          },
          required: ['type', 'id', 'at', 'complaint', 'activity'],
        },
      ],
    },
    HistoryPage: page('HistoryItem'),
    WriteOp: writeOp,
    WriteRequest: {
      type: 'object',
      properties: {
        ops: { type: 'array', items: ref('WriteOp'), minItems: 1, maxItems: MAX_WRITE_OPS },
        origin: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$', description: 'Who makes the write (default `app`), carried by its changes.' },
      },
      required: ['ops'],
      additionalProperties: false,
    },
    WriteResult: {
      type: 'object',
      properties: { lastSeq: { type: 'integer', minimum: 1 }, writeId: { type: 'integer', minimum: 1 } },
      required: ['lastSeq', 'writeId'],
    },
    Change: change,
    ChangePage: {
      type: 'object',
      properties: {
        changes: { type: 'array', items: ref('Change') },
        lastSeq: { type: 'integer', minimum: 0 },
        head: { type: 'integer', minimum: 0, description: 'The newest seq in the feed.' },
      },
      required: ['changes', 'lastSeq', 'head'],
    },
    ValidationIssue: {
      type: 'object',
      properties: {
        path: { type: 'array', items: { type: ['string', 'integer'] } },
        field: { type: 'string' },
        code: { type: 'string' },
        message: { type: 'string' },
      },
      required: ['path', 'field', 'code', 'message'],
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, with the extension members a client needs to act.',
      properties: {
        type: { type: 'string', format: 'uri-reference' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        code: { type: 'string', description: 'The stable CrmError code: VALIDATION, CONFLICT, NOT_FOUND, …' },
        issues: { type: 'array', items: ref('ValidationIssue') },
        entity: { type: 'string' },
        id: { type: 'string' },
        expectedVersion: { type: ['integer', 'null'] },
        currentVersion: { type: 'integer' },
      },
      required: ['type', 'title', 'status'],
    },
  });
  return out;
}

/** The JSON Schema of a query parameter read by `parseQuery`. */
export function parameterSchema(spec: ParamSpec): JsonSchema {
  switch (spec.kind) {
    case 'int':
      return { type: 'integer', minimum: spec.min, maximum: spec.max };
    case 'enum':
      return { type: 'string', enum: [...spec.values] };
    case 'enumList':
      return { type: 'array', items: { type: 'string', enum: [...spec.values] } };
    case 'text':
      return { type: 'string', maxLength: spec.max };
    case 'externalId':
      return { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}:.+$' };
    case 'fieldFilter':
      return {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
        maxProperties: 10,
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'], maxLength: 1000 },
      };
  }
}

/** The OpenAPI operation object of a route's operation: parameters, body and responses. */
export function operationObject(operation: Operation, pathParams: string[]): JsonSchema {
  const parameters = [
    ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(operation.query ?? {}).map(([name, spec]) => ({
      name,
      in: 'query',
      required: false,
      description: spec.description,
      // A JSON parameter is described by its media type (OpenAPI 3.1 `content`), not a `schema`.
      ...(spec.kind === 'fieldFilter' ? { content: { 'application/json': { schema: parameterSchema(spec) } } } : { schema: parameterSchema(spec) }),
      ...(spec.kind === 'enumList' ? { style: 'form', explode: true } : {}),
    })),
  ];
  if (operation.special === 'stream') {
    parameters.push({ name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this sequence.', schema: { type: 'string' } } as never);
  }
  const ok =
    'schema' in operation.response
      ? { description: 'OK', content: { 'application/json': { schema: ref(operation.response.schema) } } }
      : { description: operation.response.description, content: { [operation.response.mediaType]: { schema: { type: 'string' } } } };
  const responses: Record<string, unknown> = { '200': ok };
  if (operation.query || operation.body) responses['400'] = { $ref: '#/components/responses/BadRequest' };
  if (!operation.public) responses['401'] = { $ref: '#/components/responses/Unauthorized' };
  if (operation.operationId.startsWith('get') && pathParams.includes('id') && operation.operationId !== 'getCustomerHistory') {
    responses['404'] = { $ref: '#/components/responses/NotFound' };
  }
  if (operation.body) {
    responses['409'] = { $ref: '#/components/responses/Conflict' };
    responses['413'] = { $ref: '#/components/responses/TooLarge' };
    responses['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
  }
  responses['500'] = { $ref: '#/components/responses/InternalError' };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(operation.body) } } } }
      : {}),
    responses,
  };
}

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** Where the API is mounted, as the handler's `basePath`. */
  basePath: string;
  /** The document's `info.title`. */
  title: string;
  /** The document's `info.version`. */
  version: string;
  /** The custom fields declaration, to describe each field (`fields` is an open object without it). */
  fields?: FieldsDeclaration | undefined;
}

/**
 * The OpenAPI 3.1 document of the REST API: every route, its parameters and responses, and the
 * record schemas generated from the core's zod schemas (`CustomerSchema`, `TouchpointSchema`,
 * `ComplaintSchema`) as JSON Schema draft 2020-12.
 */
export function openApiDocument({ basePath, title, version, fields }: OpenApiOptions): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const pathParams = route.segments.filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1));
    const item: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(route.methods)) item[method.toLowerCase()] = operationObject(operation, pathParams);
    paths[route.path] = item;
  }
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title,
      version,
      description:
        'The @crm store API: records, histories, atomic writes and the change feed of one tenant (the one the request authenticates as). Errors are RFC 9457 problem details.',
    },
    servers: [{ url: basePath === '' ? '/' : basePath }],
    paths,
    components: {
      schemas: withFields(components(), fields),
      responses: {
        BadRequest: problemRef('Invalid input: the `issues` name each bad field or parameter.'),
        Unauthorized: problemRef('The request is not authenticated.'),
        NotFound: problemRef('No record with this id exists (for this tenant).'),
        Conflict: problemRef('A record to update is not at `expectedVersion`, or one to create exists: nothing was written.'),
        TooLarge: problemRef('The body is larger than the server accepts.'),
        UnsupportedMediaType: problemRef('The body is not JSON.'),
        InternalError: problemRef('The server failed; nothing about why is disclosed.'),
      },
    },
  };
}
