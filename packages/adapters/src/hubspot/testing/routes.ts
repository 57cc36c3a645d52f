/** The mock's route table: objects v3, search, properties, pipelines, associations v4, OAuth tokens. */
import { type ObjectType, TYPE_IDS } from './catalogue.js';
import { type MockHttpError, apiError } from './errors.js';
import { addAssociationRoutes } from './associationRoutes.js';
import { addObjectRoutes } from './objectRoutes.js';
import { type Route, type RouteDeps, createKit } from './routing.js';
import { addSchemaRoutes } from './schemaRoutes.js';

export type { Route, RouteDeps, RouteRequest, RouteResult } from './routing.js';

/** Builds the route table (order matters only where two patterns could match the same path). */
export function createRoutes(deps: RouteDeps): Route[] {
  const { routes, kit } = createKit(deps);
  addObjectRoutes(kit);
  addSchemaRoutes(kit);
  addAssociationRoutes(kit);
  return routes;
}

/** The token endpoints (handled by the mock's auth; listed here so routing has one table). */
export const TOKEN_ROUTES: Array<Pick<Route, 'method' | 'pattern' | 'name' | 'token'>> = [
  { method: 'POST', pattern: /^\/oauth\/v1\/token\/?$/, name: 'POST /oauth/v1/token', token: 'v1' },
  { method: 'POST', pattern: /^\/oauth\/v3\/token\/?$/, name: 'POST /oauth/v3/token', token: 'v3' },
];

/** The 404 of the mock's direct methods for a missing record. */
export function missing(type: ObjectType, id: string): MockHttpError {
  return apiError(404, 'OBJECT_NOT_FOUND', `No ${TYPE_IDS[type]} with id ${id}`);
}
