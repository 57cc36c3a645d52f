/** Routes of `/crm/v3/objects/{ot}`: list, read, create, update, archive, batch, search. */
import { type ObjectType, TYPE_IDS } from './catalogue.js';
import { type Json, notFound, validationError } from './errors.js';
import {
  type RouteKit,
  associationTypesParam,
  decodeCursor,
  encodeCursor,
  errorEntry,
  inputsOf,
  listParam,
  parseLimit,
  str,
  typeOf,
} from './routing.js';
import { SEARCH_LIMITS, runSearch } from './search.js';
import { shapeRecord } from './serialize.js';
import type { PlannedAssociation, StoredRecord } from './store.js';

/** Adds the object routes. */
export function addObjectRoutes({ deps, add, envelope }: RouteKit): void {
  const { store, order, now } = deps;
  const locate = (type: ObjectType, id: string, idProperty: string | null | undefined, archived = false): StoredRecord | undefined => {
    if (idProperty && idProperty !== 'hs_object_id') {
      store.requireIdProperty(type, idProperty);
      if (archived) {
        return [...store.table(type).values()].find((r) => r.archived && r.properties[idProperty]?.toLowerCase() === id.toLowerCase());
      }
      return store.findByUnique(type, idProperty, id);
    }
    const rec = store.table(type).get(id);
    return rec && rec.archived === archived ? rec : undefined;
  };

  const writeAssociations = (fromId: string, planned: PlannedAssociation[]): void => {
    for (const p of planned) store.associate(p.def, fromId, p.toId);
  };

  const assocTypes = associationTypesParam;

  // ---- objects v3 -------------------------------------------------------------------------

  add('GET', '/crm/v3/objects/:type', async ({ url, params }) => {
    const type = typeOf(params[0] ?? '');
    const limit = parseLimit(url, 10, 100);
    const archived = url.searchParams.get('archived') === 'true';
    const afterParam = url.searchParams.get('after');
    const afterId = afterParam ? Number(decodeCursor(afterParam)) : -1;
    const all = [...store.table(type).values()]
      .filter((r) => r.archived === archived && Number(r.id) > afterId)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.slice(0, limit);
    const properties = listParam(url, 'properties');
    const propertiesWithHistory = listParam(url, 'propertiesWithHistory');
    const associations = assocTypes(url);
    const body: Json = {
      results: page.map((r) => shapeRecord(store, r, { properties, propertiesWithHistory, associations })),
    };
    const last = page[page.length - 1];
    if (all.length > limit && last) {
      const after = encodeCursor(last.id);
      const next = new URL(url.pathname, deps.baseUrl);
      for (const [k, v] of url.searchParams) if (k !== 'after') next.searchParams.append(k, v);
      body['paging'] = { next: { after, link: `${next.toString()}${next.search ? '&' : '?'}after=${after}` } };
    }
    return { status: 200, body };
  });

  add(
    'POST',
    '/crm/v3/objects/:type/search',
    async ({ params, json }) => {
      const type = typeOf(params[0] ?? '');
      const body = await json();
      if (JSON.stringify(body).length > SEARCH_LIMITS.maxBodyChars) {
        throw validationError(`The request body is longer than ${SEARCH_LIMITS.maxBodyChars} characters`);
      }
      const page = runSearch(store, type, body, { ...SEARCH_LIMITS, cap: deps.searchCap });
      return {
        status: 200,
        body: {
          total: page.total,
          results: page.hits.map((h) => shapeRecord(store, h.rec, { properties: page.properties, version: h.version })),
          ...(page.nextAfter !== undefined ? { paging: { next: { after: page.nextAfter, link: `?after=${page.nextAfter}` } } } : {}),
        },
      };
    },
    { search: true },
  );

  add('POST', '/crm/v3/objects/:type/batch/read', async ({ url, params, json }) => {
    const started = now();
    const type = typeOf(params[0] ?? '');
    const body = await json();
    const propertiesWithHistory = Array.isArray(body['propertiesWithHistory']) ? body['propertiesWithHistory'].map(str) : [];
    const inputs = inputsOf(
      body,
      propertiesWithHistory.length > 0 ? Math.min(50, deps.maxBatch) : deps.maxBatch,
      propertiesWithHistory.length > 0 ? 'a batch request for property histories' : 'a batch request',
    );
    const idProperty = typeof body['idProperty'] === 'string' ? body['idProperty'] : undefined;
    const archived = url.searchParams.get('archived') === 'true';
    const properties = Array.isArray(body['properties']) ? body['properties'].map(str) : [];
    const results: Json[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      const id = str(input['id']);
      const rec = locate(type, id, idProperty, archived);
      if (!rec) missing.push(id);
      else if (!seen.has(rec.id)) {
        seen.add(rec.id);
        results.push(shapeRecord(store, rec, { properties, propertiesWithHistory }));
      }
    }
    const errors: Json[] = missing.length
      ? [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `Could not get some ${TYPE_IDS[type]} objects, they may be deleted or not exist. Check that ids are valid.`,
            context: { ids: missing },
          },
        ]
      : [];
    return { status: errors.length ? 207 : 200, body: envelope(order.shuffle(results), errors, started) };
  });

  add(
    'POST',
    '/crm/v3/objects/:type/batch/create',
    async ({ params, json }) => {
      const started = now();
      const type = typeOf(params[0] ?? '');
      const inputs = inputsOf(await json(), deps.maxBatch);
      const traceIds = inputs.map((i) => (typeof i['objectWriteTraceId'] === 'string' ? i['objectWriteTraceId'] : ''));
      const traced = inputs.length > 0 && traceIds.every((t) => t !== '') && new Set(traceIds).size === traceIds.length;
      const results: Json[] = [];
      const errors: Json[] = [];
      if (traced) {
        inputs.forEach((input, i) => {
          const traceId = traceIds[i] as string;
          try {
            const properties = store.validateProperties(type, input['properties'], 'create');
            const planned = store.planAssociations(type, input['associations']);
            store.checkUnique(type, properties);
            const rec = store.insert(type, properties);
            writeAssociations(rec.id, planned);
            results.push({ ...shapeRecord(store, rec, { properties: 'all' }), objectWriteTraceId: traceId });
          } catch (err) {
            errors.push(errorEntry(err, { objectWriteTraceId: [traceId] }));
          }
        });
        return { status: errors.length ? 207 : 201, body: envelope(order.shuffle(results), errors, started) };
      }
      // Without trace ids: the first bad input fails the whole request, nothing is written.
      const planned = inputs.map((input) => {
        const properties = store.validateProperties(type, input['properties'], 'create');
        const associations = store.planAssociations(type, input['associations']);
        store.checkUnique(type, properties);
        return { properties, associations };
      });
      for (const name of store.uniqueProperties(type)) {
        const seen = new Set<string>();
        for (const p of planned) {
          const v = p.properties[name]?.trim().toLowerCase();
          if (!v) continue;
          if (seen.has(v))
            throw validationError(`Duplicate value "${p.properties[name] ?? ''}" for unique property ${name} in batch input`);
          seen.add(v);
        }
      }
      planned.forEach((p, i) => {
        const rec = store.insert(type, p.properties);
        writeAssociations(rec.id, p.associations);
        const traceId = traceIds[i];
        results.push({ ...shapeRecord(store, rec, { properties: 'all' }), ...(traceId ? { objectWriteTraceId: traceId } : {}) });
      });
      return { status: 201, body: envelope(order.shuffle(results), errors, started) };
    },
    { write: true },
  );

  add(
    'POST',
    '/crm/v3/objects/:type/batch/update',
    async ({ params, json }) => {
      const started = now();
      const type = typeOf(params[0] ?? '');
      const inputs = inputsOf(await json(), deps.maxBatch);
      for (const input of inputs) {
        const idProperty = input['idProperty'];
        if (typeof idProperty === 'string' && idProperty !== '') store.requireIdProperty(type, idProperty);
      }
      const keys = inputs.map((i) => `${str(i['idProperty'])}:${str(i['id']).toLowerCase()}`);
      const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
      if (dupes.length > 0)
        throw validationError(`Duplicate IDs found in batch input: [${dupes.map((d) => d.split(':').slice(1).join(':')).join(', ')}]`);
      const results: Json[] = [];
      const errors: Json[] = [];
      for (const input of inputs) {
        const id = str(input['id']);
        const traceId = typeof input['objectWriteTraceId'] === 'string' ? input['objectWriteTraceId'] : undefined;
        try {
          const rec = locate(type, id, typeof input['idProperty'] === 'string' ? input['idProperty'] : undefined);
          if (!rec) throw notFound(`Object not found. objectId: ${id}`, { context: { ids: [id] } });
          const properties = store.validateProperties(type, input['properties'], 'update');
          store.checkUnique(type, properties, rec.id);
          store.applyUpdate(rec, properties);
          results.push({ ...shapeRecord(store, rec, { properties: 'all' }), ...(traceId ? { objectWriteTraceId: traceId } : {}) });
        } catch (err) {
          errors.push(errorEntry(err, { ...(traceId ? { objectWriteTraceId: [traceId] } : {}), ids: [id] }));
        }
      }
      return { status: errors.length ? 207 : 200, body: envelope(order.shuffle(results), errors, started) };
    },
    { write: true },
  );

  add(
    'POST',
    '/crm/v3/objects/:type/batch/upsert',
    async ({ params, json }) => {
      const started = now();
      const type = typeOf(params[0] ?? '');
      const inputs = inputsOf(await json(), deps.maxBatch);
      for (const input of inputs) {
        const idProperty = input['idProperty'];
        if (typeof idProperty === 'string' && idProperty !== '') store.requireIdProperty(type, idProperty);
      }
      const keys = inputs.map((i) => `${str(i['idProperty'])}:${str(i['id']).trim().toLowerCase()}`);
      const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
      if (dupes.length > 0)
        throw validationError(`Duplicate IDs found in batch input: [${dupes.map((d) => d.split(':').slice(1).join(':')).join(', ')}]`);
      const results: Json[] = [];
      const errors: Json[] = [];
      for (const input of inputs) {
        const id = str(input['id']);
        const idProperty = typeof input['idProperty'] === 'string' && input['idProperty'] !== '' ? input['idProperty'] : undefined;
        const traceId = typeof input['objectWriteTraceId'] === 'string' ? input['objectWriteTraceId'] : undefined;
        const echo = traceId ? { objectWriteTraceId: traceId } : {};
        try {
          const existing = locate(type, id, idProperty);
          if (existing) {
            const properties = store.validateProperties(type, input['properties'], 'update');
            if (idProperty) delete properties[idProperty];
            store.checkUnique(type, properties, existing.id);
            store.applyUpdate(existing, properties);
            results.push({ ...shapeRecord(store, existing, { properties: 'all' }), new: false, ...echo });
          } else {
            if (!idProperty) throw notFound(`Object not found. objectId: ${id}`, { context: { ids: [id] } });
            const given = (input['properties'] ?? {}) as Record<string, unknown>;
            const properties = store.validateProperties(type, { ...given, [idProperty]: id }, 'create');
            store.checkUnique(type, properties);
            const rec = store.insert(type, properties);
            results.push({ ...shapeRecord(store, rec, { properties: 'all' }), new: true, ...echo });
          }
        } catch (err) {
          errors.push(errorEntry(err, { ...(traceId ? { objectWriteTraceId: [traceId] } : {}), ids: [id] }));
        }
      }
      return { status: errors.length ? 207 : 200, body: envelope(order.shuffle(results), errors, started) };
    },
    { write: true },
  );

  add(
    'POST',
    '/crm/v3/objects/:type/batch/archive',
    async ({ params, json }) => {
      const type = typeOf(params[0] ?? '');
      for (const input of inputsOf(await json(), deps.maxBatch)) {
        const rec = store.table(type).get(str(input['id']));
        if (rec) store.archiveRecord(rec);
      }
      return { status: 204 };
    },
    { write: true },
  );

  add('GET', '/crm/v3/objects/:type/:id', async ({ url, params }) => {
    const type = typeOf(params[0] ?? '');
    const id = decodeURIComponent(params[1] ?? '');
    const rec = locate(type, id, url.searchParams.get('idProperty'), url.searchParams.get('archived') === 'true');
    if (!rec) throw notFound('Object not found.  objectId are usually numeric.', { context: { id: [id] } });
    return {
      status: 200,
      body: shapeRecord(store, rec, {
        properties: listParam(url, 'properties'),
        propertiesWithHistory: listParam(url, 'propertiesWithHistory'),
        associations: assocTypes(url),
      }),
    };
  });

  add(
    'POST',
    '/crm/v3/objects/:type',
    async ({ params, json }) => {
      const type = typeOf(params[0] ?? '');
      const body = await json();
      const properties = store.validateProperties(type, body['properties'], 'create');
      const planned = store.planAssociations(type, body['associations']);
      store.checkUnique(type, properties);
      const rec = store.insert(type, properties);
      writeAssociations(rec.id, planned);
      return { status: 201, body: shapeRecord(store, rec, { properties: 'all' }) };
    },
    { write: true },
  );

  add(
    'PATCH',
    '/crm/v3/objects/:type/:id',
    async ({ url, params, json }) => {
      const type = typeOf(params[0] ?? '');
      const id = decodeURIComponent(params[1] ?? '');
      const rec = locate(type, id, url.searchParams.get('idProperty'));
      if (!rec) throw notFound('Object not found.  objectId are usually numeric.', { context: { id: [id] } });
      const properties = store.validateProperties(type, (await json())['properties'], 'update');
      store.checkUnique(type, properties, rec.id);
      store.applyUpdate(rec, properties);
      return { status: 200, body: shapeRecord(store, rec, { properties: 'all' }) };
    },
    { write: true },
  );

  add(
    'DELETE',
    '/crm/v3/objects/:type/:id',
    async ({ params }) => {
      const type = typeOf(params[0] ?? '');
      const rec = store.table(type).get(decodeURIComponent(params[1] ?? ''));
      if (rec) store.archiveRecord(rec);
      return { status: 204 };
    },
    { write: true },
  );
}
