// Touchpoint records for the SQL benches, built directly (the store takes stored records): varied
// channels and outcomes, 60–300-character summaries with CJK and accents, out-of-order times.

import { ulidGenerator } from '@crm/core';
import { random as seeded } from './corpus.mjs';

const CHANNELS = ['call', 'email', 'meeting', 'visit', 'letter', 'chat', 'sms', 'web_form', 'self_service'];
const OUTCOMES = ['resolved', 'follow_up', 'no_answer', 'voicemail', 'order', 'complaint'];
const WORDS = ['parcel', 'refund', 'invoice', '包裝', '退款', 'consegna', 'fattura', 'bungkusan', 'bayaran', 'città', 'açaí', 'delivery', 'late', 'thanks'];
const START = Date.UTC(2023, 0, 1);
const SPAN = Date.UTC(2026, 0, 1) - START;

/** A customer record with this id. */
export function customerRecord(id, at) {
  return { id, kind: 'customer', name: `Customer ${id.slice(-6)}`, emails: [`${id.toLowerCase()}@example.com`], phones: [], addresses: [], tags: ['bench'], externalIds: {}, contactPreferences: { optedOutChannels: [] }, version: 1, createdAt: at, updatedAt: at };
}

/** Makes touchpoint records for `customerIdOf(i)`, one call per record. */
export function touchpointMaker(seed = 1) {
  const random = seeded(seed);
  const ids = ulidGenerator();
  const pick = (list) => list[Math.floor(random() * list.length)];
  return (customerId) => {
    const occurredAt = new Date(START + Math.floor(random() * SPAN)).toISOString();
    const words = Array.from({ length: 8 + Math.floor(random() * 30) }, () => pick(WORDS)).join(' ');
    return {
      id: ids(),
      customerId,
      channel: pick(CHANNELS),
      direction: random() < 0.5 ? 'inbound' : 'outbound',
      occurredAt,
      actorId: `staff-${Math.floor(random() * 40)}`,
      participants: [{ name: 'Lin Mei' }],
      subject: 'Follow-up',
      summary: words,
      outcome: pick(OUTCOMES),
      externalIds: {},
      version: 1,
      createdAt: occurredAt,
      updatedAt: occurredAt,
    };
  };
}
