import { describe, expect, it } from 'vitest';
import { CustomerSchema, ComplaintSchema, TouchpointSchema, type Complaint, type Customer, type Touchpoint } from '@crm/core';
import {
  CALL_DISPOSITIONS,
  complaintData,
  contactProperties,
  customerData,
  engagementOf,
  htmlToText,
  parseRemoteId,
  resolveMapping,
  textToHtml,
  ticketProperties,
  touchpointData,
  type HubSpotObject,
} from '../hubspot/mapping.js';

const at = '2026-03-02T09:00:00.000Z';
const meta = { version: 1, createdAt: at, updatedAt: at };
const mapping = resolveMapping();

const customer = (over: Partial<Customer> = {}): Customer =>
  CustomerSchema.parse({ id: 'C1', ...meta, kind: 'customer', name: 'Siti Nurhaliza binti Ahmad', emails: ['siti@example.com', 'siti@work.example'], phones: ['+60123456789'], addresses: [], tags: [], externalIds: {}, ...over });
const complaint = (over: Partial<Complaint> = {}): Complaint =>
  ComplaintSchema.parse({ id: 'K1', ...meta, customerId: 'C1', subject: 'Bill charged twice', channel: 'call', priority: 'urgent', status: 'resolved', activity: [], externalIds: {}, ...over });
const touchpoint = (over: Partial<Touchpoint> = {}): Touchpoint =>
  TouchpointSchema.parse({ id: 'T1', ...meta, customerId: 'C1', channel: 'call', direction: 'inbound', occurredAt: at, participants: [], externalIds: {}, ...over });

/** What HubSpot would hand back after storing `properties` (values as strings, unknown ones dropped). */
const stored = (properties: Record<string, string>, over: Partial<HubSpotObject> = {}): HubSpotObject => ({ id: '901', properties, createdAt: at, updatedAt: at, ...over });

describe('HubSpot mapping: customers ↔ contacts', () => {
  it('round-trips every mapped field, the exact kind, name and lists included', () => {
    const props = contactProperties(customer({ kind: 'former', company: 'Kedai Runcit' }), mapping);
    expect(props).toMatchObject({ firstname: 'Siti Nurhaliza binti', lastname: 'Ahmad', email: 'siti@example.com', phone: '+60123456789', lifecyclestage: 'other', crm_record_id: 'C1' });
    expect(customerData(stored(props), mapping)).toEqual({
      name: 'Siti Nurhaliza binti Ahmad',
      kind: 'former',
      emails: ['siti@example.com', 'siti@work.example'],
      phones: ['+60123456789'],
      company: 'Kedai Runcit',
    });
  });

  it('takes what a HubSpot user changed over the exact values it no longer agrees with', () => {
    const props = contactProperties(customer({ kind: 'prospect' }), mapping);
    const edited = stored({ ...props, email: 'siti.new@example.com', lifecyclestage: 'customer', firstname: 'Siti', lastname: 'Ahmad' });
    expect(customerData(edited, mapping)).toMatchObject({ name: 'Siti Ahmad', kind: 'customer', emails: ['siti.new@example.com', 'siti@work.example'] });
  });

  it('reads a contact created in HubSpot (no detail) by its lifecycle stage and names it from what it has', () => {
    expect(customerData(stored({ email: 'lead@example.com', lifecyclestage: 'salesqualifiedlead' }), mapping)).toEqual({ name: 'lead@example.com', kind: 'prospect', emails: ['lead@example.com'], phones: [] });
    expect(customerData(stored({}), mapping).name).toBe('HubSpot contact 901');
  });

  it('maps owners both ways and custom fields by their types', () => {
    const m = resolveMapping({ owners: { staff_1: '7001' }, fields: { customers: { tier: 'crm_tier', score: { property: 'crm_score', type: 'number' }, vip: { property: 'crm_vip', type: 'boolean' } } } });
    const props = contactProperties(customer({ ownerId: 'staff_1', fields: { tier: 'gold', score: 42, vip: true } }), m);
    expect(props).toMatchObject({ hubspot_owner_id: '7001', crm_tier: 'gold', crm_score: '42', crm_vip: 'true' });
    expect(customerData(stored(props), m)).toMatchObject({ ownerId: 'staff_1', fields: { tier: 'gold', score: 42, vip: true } });
    expect(contactProperties(customer({ ownerId: 'staff_unknown' }), m)).not.toHaveProperty('hubspot_owner_id');
  });
});

describe('HubSpot mapping: complaints ↔ tickets', () => {
  it('keeps the exact status and priority while the stage and priority still agree', () => {
    const props = ticketProperties(complaint(), mapping);
    expect(props).toMatchObject({ hs_pipeline: '0', hs_pipeline_stage: '4', hs_ticket_priority: 'HIGH', source_type: 'PHONE', subject: 'Bill charged twice' });
    expect(complaintData(stored(props), mapping)).toMatchObject({ status: 'resolved', priority: 'urgent', channel: 'call' });
  });

  it('reads a stage moved in HubSpot back as that stage’s status', () => {
    const props = ticketProperties(complaint({ status: 'open' }), mapping);
    expect(complaintData(stored({ ...props, hs_pipeline_stage: '2', hs_ticket_priority: 'LOW' }), mapping)).toMatchObject({ status: 'pending_customer', priority: 'low' });
  });

  it('leaves the status alone for a ticket moved to another pipeline', () => {
    const props = ticketProperties(complaint({ status: 'open' }), mapping);
    expect(complaintData(stored({ ...props, hs_pipeline: '99', hs_pipeline_stage: '12' }), mapping)).not.toHaveProperty('status');
  });
});

