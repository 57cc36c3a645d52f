/** Routes of associations v4 (`/crm/v4/objects/…/associations`, `/crm/v4/associations/…/batch`). */
import {
  type AssociationTypeDef,
  type ObjectType,
  ASSOCIATION_TYPES,
  TYPE_IDS,
  defaultAssociationType,
  findAssociationType,
} from './catalogue.js';
import { type Json, validationError } from './errors.js';
import { type RouteKit, decodeCursor, encodeCursor, errorEntry, inputsOf, parseLimit, str, typeOf } from './routing.js';
import { shapeAssociationTypes, shapeLabels } from './serialize.js';

/** Adds the v4 association routes. */
export function addAssociationRoutes({ deps, add, envelope, live }: RouteKit): void {
  const { store, order, now } = deps;
  // ---- associations v4 --------------------------------------------------------------------

  const requireBoth = (from: ObjectType, fromId: string, to: ObjectType, toId: string): void => {
    const problems: string[] = [];
    if (!live(from, fromId)) problems.push(`${TYPE_IDS[from]} ${fromId} does not exist`);
    if (!live(to, toId)) problems.push(`${TYPE_IDS[to]} ${toId} does not exist`);
    if (problems.length > 0) throw validationError(problems.join('; '), { context: { ids: [fromId, toId] } });
  };
  const defaultDef = (from: ObjectType, to: ObjectType): AssociationTypeDef => {
    const def = defaultAssociationType(from, to);
    if (!def) throw validationError(`No default association type exists from ${TYPE_IDS[from]} to ${TYPE_IDS[to]}`);
    return def;
  };
  const specDefs = (from: ObjectType, to: ObjectType, types: unknown): AssociationTypeDef[] => {
    if (!Array.isArray(types) || types.length === 0) throw validationError('At least one association type is required');
    return types.map((t: { associationCategory?: unknown; associationTypeId?: unknown }) => {
      const def = t?.associationCategory === 'HUBSPOT_DEFINED' ? findAssociationType(from, to, Number(t.associationTypeId)) : undefined;
      if (!def) {
        throw validationError(
          `${str(t?.associationCategory)} ${str(t?.associationTypeId)} is not a valid association type from ${TYPE_IDS[from]} to ${
            TYPE_IDS[to]
          }`,
        );
      }
      return def;
    });
  };
  const defaultResult = (def: AssociationTypeDef, fromId: string, toId: string): Json[] => [
    { from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.typeId } },
    {
      from: { id: toId },
      to: { id: fromId },
      associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.inverseTypeId },
    },
  ];
  const pageAssociations = (from: ObjectType, fromId: string, to: ObjectType, after: string | null, limit: number) => {
    const afterId = after ? Number(decodeCursor(after)) : -1;
    const all = store.associationsOf(from, fromId, to).filter((a) => Number(a.toId) > afterId);
    const page = all.slice(0, limit);
    const last = page[page.length - 1];
    return {
      results: page.map((a) => ({ toObjectId: Number(a.toId), associationTypes: shapeAssociationTypes(from, to, a.typeIds) })),
      next: all.length > limit && last ? encodeCursor(last.toId) : undefined,
    };
  };

  add(
    'PUT',
    '/crm/v4/objects/:from/:fromId/associations/default/:to/:toId',
    async ({ params }) => {
      const started = now();
      const from = typeOf(params[0] ?? '');
      const to = typeOf(params[2] ?? '');
      const fromId = params[1] ?? '';
      const toId = params[3] ?? '';
      const def = defaultDef(from, to);
      requireBoth(from, fromId, to, toId);
      store.associate(def, fromId, toId);
      return { status: 200, body: envelope(defaultResult(def, fromId, toId), [], started) };
    },
    { write: true },
  );

  add(
    'PUT',
    '/crm/v4/objects/:from/:fromId/associations/:to/:toId',
    async ({ params, body }) => {
      const from = typeOf(params[0] ?? '');
      const to = typeOf(params[2] ?? '');
      const fromId = params[1] ?? '';
      const toId = params[3] ?? '';
      const defs = specDefs(from, to, await body());
      requireBoth(from, fromId, to, toId);
      for (const def of defs) store.associate(def, fromId, toId);
      const typeIds = store.associationsOf(from, fromId, to).find((a) => a.toId === toId)?.typeIds ?? [];
      return { status: 201, body: shapeLabels(from, fromId, to, toId, typeIds) };
    },
    { write: true },
  );

  add(
    'DELETE',
    '/crm/v4/objects/:from/:fromId/associations/:to/:toId',
    async ({ params }) => {
      store.dissociate(typeOf(params[0] ?? ''), params[1] ?? '', typeOf(params[2] ?? ''), params[3] ?? '');
      return { status: 204 };
    },
    { write: true },
  );

  add('GET', '/crm/v4/objects/:from/:fromId/associations/:to', async ({ url, params }) => {
    const from = typeOf(params[0] ?? '');
    const to = typeOf(params[2] ?? '');
    const fromId = params[1] ?? '';
    const page = pageAssociations(from, fromId, to, url.searchParams.get('after'), parseLimit(url, 500, 500));
    return {
      status: 200,
      body: {
        results: page.results,
        ...(page.next
          ? {
              paging: {
                next: {
                  after: page.next,
                  link: `${deps.baseUrl}/crm/v4/objects/${params[0] ?? ''}/${fromId}/associations/${params[2] ?? ''}?after=${page.next}`,
                },
              },
            }
          : {}),
      },
    };
  });

  const v4Inputs = (body: Json, max: number): Array<Record<string, unknown>> => inputsOf(body, max);
  const idOf = (v: unknown): string => str((v as { id?: unknown } | undefined)?.id);

  add(
    'POST',
    '/crm/v4/associations/:from/:to/batch/associate/default',
    async ({ params, json }) => {
      const started = now();
      const from = typeOf(params[0] ?? '');
      const to = typeOf(params[1] ?? '');
      const def = defaultDef(from, to);
      const inputs = v4Inputs(await json(), 2000);
      const results: Json[] = [];
      const errors: Json[] = [];
      for (const input of inputs) {
        const fromId = idOf(input['from']);
        const toId = idOf(input['to']);
        try {
          requireBoth(from, fromId, to, toId);
          store.associate(def, fromId, toId);
          results.push(...defaultResult(def, fromId, toId));
        } catch (err) {
          errors.push(errorEntry(err, { fromObjectId: [fromId], toObjectId: [toId] }));
        }
      }
      return { status: errors.length ? 207 : 200, body: envelope(results, errors, started) };
    },
    { write: true },
  );

  add(
    'POST',
    '/crm/v4/associations/:from/:to/batch/create',
    async ({ params, json }) => {
      const started = now();
      const from = typeOf(params[0] ?? '');
      const to = typeOf(params[1] ?? '');
      const inputs = v4Inputs(await json(), 2000);
      const results: Json[] = [];
      const errors: Json[] = [];
      for (const input of inputs) {
        const fromId = idOf(input['from']);
        const toId = idOf(input['to']);
        try {
          const defs = specDefs(from, to, input['types']);
          requireBoth(from, fromId, to, toId);
          for (const def of defs) store.associate(def, fromId, toId);
          const typeIds = store.associationsOf(from, fromId, to).find((a) => a.toId === toId)?.typeIds ?? [];
          results.push(shapeLabels(from, fromId, to, toId, typeIds));
        } catch (err) {
          errors.push(errorEntry(err, { fromObjectId: [fromId], toObjectId: [toId] }));
        }
      }
      return { status: errors.length ? 207 : 201, body: envelope(order.shuffle(results), errors, started) };
    },
    { write: true },
  );

  add('POST', '/crm/v4/associations/:from/:to/batch/read', async ({ params, json }) => {
    const started = now();
    const from = typeOf(params[0] ?? '');
    const to = typeOf(params[1] ?? '');
    const inputs = v4Inputs(await json(), 1000);
    const results: Json[] = [];
    const errors: Json[] = [];
    for (const input of inputs) {
      const fromId = str(input['id']);
      const page = pageAssociations(from, fromId, to, typeof input['after'] === 'string' ? input['after'] : null, 500);
      if (page.results.length === 0) {
        errors.push({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${TYPE_IDS[to]} is associated with ${TYPE_IDS[from]} ${fromId}.`,
          context: { fromObjectId: [fromId] },
        });
        continue;
      }
      results.push({
        from: { id: fromId },
        to: page.results,
        ...(page.next ? { paging: { next: { after: page.next } } } : {}),
      });
    }
    return { status: errors.length ? 207 : 200, body: envelope(order.shuffle(results), errors, started) };
  });

  add(
    'POST',
    '/crm/v4/associations/:from/:to/batch/archive',
    async ({ params, json }) => {
      const from = typeOf(params[0] ?? '');
      const to = typeOf(params[1] ?? '');
      for (const input of v4Inputs(await json(), 2000)) {
        const fromId = idOf(input['from']);
        const targets = Array.isArray(input['to']) ? (input['to'] as unknown[]) : [input['to']];
        for (const t of targets) store.dissociate(from, fromId, to, idOf(t));
      }
      return { status: 204 };
    },
    { write: true },
  );

  add(
    'POST',
    '/crm/v4/associations/:from/:to/batch/labels/archive',
    async ({ params, json }) => {
      const from = typeOf(params[0] ?? '');
      const to = typeOf(params[1] ?? '');
      for (const input of v4Inputs(await json(), 2000)) {
        store.dissociateTypes(from, idOf(input['from']), to, idOf(input['to']), specDefs(from, to, input['types']));
      }
      return { status: 204 };
    },
    { write: true },
  );

  add('GET', '/crm/v4/associations/:from/:to/labels', async ({ params }) => {
    const from = typeOf(params[0] ?? '');
    const to = typeOf(params[1] ?? '');
    return {
      status: 200,
      body: {
        results: ASSOCIATION_TYPES.filter((t) => t.from === from && t.to === to).map((t) => ({
          category: 'HUBSPOT_DEFINED',
          typeId: t.typeId,
          label: t.label,
        })),
      },
    };
  });
}
