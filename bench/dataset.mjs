// The shared dataset: 100,000 customers and 1,000,000 touchpoints logged through the public API
// into a memoryStore. Building it *is* the ingest benchmark, so it is built once per run and the
// ingest figures (rate, heap) are measured while building it; other benches (history) reuse it.

import { createCrm, memoryStore } from '@crm/core';
import {
  COMPANIES,
  DEPARTMENTS,
  EMAIL_DOMAINS,
  LANGUAGES,
  LOCALE,
  TAGS,
  TIME_ZONES,
  nextStepPool,
  participantPool,
  personName,
  pick,
  random,
  stringBytes,
  subjectPool,
  summaryPool,
  weighted,
} from './corpus.mjs';
import { collectGarbage, now, shared } from './harness.mjs';

/** `BENCH_SCALE=0.1` builds a tenth of the data, for trying changes quickly. Targets assume 1. */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 1)) throw new Error(`BENCH_SCALE must be in (0, 1], got ${process.env.BENCH_SCALE}`);

export const SIZES = {
  customers: Math.round(100_000 * SCALE),
  touchpoints: Math.round(1_000_000 * SCALE),
  /** Every 100th touchpoint goes to one customer: 10,000 of the 1,000,000. */
  heavyEvery: 100,
  /** Untimed warm-up ingest into a throwaway CRM, so the timed run measures optimised code. */
  warmupCustomers: Math.round(5_000 * Math.max(SCALE, 0.2)),
  warmupTouchpoints: Math.round(50_000 * Math.max(SCALE, 0.2)),
};

const CHUNKS = 10;
const DAY_MS = 86_400_000;

/**
 * ISO timestamps spread over 2023–2025, made from pools of their parts: `Date#toISOString` costs
 * ~550 ns on Node 20, which would be 5–10% of the ingest loop; this costs ~100 ns.
 */
const isoTimestamps = (() => {
  const start = Date.UTC(2023, 0, 1);
  const days = (Date.UTC(2026, 0, 1) - start) / DAY_MS;
  const DAY = Array.from({ length: days }, (_, d) => new Date(start + d * DAY_MS).toISOString().slice(0, 11));
  const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
  const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
  /** `r` in [0, 1) → the instant that far into the span; `withMs: false` gives `…:SSZ` (not the stored form). */
  return (r, withMs) => {
    const t = r * days * DAY_MS;
    const d = (t / DAY_MS) | 0;
    let x = (t - d * DAY_MS) | 0;
    const ms = x % 1000;
    x = (x / 1000) | 0;
    const hms = `${TWO[(x / 3600) | 0]}:${TWO[((x / 60) | 0) % 60]}:${TWO[x % 60]}`;
    return withMs ? `${DAY[d]}${hms}.${THREE[ms]}Z` : `${DAY[d]}${hms}Z`;
  };
})();

/** 20 staff members: ids `staff-01` … `staff-20`. */
export function staffDirectory() {
  const rand = random(7);
  const langs = ['en', 'zh-TW', 'ms', 'it'];
  return Array.from({ length: 20 }, (_, i) => ({
    id: `staff-${String(i + 1).padStart(2, '0')}`,
    name: personName(rand, pick(rand, LANGUAGES)).name,
    languages: [langs[i % 4], 'en'].filter((l, j, all) => all.indexOf(l) === j),
    departments: [DEPARTMENTS[i % DEPARTMENTS.length]],
    capacity: 20,
  }));
}
const STAFF_IDS = staffDirectory().map((s) => s.id);

/** Makes the input of `crm.customers.create` for customer number `i`. */
export function customerInputs(seed) {
  const rand = random(seed);
  return (i) => {
    const lang = pick(rand, LANGUAGES);
    const { name, local } = personName(rand, lang);
    const domain = pick(rand, EMAIL_DOMAINS[lang]);
    const input = { name, emails: [`${local}.${i}@${domain}`], locale: LOCALE[lang], timeZone: pick(rand, TIME_ZONES[lang]) };
    if (rand() < 0.1) input.emails.push(`${local}${i}@work.${domain}`);
    if (rand() < 0.5) input.phones = [`+${[44, 886, 60, 39][(rand() * 4) | 0]} ${String(100000000 + ((rand() * 899999999) | 0))}`];
    if (rand() < 0.3) input.company = pick(rand, COMPANIES);
    if (rand() < 0.7) input.ownerId = pick(rand, STAFF_IDS);
    if (rand() < 0.3) input.tags = [pick(rand, TAGS), pick(rand, TAGS)];
    if (rand() < 0.15) input.kind = 'prospect';
    if (rand() < 0.2) input.addresses = [{ lines: [`${1 + ((rand() * 200) | 0)} High Street`], city: 'Town', country: ['GB', 'TW', 'MY', 'IT'][(rand() * 4) | 0] }];
    return input;
  };
}

const CHANNELS = weighted({ call: 30, email: 28, chat: 12, sms: 8, meeting: 6, web_form: 6, visit: 3, letter: 4, self_service: 3 });
const OUTCOMES = weighted({ resolved: 30, information: 20, follow_up: 18, no_answer: 8, voicemail: 5, order: 8, complaint: 4, not_interested: 3, returned_mail: 1, other: 3 });
const TIMED_CHANNELS = new Set(['call', 'meeting', 'visit', 'chat']);
const INBOUND_ONLY = new Set(['web_form', 'self_service']);

