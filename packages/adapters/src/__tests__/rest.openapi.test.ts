import { ComplaintSchema, CustomerSchema, TouchpointSchema, memoryStore } from '@crm/core';
import { describe, expect, it } from 'vitest';
import { createRestHandler } from '../rest/index.js';
import { ROUTES } from '../rest/routes.js';

type Json = Record<string, any>;

const handler = createRestHandler({ store: memoryStore(), authorize: () => null, basePath: '/api/crm', info: { title: 'Acme CRM', version: '2.1' } });
const response = await handler(new Request('http://crm.test/api/crm/openapi.json'));
const doc = (await response.json()) as Json;

/** Every `$ref` in `value`, with where it was found. */
function refs(value: unknown, at = '#', out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((item, i) => refs(item, `${at}/${i}`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') out.push([at, child]);
      else refs(child, `${at}/${key}`, out);
    }
  }
  return out;
}

function resolve(pointer: string): unknown {
  expect(pointer.startsWith('#/')).toBe(true);
  return pointer
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document, served without credentials', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.info).toMatchObject({ title: 'Acme CRM', version: '2.1' });
    expect(doc.servers).toEqual([{ url: '/api/crm' }]);
    expect(Object.keys(doc).sort()).toEqual(['components', 'info', 'jsonSchemaDialect', 'openapi', 'paths', 'servers']);
  });

  it('covers every route and method, each operation with a unique id, its parameters and its responses', () => {
    const expected = ROUTES.flatMap((route) => Object.keys(route.methods).map((m) => `${m.toLowerCase()} ${route.path}`)).sort();
    const documented = Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)).sort();
    expect(documented).toEqual(expected);
    expect(documented).toEqual([
      'get /changes',
      'get /changes/stream',
      'get /complaints',
      'get /complaints/{id}',
      'get /customers',
      'get /customers/{id}',
      'get /customers/{id}/history',
      'get /openapi.json',
      'get /touchpoints',
      'get /touchpoints/{id}',
      'post /writes',
    ]);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json) as [string, Json][]) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-zA-Z]+$/);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(op.responses['200'], `${method} ${path}`).toBeDefined();
        expect(op.responses['500']).toBeDefined();
        const route = ROUTES.find((r) => r.path === path)!;
        const operation = route.methods[method.toUpperCase() as 'GET']!;
        const query = (op.parameters ?? []).filter((p: Json) => p.in === 'query').map((p: Json) => p.name);
        expect(query).toEqual(Object.keys(operation.query ?? {}));
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          expect(op.parameters).toContainEqual(expect.objectContaining({ name: name.slice(1, -1), in: 'path', required: true }));
        }
      }
    }
    expect(doc.paths['/customers'].get.parameters.map((p: Json) => p.name)).toEqual(['kind', 'ownerId', 'tag', 'email', 'externalId', 'fields', 'limit', 'cursor', 'order']);
    for (const path of ['/customers', '/touchpoints', '/complaints']) {
      const fields = doc.paths[path].get.parameters.find((p: Json) => p.name === 'fields');
      expect(fields, path).toMatchObject({
        in: 'query',
        required: false,
        description: expect.stringContaining('custom fields'),
        content: { 'application/json': { schema: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } } } },
      });
      expect(fields).not.toHaveProperty('schema');
    }
    expect(doc.paths['/complaints'].get.parameters.find((p: Json) => p.name === 'status')).toMatchObject({
      schema: { type: 'array', items: { enum: ['new', 'open', 'pending_customer', 'resolved', 'closed', 'reopened'] } },
      explode: true,
    });
    expect(doc.paths['/writes'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WriteRequest' });
    expect(Object.keys(doc.paths['/writes'].post.responses).sort()).toEqual(['200', '400', '401', '409', '413', '415', '500']);
    expect(doc.paths['/customers/{id}'].get.responses['404']).toBeDefined();
    expect(doc.paths['/changes/stream'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
  });

  it('every $ref resolves', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(30);
    for (const [at, ref] of all) expect(resolve(ref), `${ref} at ${at}`).toBeDefined();
  });

  it('has the record schemas generated from the zod schemas, with what the code checks', () => {
    const schemas = doc.components.schemas as Json;
    for (const [name, schema] of [['Customer', CustomerSchema], ['Touchpoint', TouchpointSchema], ['Complaint', ComplaintSchema]] as const) {
      expect(schemas[name].type).toBe('object');
      expect(Object.keys(schemas[name].properties).sort()).toEqual(Object.keys(schema.def.shape).sort());
      expect(schemas[name].additionalProperties).toBe(false);
      expect(schemas[name].required).toEqual(expect.arrayContaining(['id', 'version', 'createdAt', 'updatedAt']));
      expect(schemas[name]).not.toHaveProperty('$schema');
      expect(schemas[`${name}Write`].type).toBe('object');
    }
    const customer = schemas.Customer.properties;
    expect(customer.id).toMatchObject({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' });
    expect(customer.createdAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(customer.emails.items).toMatchObject({ type: 'string', format: 'email' });
    expect(customer.kind).toMatchObject({ enum: ['prospect', 'customer', 'former'] });
    expect(customer.externalIds).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    // Input records may leave out fields with defaults; stored ones always have them.
    expect(schemas.Customer.required).toContain('emails');
    expect(schemas.CustomerWrite.required ?? []).not.toContain('emails');
    expect(schemas.Complaint.properties.activity.items.oneOf.length).toBeGreaterThanOrEqual(7);
    // create, update and delete for each of the three entities.
    expect(schemas.WriteOp.oneOf.map((op: Json) => op.title)).toEqual(
      ['customers', 'touchpoints', 'complaints'].flatMap((e) => [`create ${e}`, `update ${e}`, `delete ${e}`]),
    );
    expect(schemas.Change.oneOf[0].required).toEqual(['seq', 'entity', 'op', 'id', 'version', 'writeId', 'at', 'origin']);
    expect(schemas.Change.oneOf.map((c: Json) => c.properties.entity.const)).toEqual(['customers', 'touchpoints', 'complaints']);
    expect(schemas.Problem.required).toEqual(['type', 'title', 'status']);
  });

  it('is built once per handler', async () => {
    const again = await handler(new Request('http://crm.test/api/crm/openapi.json'));
    expect(await again.json()).toEqual(doc);
  });
});
