import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { fieldRegistry } from '@crm/core';
import {
  fromRemoteProperties,
  fromRemoteValue,
  hubspotPropertyDefinition,
  remoteFields,
  salesforceFieldDefinition,
  toRemoteProperties,
  toRemoteValue,
} from '../index.js';

const registry = fieldRegistry({
  customers: {
    tier: { schema: z.enum(['gold', 'silver']), labels: { en: 'Tier' }, remote: { hubspot: 'crm_tier', salesforce: 'Tier__c' } },
    seats: { schema: z.number().int(), remote: { hubspot: 'crm_seats', salesforce: 'Seats__c' } },
    vip: { schema: z.boolean(), remote: { hubspot: 'crm_vip', salesforce: 'Vip__c' } },
    renewal: { schema: z.iso.date(), remote: { hubspot: 'crm_renewal', salesforce: 'Renewal__c' } },
    lastAudit: { schema: z.iso.datetime(), remote: { hubspot: 'crm_last_audit', salesforce: 'Last_Audit__c' } },
    prefs: { schema: z.object({ channel: z.string() }), remote: { hubspot: 'crm_prefs' } },
    localOnly: z.string(),
  },
});
const fields = registry.list('customers');
const byName = (name: string) => fields.find((f) => f.name === name)!;

describe('custom fields in remote CRMs', () => {
  it('reads each field type from its JSON Schema', () => {
    expect(fields.map((f) => [f.name, f.type])).toEqual([
      ['tier', 'enumeration'],
      ['seats', 'number'],
      ['vip', 'boolean'],
      ['renewal', 'date'],
      ['lastAudit', 'datetime'],
      ['prefs', 'json'],
      ['localOnly', 'string'],
    ]);
    expect(remoteFields(fields, 'hubspot').map((f) => f.remoteName)).toEqual(['crm_tier', 'crm_seats', 'crm_vip', 'crm_renewal', 'crm_last_audit', 'crm_prefs']);
    expect(remoteFields(fields, 'salesforce')).toHaveLength(5);
  });

  it('sends HubSpot strings and Salesforce JSON, and clears absent values', () => {
    const values = { tier: 'gold', seats: 12, vip: false, renewal: '2027-01-31', lastAudit: '2026-11-30T08:15:00.000Z', prefs: { channel: 'sms' } };
    expect(toRemoteProperties(remoteFields(fields, 'hubspot'), values, 'hubspot')).toEqual({
      crm_tier: 'gold',
      crm_seats: '12',
      crm_vip: 'false',
      crm_renewal: '2027-01-31',
      crm_last_audit: '2026-11-30T08:15:00.000Z',
      crm_prefs: '{"channel":"sms"}',
    });
    expect(toRemoteProperties(remoteFields(fields, 'salesforce'), { seats: 3 }, 'salesforce')).toEqual({
      Tier__c: null,
      Seats__c: 3,
      Vip__c: null,
      Renewal__c: null,
      Last_Audit__c: null,
    });
    expect(toRemoteValue(byName('tier'), undefined, 'hubspot')).toBe('');
  });

  it('refuses to send what the remote type cannot hold, naming the field', () => {
    expect(() => toRemoteValue(byName('tier'), 'bronze', 'hubspot')).toThrow(/fields\.tier: expected one of the options \("gold", "silver"\)/);
    expect(() => toRemoteValue(byName('renewal'), '2027-02-30', 'salesforce')).toThrow(/fields\.renewal: expected a date/);
    expect(() => toRemoteValue(byName('seats'), '12', 'salesforce')).toThrow(/fields\.seats: expected a number/);
  });

  it('reads HubSpot values back: strings, midnight-UTC milliseconds for dates, "" for none', () => {
    const { values, errors } = fromRemoteProperties(
      remoteFields(fields, 'hubspot'),
      { crm_tier: 'silver', crm_seats: '7', crm_vip: 'true', crm_renewal: String(Date.UTC(2027, 0, 31)), crm_last_audit: '1764490500000', crm_prefs: '' },
      'hubspot',
    );
    expect(errors).toEqual([]);
    expect(values).toEqual({ tier: 'silver', seats: 7, vip: true, renewal: '2027-01-31', lastAudit: '2025-11-30T08:15:00.000Z' });
  });

  it('reads Salesforce values back, offsets written +0000 included', () => {
    const sf = remoteFields(fields, 'salesforce');
    const { values } = fromRemoteProperties(sf, { Tier__c: 'gold', Seats__c: 2, Vip__c: false, Renewal__c: '2027-01-31', Last_Audit__c: '2013-05-08T23:00:00.000+0000' }, 'salesforce');
    expect(values).toEqual({ tier: 'gold', seats: 2, vip: false, renewal: '2027-01-31', lastAudit: '2013-05-08T23:00:00.000Z' });
    expect(fromRemoteValue(byName('lastAudit'), '2013-05-09T01:00:00.000+0200', 'salesforce')).toBe('2013-05-08T23:00:00.000Z');
  });

  it('reports a value it cannot read instead of guessing, and keeps the rest', () => {
    const { values, errors } = fromRemoteProperties(remoteFields(fields, 'hubspot'), { crm_seats: 'twelve', crm_vip: 'yes', crm_tier: 'gold' }, 'hubspot');
    expect(values).toEqual({ tier: 'gold' });
    expect(errors.map((e) => e.issues[0]!.field)).toEqual(['fields.seats', 'fields.vip']);
  });

  it('builds the definitions a setup step creates remotely', () => {
    expect(hubspotPropertyDefinition(byName('tier'), { groupName: 'crm_sdk' })).toEqual({
      name: 'crm_tier',
      label: 'Tier',
      groupName: 'crm_sdk',
      type: 'enumeration',
      fieldType: 'select',
      options: [
        { label: 'gold', value: 'gold', displayOrder: 0 },
        { label: 'silver', value: 'silver', displayOrder: 1 },
      ],
    });
    expect(hubspotPropertyDefinition(byName('vip'), { groupName: 'g' })).toMatchObject({ type: 'bool', fieldType: 'booleancheckbox' });
    expect(salesforceFieldDefinition(byName('seats'), 'Contact')).toEqual({
      FullName: 'Contact.Seats__c',
      Metadata: { label: 'seats', type: 'Number', precision: 18, scale: 0 },
    });
    expect(salesforceFieldDefinition(byName('tier'), 'Contact').Metadata).toMatchObject({ type: 'Picklist' });
    expect(() => salesforceFieldDefinition(byName('prefs'), 'Contact')).toThrow(/no Salesforce name/);
  });
});
