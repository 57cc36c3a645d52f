/**
 * The "plain loop" side of the HubSpot push benchmark (issue 13): the same push the sync engine does,
 * written with @hubspot/api-client's batch API the way its README shows a user doing it — one `Client`,
 * `crm.contacts.batchApi.create` and `crm.objects.<engagement>.batchApi.create`, sequential awaits in a
 * for-loop, no concurrency, no own rate limiting, no own retries.
 *
 * Client options, from @hubspot/api-client 13.5 (lib/src/configuration/IConfiguration.d.ts, lib/src/client.js):
 * - `accessToken`, `basePath` (a full origin such as `https://api.hubapi.com`; paths like
 *   `/crm/v3/objects/contacts/batch/create` are appended to it), `numberOfApiCallRetries` (0–6; values > 6 throw).
 * - `numberOfApiCallRetries: n` adds the RetryDecorator (lib/src/services/decorators/RetryDecorator.js): at most
 *   n attempts in all (the loop runs index 1..n and stops at n, so n = 3 means 2 retries). It waits 200 ms × attempt
 *   after a 5xx; after a 429 it waits 10 s × attempt only when `error.body.policyName === 'TEN_SECONDLY_ROLLING'`
 *   and 1 s × attempt when `error.body.message === 'You have reached your secondly limit.'`; anything else is
 *   thrown at once. (The generated code passes error bodies through as parsed JSON — its ObjectSerializer has no
 *   `Error` type, only `ModelError` — so `policyName` survives and a TEN_SECONDLY_ROLLING 429 is retried.)
 * - `limiterOptions` is left unset, as in the README's basic examples. The library's limiter defaults are
 *   `DEFAULT_LIMITER_OPTIONS = { minTime: 1000 / 9 (≈111 ms between job starts), maxConcurrent: 6,
 *   id: 'hubspot-client-limiter' }` (lib/src/configuration/constants.js; `SEARCH_LIMITER_OPTIONS` is
 *   `{ minTime: 550, maxConcurrent: 3 }`), but in 13.5 `Client.getDecorators()` only adds the Bottleneck
 *   LimiterDecorator when `config.limiterOptions` is passed: with it unset no client-side limiter runs at all.
 *   (Passing `limiterOptions: DEFAULT_LIMITER_OPTIONS` would add it; with sequential awaits it would only space
 *   requests ≥ 111 ms apart, i.e. ≤ 9/s — still above a 100-per-10-s limit.)
 */
import { Client } from '@hubspot/api-client';

/** HUBSPOT_DEFINED association type ids, engagement → contact. */
const TO_CONTACT = { calls: 194, emails: 198, meetings: 200, notes: 202 };
const BATCH = 100;

/** Which engagement object a touchpoint channel becomes. */
function engagementType(channel) {
  if (channel === 'call') return 'calls';
  if (channel === 'email') return 'emails';
  if (channel === 'meeting' || channel === 'visit') return 'meetings';
  return 'notes';
}

/** Drops undefined/null values and makes the rest strings (HubSpot properties are string maps). */
function clean(props) {
  const out = {};
  for (const [k, v] of Object.entries(props)) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}

function contactProperties(c) {
  const name = (c.name ?? '').trim();
  const space = name.indexOf(' ');
  return clean({
    firstname: space === -1 ? name : name.slice(0, space),
    lastname: space === -1 ? undefined : name.slice(space + 1),
    email: c.email,
    lifecyclestage: c.kind === 'prospect' ? 'lead' : 'customer',
  });
}

