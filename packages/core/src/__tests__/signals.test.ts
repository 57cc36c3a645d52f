import { describe, expect, it, vi } from 'vitest';
import { CrmNotFoundError, CrmValidationError } from '../errors/index.js';
import { TouchpointSchema } from '../schemas/touchpoint.js';
import { lexiconClassifier, type SignalClassifier } from '../signals/index.js';
import type { CrmOptions } from '../crm.js';
import { setup, snapshot } from './helpers.js';

const STAFF = [
  { id: 'sam', name: 'Sam', languages: ['en'] },
  { id: 'linda', name: 'Linda', languages: ['en', 'zh-TW'] },
];

async function env(options: CrmOptions = { staff: STAFF, signals: { classifier: lexiconClassifier() } }) {
  const e = setup(options);
  const mei = await e.crm.customers.create({ name: '林美', locale: 'zh-TW' });
  const ada = await e.crm.customers.create({ name: 'Ada', locale: 'en-GB' });
  const suggested = vi.fn();
  e.crm.on('complaint.suggested', suggested);
  return { ...e, mei, ada, suggested };
}

describe('hidden complaints: detection', () => {
  it('flags a complaint in the customer language, stores the signal with the touchpoint and emits complaint.suggested', async () => {
    const { crm, mei, suggested } = await env();
    const t = await crm.touchpoints.log({ customerId: mei.id, channel: 'call', direction: 'inbound', summary: '等了一個多月還沒收到貨，真的很失望。' });
    expect(t.signal).toEqual({
      state: 'suggested',
      reasons: ['delay or unfinished work (zh-TW): 等了, 一個多月, 沒收到, 失望'],
      matches: ['等了', '一個多月', '沒收到', '失望'],
      detectedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(TouchpointSchema.parse(t)).toEqual(t);
    expect(await crm.touchpoints.get(t.id)).toEqual(t);
    expect(suggested).toHaveBeenCalledOnce();
    expect(suggested.mock.calls[0]![0]).toEqual({
      touchpoint: t,
      reasons: ['delay or unfinished work (zh-TW): 等了, 一個多月, 沒收到, 失望'],
      matches: ['等了', '一個多月', '沒收到', '失望'],
      origin: 'app',
    });
  });

  it('names the kind of complaint in the suggestion, so staff see why it was raised (issue 15)', async () => {
    const { crm, mei, ada } = await env();
    const billing = await crm.touchpoints.log({ customerId: mei.id, channel: 'call', direction: 'inbound', summary: '帳單多收了兩百元。' });
    expect(billing.signal).toMatchObject({ reasons: ['billing problem (zh-TW): 多收'], matches: ['多收'] });
    const passed = await crm.touchpoints.log({
      customerId: ada.id, channel: 'call', direction: 'inbound', summary: 'Passed from Sam to Linda, and I had to explain the whole thing again.',
    });
    expect(passed.signal?.reasons).toEqual(['passed around (en): Passed from, explain the whole thing again']);
    const plain = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', summary: 'Can I get a refund if I change my mind?' });
    expect(plain.signal).toBeUndefined();
    expect((await crm.complaints.suggestions()).items.map((t) => t.signal?.reasons[0])).toEqual([
      'passed around (en): Passed from, explain the whole thing again',
      'billing problem (zh-TW): 多收',
    ]);
  });

  it('flags outcome "complaint" and clearly negative sentiment in both directions, with every reason', async () => {
    const { crm, ada } = await env();
    const a = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'outbound', outcome: 'complaint' });
    expect(a.signal?.reasons).toEqual(['outcome is "complaint" but no complaint was opened']);
    const b = await crm.touchpoints.log({
      customerId: ada.id, channel: 'email', direction: 'inbound', sentiment: -0.8, summary: 'I am really disappointed, this is unacceptable.',
    });
    expect(b.signal).toMatchObject({
      reasons: ['sentiment -0.8 is at or below -0.5', 'negative wording (en): disappointed, unacceptable'],
      matches: ['disappointed', 'unacceptable'],
    });
    const c = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', sentiment: -0.4 });
    expect(c.signal).toBeUndefined();
  });

  it('leaves alone positive and negated wording, outbound wording (staff apologies), and touchpoints already about a complaint', async () => {
    const { crm, mei, ada, suggested } = await env();
    for (const summary of ['這款不是不好，只是我比較喜歡舊的顏色。', '謝謝你們這麼快就幫我處理好了。']) {
      expect((await crm.touchpoints.log({ customerId: mei.id, channel: 'chat', direction: 'inbound', summary })).signal).toBeUndefined();
    }
    const apology = await crm.touchpoints.log({
      customerId: ada.id, channel: 'email', direction: 'outbound', summary: 'So sorry the parcel arrived damaged and late, that is unacceptable from us.',
    });
    expect(apology.signal).toBeUndefined();
    const k = await crm.complaints.open({ customerId: ada.id, subject: 'Broken heater', channel: 'call', ownerId: 'sam' });
    const about = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', complaintId: k.id, outcome: 'complaint', summary: 'Still terrible.' });
    expect(about.signal).toBeUndefined();
    expect(suggested).not.toHaveBeenCalled();
  });

  it('detects nothing without the signals option; with signals but no classifier, only outcome and sentiment count', async () => {
    const off = await env({});
    const t = await off.crm.touchpoints.log({ customerId: off.ada.id, channel: 'call', direction: 'inbound', outcome: 'complaint', sentiment: -1, summary: 'Terrible!' });
    expect(t.signal).toBeUndefined();
    expect((await off.crm.complaints.suggestions()).items).toEqual([]);
    const bare = await env({ signals: {} });
    expect((await bare.crm.touchpoints.log({ customerId: bare.ada.id, channel: 'call', direction: 'inbound', summary: 'Terrible!' })).signal).toBeUndefined();
    expect((await bare.crm.touchpoints.log({ customerId: bare.ada.id, channel: 'call', direction: 'inbound', sentiment: -0.9 })).signal?.reasons).toEqual([
      'sentiment -0.9 is at or below -0.5',
    ]);
  });

  it('takes any classifier, async too; one that throws never stops the touchpoint (the error goes to error handlers)', async () => {
    const model: SignalClassifier = {
      name: 'model',
      classify: async ({ text, locale }) => ({ complaint: text.includes('meh'), matches: ['meh'], reason: `model (${locale})`, score: 0.93 }),
    };
    const { crm, ada } = await env({ signals: { classifier: model, wordingDirections: ['inbound', 'outbound'] } });
    const t = await crm.touchpoints.log({ customerId: ada.id, channel: 'sms', direction: 'outbound', summary: 'meh' });
    expect(t.signal).toMatchObject({ reasons: ['model (en-GB)'], matches: ['meh'] });

    const failing = await env({ signals: { classifier: { classify: () => Promise.reject(new Error('model down')) } } });
    const errors = vi.fn();
    failing.crm.on('error', errors);
    const u = await failing.crm.touchpoints.log({ customerId: failing.ada.id, channel: 'sms', direction: 'inbound', outcome: 'complaint', summary: 'meh' });
    expect(u.signal?.reasons).toEqual(['outcome is "complaint" but no complaint was opened']);
    expect(errors).toHaveBeenCalledWith({ error: new Error('model down'), event: 'complaint.suggested' });
  });

  it('rejects bad signals options with an error naming the field', () => {
    const bad = (signals: unknown) => () => setup({ signals } as CrmOptions);
    expect(bad('yes')).toThrow(CrmValidationError);
    expect(bad({ classifier: {} })).toThrow(/signals\.classifier\.classify/);
    expect(bad({ sentimentAtOrBelow: -2 })).toThrow(/signals\.sentimentAtOrBelow: must be a number from -1 to 1/);
    expect(bad({ wordingDirections: ['sideways'] })).toThrow(/signals\.wordingDirections/);
    expect(bad({ threshold: 2 })).toThrow(/signals\.threshold: unknown option/);
  });
});

