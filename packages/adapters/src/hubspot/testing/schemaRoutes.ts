/** Routes of the property catalogue (`/crm/v3/properties`) and ticket pipelines (`/crm/v3/pipelines`). */
import { type ObjectType, TICKET_PIPELINE, TYPE_IDS } from './catalogue.js';
import { type Json, notFound } from './errors.js';
import { type RouteKit, iso, typeOf } from './routing.js';

/** Adds the property and pipeline routes. */
export function addSchemaRoutes({ deps, add }: RouteKit): void {
  const { store } = deps;
  // ---- properties and pipelines -----------------------------------------------------------

  const shapeProperty = (type: ObjectType, name: string): Json => {
    const def = store.props(type).get(name);
    if (!def) throw notFound(`Unable to find property ${name} on ${TYPE_IDS[type]}`);
    return {
      name: def.name,
      label: def.label,
      type: def.type,
      fieldType: def.fieldType,
      groupName: def.groupName,
      description: '',
      options: def.options.map((o, i) => ({ ...o, displayOrder: i, hidden: false })),
      hasUniqueValue: def.hasUniqueValue,
      calculated: false,
      externalOptions: false,
      hidden: false,
      formField: !def.readOnly,
      modificationMetadata: { archivable: def.custom, readOnlyDefinition: !def.custom, readOnlyValue: def.readOnly },
      createdAt: def.createdAt,
      updatedAt: def.createdAt,
      archived: false,
      ...(def.custom ? { createdUserId: '1' } : {}),
    };
  };

  add('GET', '/crm/v3/properties/:type', async ({ params }) => {
    const type = typeOf(params[0] ?? '');
    return { status: 200, body: { results: [...store.props(type).keys()].map((n) => shapeProperty(type, n)) } };
  });
  add('GET', '/crm/v3/properties/:type/:name', async ({ params }) => {
    const type = typeOf(params[0] ?? '');
    return { status: 200, body: shapeProperty(type, decodeURIComponent(params[1] ?? '')) };
  });
  add(
    'POST',
    '/crm/v3/properties/:type',
    async ({ params, json }) => {
      const type = typeOf(params[0] ?? '');
      const def = store.addProperty(type, await json());
      return { status: 201, body: shapeProperty(type, def.name) };
    },
    { write: true },
  );

  const pipeline = (): Json => {
    const created = iso(0);
    return {
      id: TICKET_PIPELINE.id,
      label: TICKET_PIPELINE.label,
      displayOrder: 0,
      archived: false,
      createdAt: created,
      updatedAt: created,
      stages: TICKET_PIPELINE.stages.map((s, i) => ({
        id: s.id,
        label: s.label,
        displayOrder: i,
        metadata: { ticketState: s.ticketState },
        archived: false,
        createdAt: created,
        updatedAt: created,
      })),
    };
  };
  add('GET', '/crm/v3/pipelines/:type', async ({ params }) => {
    const type = typeOf(params[0] ?? '');
    if (type !== 'tickets') return { status: 200, body: { results: [] } };
    return { status: 200, body: { results: [pipeline()] } };
  });
  add('GET', '/crm/v3/pipelines/:type/:id', async ({ params }) => {
    const type = typeOf(params[0] ?? '');
    if (type !== 'tickets' || params[1] !== TICKET_PIPELINE.id) throw notFound(`Unable to find pipeline ${params[1] ?? ''}`);
    return { status: 200, body: pipeline() };
  });
}