function engagementProperties(type, t) {
  const inbound = t.direction === 'inbound';
  const base = { hs_timestamp: t.occurredAt };
  if (type === 'calls') {
    return clean({
      ...base,
      hs_call_title: t.subject,
      hs_call_body: t.summary,
      hs_call_direction: inbound ? 'INBOUND' : 'OUTBOUND',
      hs_call_duration: t.durationSeconds === undefined ? undefined : t.durationSeconds * 1000, // HubSpot: ms
    });
  }
  if (type === 'emails') {
    return clean({
      ...base,
      hs_email_subject: t.subject,
      hs_email_text: t.summary,
      hs_email_direction: inbound ? 'INCOMING_EMAIL' : 'EMAIL',
    });
  }
  if (type === 'meetings') {
    const start = Date.parse(t.occurredAt);
    return clean({
      ...base,
      hs_meeting_title: t.subject ?? (t.channel === 'visit' ? 'Visit' : 'Meeting'),
      hs_meeting_body: t.summary,
      hs_meeting_start_time: t.occurredAt,
      hs_meeting_end_time: new Date(start + (t.durationSeconds ?? 0) * 1000).toISOString(),
    });
  }
  return clean({ ...base, hs_note_body: [t.subject, t.summary].filter(Boolean).join('\n\n') || `${t.channel} (${t.direction})` });
}

/** Results and per-input errors of a batch response (201 → results; 207 → results + errors). */
function tally(response) {
  return { results: response?.results ?? [], failed: response?.numErrors ?? response?.errors?.length ?? 0 };
}

/**
 * Pushes customers and their touchpoints to HubSpot with @hubspot/api-client 13.5 in a plain loop:
 * contacts with batchApi.create 100 at a time, then each touchpoint as its engagement (call → calls, email → emails,
 * meeting/visit → meetings, anything else → notes) with batchApi.create 100 at a time, associated to its contact
 * (HUBSPOT_DEFINED type ids 194/198/200/202) inline. Returns what it did.
 *
 * `errors` counts failed batch requests (each thrown ApiException/network error, after the client's own retries),
 * plus per-input errors of 207 responses, plus touchpoints skipped because their contact was not created.
 * Contacts are matched back to customers by email (batch results are not in input order).
 *
 * @param {{ accessToken: string, basePath?: string,
 *   customers: Array<{ id: string, name: string, email: string, kind?: string }>,
 *   touchpoints: Array<{ id: string, customerId: string, channel: string, direction: string, occurredAt: string,
 *     subject?: string, summary?: string, durationSeconds?: number }>,
 *   retries?: number }} options
 * @returns {Promise<{ ms: number, created: { contacts: number, engagements: number }, errors: number }>}
 */
export async function pushWithApiClient({ accessToken, basePath, customers, touchpoints, retries = 3 }) {
  const started = performance.now();
  const hubspotClient = new Client({ accessToken, basePath, numberOfApiCallRetries: retries });
  const created = { contacts: 0, engagements: 0 };
  let errors = 0;

  // 1. Contacts, 100 per batch.
  const contactIdByEmail = new Map();
  for (let i = 0; i < customers.length; i += BATCH) {
    const inputs = customers.slice(i, i + BATCH).map((c) => ({ properties: contactProperties(c), associations: [] }));
    try {
      const { results, failed } = tally(await hubspotClient.crm.contacts.batchApi.create({ inputs }));
      for (const r of results) contactIdByEmail.set(String(r.properties?.email ?? '').toLowerCase(), r.id);
      created.contacts += results.length;
      errors += failed;
    } catch (err) {
      errors += 1;
    }
  }
  const contactIdByCustomer = new Map();
  for (const c of customers) {
    const id = contactIdByEmail.get(String(c.email ?? '').toLowerCase());
    if (id) contactIdByCustomer.set(c.id, id);
  }

  // 2. Engagements, grouped by object type, 100 per batch, each associated to its contact inline.
  const byType = { calls: [], emails: [], meetings: [], notes: [] };
  for (const t of touchpoints) {
    const contactId = contactIdByCustomer.get(t.customerId);
    if (!contactId) {
      errors += 1;
      continue;
    }
    const type = engagementType(t.channel);
    byType[type].push({
      properties: engagementProperties(type, t),
      associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: TO_CONTACT[type] }] }],
    });
  }
  for (const [type, all] of Object.entries(byType)) {
    for (let i = 0; i < all.length; i += BATCH) {
      const inputs = all.slice(i, i + BATCH);
      try {
        const { results, failed } = tally(await hubspotClient.crm.objects[type].batchApi.create({ inputs }));
        created.engagements += results.length;
        errors += failed;
      } catch (err) {
        errors += 1;
      }
    }
  }

  return { ms: Math.round(performance.now() - started), created, errors };
}
