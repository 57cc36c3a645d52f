import { describe, expect, it } from 'vitest';
import { CustomerQuerySchema, ComplaintQuerySchema, TouchpointQuerySchema } from '../services/query.js';
import { LIST_FILTERS, LIST_PAGING, isListFilter } from '../store/filters.js';
import { STORE_FILTERS, checkListQuery } from '../store/queries.js';
import type { EntityName } from '../store/types.js';
import { setup } from './helpers.js';

const ENTITIES: readonly EntityName[] = ['customers', 'touchpoints', 'complaints'];
const SCHEMAS = { customers: CustomerQuerySchema, touchpoints: TouchpointQuerySchema, complaints: ComplaintQuerySchema };

describe('LIST_FILTERS, the one table of list filters', () => {
  it('names the filters every store checks and every service query takes', () => {
    for (const entity of ENTITIES) {
      const names = Object.keys(LIST_FILTERS[entity]);
      expect([...STORE_FILTERS[entity]]).toEqual(names);
      // `fields`, the filter on custom fields, is in every query but no row of the table.
      expect(Object.keys(SCHEMAS[entity].def.shape)).toEqual([...LIST_PAGING, ...names, 'fields']);
      expect(isListFilter(entity, 'fields')).toBe(false);
      for (const name of names) expect(isListFilter(entity, name)).toBe(true);
    }
    expect(isListFilter('customers', '__proto__')).toBe(false);
    expect(isListFilter('customers', 'status')).toBe(false);
  });

  it('keeps paging names apart from filter names', () => {
    for (const entity of ENTITIES) for (const name of LIST_PAGING) expect(isListFilter(entity, name)).toBe(false);
    expect(() => checkListQuery('complaints', { filter: { limit: 5 } as never })).toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid page query: filter.limit: unknown filter]`,
    );
  });

  it('checks the filter on custom fields in the store, naming each bad field', () => {
    expect(checkListQuery('customers', { filter: { fields: { tier: 'gold', seats: 1, vip: true, gone: null } } }).filter).toEqual({
      fields: { tier: 'gold', seats: 1, vip: true, gone: null },
    });
    expect(() => checkListQuery('customers', { filter: { fields: { tier: ['gold'], seats: Number.NaN } as never } })).toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid page query: filter.fields.tier: expected a string, a number, a boolean or null, received an array; filter.fields.seats: expected a finite number, received NaN]`,
    );
    expect(() => checkListQuery('touchpoints', { filter: { fields: { 'no good': 1 } } })).toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid page query: filter.fields: has an invalid field name: expected a letter, then letters, digits or "_" (64 at most)]`,
    );
    expect(() => checkListQuery('complaints', { filter: { fields: 'tier' as never } })).toThrow(/filter\.fields: expected an object/);
    expect(() => checkListQuery('complaints', { filter: { fields: { t: 'x'.repeat(1001) } } })).toThrow(/filter\.fields\.t: must be at most 1000 characters/);
    expect(checkListQuery('complaints', { filter: { fields: undefined } }).filter).toEqual({ fields: undefined });
  });

  it('gives the services the checks of each kind of value, with the messages they had', async () => {
    const { crm } = setup();
    await expect(crm.complaints.list({ status: ['open', 'nope' as never] })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid complaint query: status: expected a status or a list of statuses: "new", "open", "pending_customer", "resolved", "closed", "reopened"]`,
    );
    await expect(crm.customers.list({ kind: 'vip' as never })).rejects.toThrow(/kind/);
    await expect(crm.touchpoints.list({ customerId: 'not an id' })).rejects.toThrow(/customerId/);
    await expect(crm.customers.list({ externalId: { system: 'hubspot' } as never })).rejects.toThrow(/externalId\.id/);
    await expect(crm.customers.list({ colour: 'red' } as never)).rejects.toThrow(/colour/);
    expect((await crm.complaints.list({ status: ['open', 'new'] })).items).toEqual([]);
  });

  it('matches records in the memory store as the table says', async () => {
    const { crm } = setup();
    const sam = await crm.customers.create({ name: 'Sam', emails: ['Sam@Example.com'], tags: ['vip'], externalIds: { hubspot: '901' } });
    await crm.customers.create({ name: 'Lee', tags: ['new'] });
    const names = async (query: Parameters<typeof crm.customers.list>[0]) => (await crm.customers.list(query)).items.map((c) => c.name);
    expect(await names({ tag: 'vip' })).toEqual(['Sam']);
    expect(await names({ email: ' sam@example.COM ' })).toEqual(['Sam']);
    expect(await names({ externalId: { system: 'hubspot', id: '901' } })).toEqual(['Sam']);
    expect(await names({ externalId: { system: 'hubspot', id: '902' } })).toEqual([]);
    expect(await names({ kind: sam.kind })).toEqual(['Lee', 'Sam']);
  });
});