describe('HubSpot mapping: touchpoints ↔ engagements', () => {
  it('puts each channel on its engagement object and reads it back as that channel', () => {
    for (const [channel, type] of [['call', 'calls'], ['email', 'emails'], ['meeting', 'meetings'], ['visit', 'meetings'], ['letter', 'notes'], ['sms', 'notes']] as const) {
      const tp = touchpoint({ channel, direction: 'outbound', subject: 'Follow-up', summary: 'Line one\nLine two', durationSeconds: 90 });
      const { type: got, properties } = engagementOf(tp, mapping);
      expect(got).toBe(type);
      const data = touchpointData(got, stored(properties), mapping)!;
      expect(data).toMatchObject({ channel, direction: 'outbound', occurredAt: at, subject: 'Follow-up', summary: 'Line one\nLine two' });
      if (type === 'calls' || type === 'meetings') expect(data.durationSeconds).toBe(90);
    }
  });

  it('sends hostile text as text: the HTML HubSpot renders shows it literally and reads back unchanged', () => {
    const summary = '<img src=x onerror=alert(1)> & "quotes"\n\n<script>steal()</script>';
    const { properties } = engagementOf(touchpoint({ channel: 'letter', subject: '<b>Urgent</b>', summary }), mapping);
    expect(properties.hs_note_body).not.toMatch(/<img|<script|<b>/);
    expect(properties.hs_note_body).toContain('&lt;script&gt;');
    expect(touchpointData('notes', stored(properties), mapping)).toMatchObject({ subject: '<b>Urgent</b>', summary });
    expect(htmlToText(textToHtml(summary))).toBe(summary);
  });

  it('maps call outcomes to dispositions and reads HubSpot’s back', () => {
    expect(engagementOf(touchpoint({ outcome: 'no_answer' }), mapping).properties.hs_call_disposition).toBe(CALL_DISPOSITIONS.noAnswer);
    const { properties } = engagementOf(touchpoint({ outcome: 'order' }), mapping);
    expect(touchpointData('calls', stored(properties), mapping)?.outcome).toBe('order');
    expect(touchpointData('calls', stored({ ...properties, hs_call_disposition: CALL_DISPOSITIONS.leftVoicemail }), mapping)?.outcome).toBe('voicemail');
  });

  it('skips notes written in HubSpot itself (internal notes, no contact with a customer)', () => {
    expect(touchpointData('notes', stored({ hs_note_body: '<p>remember to call</p>', hs_timestamp: at }), mapping)).toBeNull();
    expect(touchpointData('calls', stored({ hs_call_direction: 'INBOUND', hs_timestamp: '1772442000000' }), mapping)).toMatchObject({ channel: 'call', direction: 'inbound', occurredAt: '2026-03-02T09:00:00.000Z' });
  });

  it('refuses a text longer than HubSpot keeps, naming the property', () => {
    expect(() => engagementOf(touchpoint({ channel: 'letter', summary: '&'.repeat(20_000) }), mapping)).toThrow(/hs_note_body would be \d+ characters; HubSpot keeps at most 65536/);
  });

  it('keeps the object type in engagement ids', () => {
    expect(parseRemoteId('touchpoints', 'calls/55', mapping)).toEqual({ type: 'calls', id: '55' });
    expect(parseRemoteId('touchpoints', '55', mapping)).toBeNull();
    expect(parseRemoteId('touchpoints', 'deals/55', mapping)).toBeNull();
    expect(parseRemoteId('customers', '55', mapping)).toEqual({ type: 'contacts', id: '55' });
  });
});

describe('HubSpot mapping options', () => {
  it('names the option that is wrong', () => {
    expect(() => resolveMapping({ idProperty: 'Bad Name' })).toThrow('`idProperty` must be a HubSpot property name');
    expect(() => resolveMapping({ stages: { solved: '4' } as never })).toThrow('`stages.solved` is not one of new, pending_customer, open, reopened, resolved, closed');
    expect(() => resolveMapping({ engagements: { visit: 'deals' } as never })).toThrow('`engagements.visit` must be one of calls, emails, meetings, notes');
    expect(() => resolveMapping({ owners: { a: '1', b: '1' } })).toThrow('`owners.b` maps to owner 1, which a maps to already');
    expect(() => resolveMapping({ owners: { a: 'x' } })).toThrow('`owners.a` must be a HubSpot owner id');
    expect(() => resolveMapping({ fields: { customers: { tier: 'crm_detail' } } })).toThrow("`fields.customers.tier` can't use the adapter's own property crm_detail");
    expect(() => resolveMapping({ fields: { deals: {} } as never })).toThrow('`fields.deals` is not an entity');
  });
});