/**
 * Makes the inputs of `crm.touchpoints.log`, one per call, cheaply: texts come from pools of
 * strings made once (1,000 summaries); only the object, its occurredAt and participants are new.
 *
 * The mix: 9 channels (calls and emails most), both directions, an outcome on 90%, a summary in
 * en/zh/ms/it on 85%, an actor from 20 staff on 90%, occurredAt spread over 2023–2025 (10% without
 * milliseconds, so they are normalised), participants on 15%, a subject on most emails, a duration
 * on timed channels, a next step on follow-ups, and external ids (a sync import) on 1%.
 *
 * `summaryBytes` adds up what the summaries would take if each were its own string (as when
 * parsed from JSON) rather than shared from the pool: the heap figure doesn't include that.
 */
export function touchpointInputs({ seed, customerIds, heavyId, activeShare = 0.05 }) {
  const rand = random(seed);
  const pools = { summaries: summaryPool(random(seed + 1)), subjects: subjectPool(random(seed + 2)), nextSteps: nextStepPool(random(seed + 3)), participants: participantPool(random(seed + 4)) };
  const summaryBytes = pools.summaries.map(stringBytes);
  const others = customerIds.length - 1; // customerIds[0] is the heavy one: only every 100th touchpoint
  const active = Math.max(1, Math.round(others * activeShare));
  const state = { summaryBytes: 0, viaExternalIds: 0 };

  const next = (i) => {
    const customerId = i % SIZES.heavyEvery === 0 ? heavyId : customerIds[1 + ((rand() * (rand() < 0.3 ? active : others)) | 0)];
    const channel = CHANNELS[(rand() * 1000) | 0];
    const input = {
      customerId,
      channel,
      direction: INBOUND_ONLY.has(channel) || rand() < 0.55 ? 'inbound' : 'outbound',
      occurredAt: isoTimestamps(rand(), rand() < 0.9),
    };
    if (rand() < 0.9) input.actorId = STAFF_IDS[(rand() * 20) | 0];
    if (rand() < 0.9) input.outcome = OUTCOMES[(rand() * 1000) | 0];
    if (rand() < 0.85) {
      const k = (rand() * pools.summaries.length) | 0;
      input.summary = pools.summaries[k];
      state.summaryBytes += summaryBytes[k];
    }
    if (channel === 'email' && rand() < 0.7) input.subject = pools.subjects[(rand() * pools.subjects.length) | 0];
    if (TIMED_CHANNELS.has(channel)) input.durationSeconds = 30 + ((rand() * 1800) | 0);
    if (input.outcome === 'follow_up') input.nextStep = pools.nextSteps[(rand() * pools.nextSteps.length) | 0];
    if (rand() < 0.15) {
      const p = pools.participants[(rand() * pools.participants.length) | 0];
      input.participants = rand() < 0.8 ? [{ ...p }] : [{ ...p }, { ...pools.participants[(rand() * pools.participants.length) | 0] }];
    }
    if (rand() < 0.2) input.department = DEPARTMENTS[(rand() * DEPARTMENTS.length) | 0];
    if (rand() < 0.01) {
      input.externalIds = { hubspot: String(30_000_000_000 + i) };
      state.viaExternalIds++;
    }
    return input;
  };
  return { next, state };
}

/** Creates `count` customers through `crm.customers.create`; returns their ids and the time taken. */
async function createCustomers(crm, count, seed) {
  const input = customerInputs(seed);
  const ids = new Array(count);
  const start = now();
  for (let i = 0; i < count; i++) ids[i] = (await crm.customers.create(input(i))).id;
  return { ids, ms: now() - start };
}

/** Logs `count` touchpoints one by one, awaiting each; returns the total time and each tenth's. */
async function logTouchpoints(crm, count, inputs) {
  const chunk = Math.ceil(count / CHUNKS);
  const chunkMs = [];
  const start = now();
  let chunkStart = start;
  for (let i = 0; i < count; i++) {
    await crm.touchpoints.log(inputs.next(i));
    if ((i + 1) % chunk === 0 || i + 1 === count) {
      const t = now();
      chunkMs.push(t - chunkStart);
      chunkStart = t;
    }
  }
  return { ms: now() - start, chunkMs, chunk };
}

async function build(log) {
  const staff = staffDirectory();

  // Warm-up: the same code paths on a throwaway CRM, then dropped before anything is measured.
  {
    log(`warm-up: ${SIZES.warmupCustomers.toLocaleString('en-US')} customers, ${SIZES.warmupTouchpoints.toLocaleString('en-US')} touchpoints (untimed)…`);
    const crm = createCrm({ store: memoryStore(), staff });
    const { ids } = await createCustomers(crm, SIZES.warmupCustomers, 101);
    await logTouchpoints(crm, SIZES.warmupTouchpoints, touchpointInputs({ seed: 102, customerIds: ids, heavyId: ids[0] }));
    await crm.close();
  }
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;

  const crm = createCrm({ store: memoryStore(), staff });
  log(`creating ${SIZES.customers.toLocaleString('en-US')} customers…`);
  const customers = await createCustomers(crm, SIZES.customers, 1);
  const heavyId = customers.ids[0];

  const inputs = touchpointInputs({ seed: 2, customerIds: customers.ids, heavyId });
  collectGarbage();
  log(`logging ${SIZES.touchpoints.toLocaleString('en-US')} touchpoints…`);
  const ingest = await logTouchpoints(crm, SIZES.touchpoints, inputs);

  collectGarbage();
  const memory = process.memoryUsage();
  return {
    crm,
    customerIds: customers.ids,
    heavyId,
    stats: {
      customers: { count: SIZES.customers, ms: customers.ms },
      ingest: { count: SIZES.touchpoints, ...ingest, viaExternalIds: inputs.state.viaExternalIds },
      heap: { before: heapBefore, after: memory.heapUsed, rss: memory.rss, external: memory.external, unsharedSummaryBytes: inputs.state.summaryBytes },
    },
  };
}

/** The dataset, built on first use (with `log` for progress) and shared by every bench of the run. */
export const dataset = (log) => shared('dataset', () => build(log));
