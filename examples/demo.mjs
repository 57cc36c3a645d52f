// The @crm/core demo: one customer, contacts in four languages, a complaint handed from Sam to
// Linda, its SLA in Taipei business hours, and the whole history printed the way a colleague
// picking up the phone would see it. Records are kept in PGlite (embedded Postgres) in a data
// folder, so they are still there on the next run.
import { join } from 'node:path';
import { createCrm, isCrmError, manualClock } from '@crm/core';
import { pgliteDriver, sqlStore } from '@crm/adapters/sql';

const dataDir = process.env.CRM_DEMO_DATA ?? join(import.meta.dirname, '.crm-data');
const driver = pgliteDriver({ dataDir });
const store = sqlStore({ driver });
/** How many customers the database holds (a page of up to 500 at a time). */
async function countCustomers() {
  let count = 0;
  let cursor = null;
  do {
    const page = await store.list('customers', { limit: 500, cursor });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}
const earlier = await countCustomers();

const staff = [
  { id: 'sam', name: 'Sam', languages: ['en'], departments: ['support'] },
  { id: 'linda', name: 'Linda', languages: ['en', 'zh-TW', 'zh-CN'], departments: ['support'] },
  { id: 'aisyah', name: 'Aisyah', languages: ['ms', 'en'], departments: ['sales'] },
  { id: 'giulia', name: 'Giulia', languages: ['it', 'en'], departments: ['accounts'] },
];
// A manual clock keeps the story's times readable; leave it out to use the real time.
const clock = manualClock('2026-03-05T03:05:00Z');
// Support's hours in Taipei, lunch break included: SLA clocks only run while the desk is open.
const weekday = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
const slaPolicies = [
  {
    id: 'taipei-support',
    name: 'Taipei support hours',
    calendar: {
      timeZone: 'Asia/Taipei',
      hours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
      holidays: ['2026-04-03'],
    },
    targets: { normal: { firstResponse: 'PT2H', resolution: 'P2D' }, high: { firstResponse: 30, resolution: 'PT8H' } },
  },
];
const crm = createCrm({ store, staff, clock, slaPolicies });
crm.on('complaint.assigned', ({ from, to, reason }) => console.log(`  ↪ hand-off ${from ?? '—'} → ${to}: ${reason}`));

const mei = await crm.customers.create({
  name: '林美',
  emails: ['mei.lin@example.tw'],
  locale: 'zh-TW',
  timeZone: 'Asia/Taipei',
  company: '美好茶行',
});
console.log(`Customer ${mei.name} (${mei.locale}, ${mei.timeZone}) — id ${mei.id}\n`);

const day = (d, h) => `2026-03-0${d}T0${h}:00:00Z`;
await crm.touchpoints.log({
  customerId: mei.id,
  channel: 'visit',
  direction: 'outbound',
  occurredAt: day(2, 2),
  actorId: 'aisyah',
  participants: [{ name: '林美', role: '老闆' }],
  summary: 'Lawatan ke kedai: pelanggan mahu tambah pesanan teh oolong.',
  outcome: 'order',
  nextStep: 'Hantar invois',
});
await crm.touchpoints.log({
  customerId: mei.id,
  channel: 'email',
  direction: 'outbound',
  occurredAt: day(3, 1),
  actorId: 'giulia',
  subject: 'Fattura n. 42',
  summary: 'Inviata la fattura per il nuovo ordine.',
  outcome: 'information',
});
const call = await crm.touchpoints.log({
  customerId: mei.id,
  channel: 'call',
  direction: 'inbound',
  occurredAt: day(5, 3),
  actorId: 'sam',
  participants: [{ name: '林美' }],
  summary: '客戶說收到的茶葉包裝破損，要求退款。',
  outcome: 'complaint',
  sentiment: -0.7,
});

const complaint = await crm.complaints.open({
  customerId: mei.id,
  subject: '包裝破損，要求退款',
  channel: 'call',
  priority: 'high',
  ownerId: 'sam',
  touchpointId: call.id,
});
clock.advance(10 * 60_000);
await crm.complaints.respond(complaint.id, { actorId: 'sam', message: 'Apologised; asked for photos of the parcel.' });
clock.advance(5 * 60_000);
await crm.complaints.assign(complaint.id, 'linda', { reason: 'Customer prefers Mandarin', actorId: 'sam' });
clock.advance(20 * 60_000);
await crm.complaints.setStatus(complaint.id, 'pending_customer', { actorId: 'linda', note: '等待客戶提供照片' });

try {
  await crm.touchpoints.log({ customerId: mei.id, channel: 'fax', direction: 'inbound', emails: ['x'] });
} catch (error) {
  if (isCrmError(error, 'VALIDATION')) console.log(`\nBad input is refused with every field named:\n  ${error.message}\n`);
}

const { customer, openComplaints, lastContact } = await crm.customers.overview(mei.id);
console.log(
  `${customer.name}: ${openComplaints.length} open complaint(s); last contact ${lastContact?.occurredAt} by ${lastContact?.actorId} (${lastContact?.channel})\n`,
);

const sla = await crm.sla.status(complaint.id);
const line = (name) => {
  const t = sla.targets[name];
  return `${name} ${t.state} (${t.elapsedMinutes} of ${t.targetMinutes} business minutes)`;
};
console.log(`SLA "${sla.policyId}": ${line('firstResponse')}; ${line('resolution')} while waiting on the customer\n`);

console.log('History, newest first:');
const { items } = await crm.history(mei.id, { limit: 20 });
for (const item of items) {
  if (item.type === 'touchpoint') {
    const t = item.touchpoint;
    console.log(
      `  ${t.occurredAt}  ${t.direction.padEnd(8)} ${t.channel.padEnd(6)} ${t.actorId ?? ''}  ${t.outcome ?? ''}  ${t.summary ?? ''}`,
    );
  } else {
    const a = item.activity;
    const what =
      a.type === 'assigned'
        ? `assigned ${a.from ?? '—'} → ${a.to} (${a.reason})`
        : a.type === 'status_changed'
        ? `status ${a.from} → ${a.to}${a.note ? ` (${a.note})` : ''}`
        : a.type === 'responded'
        ? `responded: ${a.message ?? ''}`
        : a.type;
    console.log(`  ${item.at}  complaint "${item.complaint.subject}": ${what}`);
  }
}

console.log(`\nKept in PGlite at ${dataDir}: ${await countCustomers()} customer(s), ${earlier} from earlier runs (run it again: they stay).`);
await driver.close();