describe('hidden complaints: suggestions, accept and dismiss', () => {
  async function withSuggestions() {
    const e = await env();
    const one = await e.crm.touchpoints.log({ customerId: e.ada.id, channel: 'call', direction: 'inbound', subject: 'Router', summary: "The new router doesn't work and I am frustrated." });
    const two = await e.crm.touchpoints.log({ customerId: e.mei.id, channel: 'chat', direction: 'inbound', summary: '你們客服的態度太差了。' });
    const three = await e.crm.touchpoints.log({ customerId: e.ada.id, channel: 'email', direction: 'inbound', summary: 'Third time asking: the invoice is wrong again, unacceptable.' });
    return { ...e, one, two, three };
  }

  it('lists pending suggestions newest first, per customer, a page at a time', async () => {
    const { crm, ada, one, two, three } = await withSuggestions();
    expect((await crm.complaints.suggestions()).items.map((t) => t.id)).toEqual([three.id, two.id, one.id]);
    expect((await crm.complaints.suggestions({ customerId: ada.id })).items.map((t) => t.id)).toEqual([three.id, one.id]);
    const first = await crm.complaints.suggestions({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect((await crm.complaints.suggestions({ limit: 2, cursor: first.nextCursor })).items.map((t) => t.id)).toEqual([one.id]);
    await expect(crm.complaints.suggestions({ limit: 0 })).rejects.toThrow(/suggestion query: limit/);
    await expect(crm.complaints.suggestions({ status: 'x' } as never)).rejects.toThrow(/suggestion query.*status/s);
  });

  it('accept opens a complaint linked to the touchpoint and marks the suggestion accepted in the same write', async () => {
    const { crm, store, one, suggested } = await withSuggestions();
    const before = await snapshot(store);
    const opened = vi.fn();
    crm.on('complaint.opened', opened);
    const k = await crm.complaints.acceptSuggestion(one.id, { ownerId: 'sam', priority: 'high', actorId: 'linda' });
    expect(k).toMatchObject({ customerId: one.customerId, subject: 'Router', channel: 'call', priority: 'high', ownerId: 'sam', touchpointId: one.id, description: one.summary });
    expect(await snapshot(store)).toBe(before + 2); // One atomic write: the complaint and the touchpoint.
    const t = await crm.touchpoints.get(one.id);
    expect(t).toMatchObject({ complaintId: k.id, version: 2 });
    expect(t.signal).toEqual({ ...one.signal, state: 'accepted', decidedAt: '2026-03-02T09:00:00.000Z', decidedBy: 'linda', complaintId: k.id });
    expect(opened).toHaveBeenCalledOnce();
    expect((await crm.complaints.suggestions()).items.map((s) => s.id)).not.toContain(one.id);
    expect(suggested).toHaveBeenCalledTimes(3);
  });

  it('accept without a subject uses the start of the summary; opening a complaint from a suggested touchpoint accepts it too', async () => {
    const { crm, mei, two, three } = await withSuggestions();
    const k = await crm.complaints.acceptSuggestion(two.id);
    expect(k.subject).toBe('你們客服的態度太差了。');
    const k2 = await crm.complaints.open({ customerId: three.customerId, subject: 'Invoice', channel: 'email', touchpointId: three.id, ownerId: 'sam' });
    expect((await crm.touchpoints.get(three.id)).signal).toMatchObject({ state: 'accepted', complaintId: k2.id });
    expect(mei.id).toBe(two.customerId);
  });

  it('dismiss records who and why; the touchpoint is never suggested again', async () => {
    const { crm, one } = await withSuggestions();
    const t = await crm.complaints.dismissSuggestion(one.id, { reason: 'Router was unplugged; fixed on the call', actorId: 'sam' });
    expect(t.signal).toEqual({
      ...one.signal,
      state: 'dismissed',
      decidedAt: '2026-03-02T09:00:00.000Z',
      decidedBy: 'sam',
      note: 'Router was unplugged; fixed on the call',
    });
    expect(await crm.touchpoints.get(one.id)).toEqual(t);
    expect((await crm.complaints.suggestions()).items.map((s) => s.id)).not.toContain(one.id);
    expect((await crm.touchpoints.list({ signal: 'dismissed' })).items).toEqual([t]);
  });

  it('accept or dismiss of a touchpoint without a pending suggestion is a clear error, and writes nothing', async () => {
    const { crm, store, ada, one, two } = await withSuggestions();
    const plain = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', summary: 'Thanks, all sorted.' });
    await crm.complaints.dismissSuggestion(two.id, { reason: 'Asked about prices' });
    await crm.complaints.acceptSuggestion(one.id);
    const before = await snapshot(store);
    await expect(crm.complaints.acceptSuggestion(plain.id)).rejects.toThrow(/suggestion acceptance: touchpointId: the touchpoint has no complaint suggestion/);
    await expect(crm.complaints.acceptSuggestion(two.id)).rejects.toThrow(/already dismissed/);
    await expect(crm.complaints.dismissSuggestion(one.id, { reason: 'x' })).rejects.toThrow(/suggestion dismissal: touchpointId: .*already accepted/);
    await expect(crm.complaints.acceptSuggestion('nope')).rejects.toThrow(CrmNotFoundError);
    await expect(crm.complaints.dismissSuggestion(plain.id, {} as never)).rejects.toThrow(/suggestion dismissal: reason/);
    await expect(crm.complaints.dismissSuggestion(plain.id, { reason: 'ok', actorId: 'ghost' })).rejects.toThrow(/actorId: unknown staff member "ghost"/);
    await expect(crm.complaints.acceptSuggestion(plain.id, { priority: 'huge' } as never)).rejects.toThrow(/suggestion acceptance: priority/);
    await expect(crm.complaints.acceptSuggestion(plain.id, { ownerId: 'ghost' })).rejects.toThrow(CrmValidationError);
    expect(await snapshot(store)).toBe(before);
  });

  it('two concurrent accepts of one suggestion open exactly one complaint', async () => {
    const { crm, one } = await withSuggestions();
    const results = await Promise.allSettled([crm.complaints.acceptSuggestion(one.id), crm.complaints.acceptSuggestion(one.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await crm.complaints.list({ customerId: one.customerId })).items).toHaveLength(1);
  });
});
