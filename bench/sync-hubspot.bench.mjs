// Sync to HubSpot (issue 13): push 10,000 customers and 30,000 touchpoints (calls, emails, meetings,
// visits and letters mixed) from a memory store to the HubSpot mock set to 100 requests per 10
// seconds, with the adapter's limiter at the same setting (HUBSPOT_LIMITS.free).
// - API calls: target ≤ 1.05 × the minimum the batch limits allow (100 records per request, one
//   object type per request: ⌈contacts/100⌉ + Σ ⌈engagements of a type/100⌉); setup() not counted.
// - wall time: target ≤ 1.10 × the floor the rate limit sets ((⌈calls/100⌉ − 1) × 10 s: the last
//   window's requests can start 10 s after the previous window's first).
// - 429 answers: target none (printed as the share of answers that were not 429s, target 1).
// Side by side, in the same run: the same records pushed with @hubspot/api-client 13.5's batch API
// in a plain loop, as its docs show (bench/hubspotApiClientLoop.mjs), against a fresh mock with the
// same limits: its calls, time and 429s.
// BENCH_SCALE shrinks the data (the targets assume 1).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCrm, memoryStore } from '@crm/core';
import { createSync } from '@crm/adapters/sync';
import { HUBSPOT_LIMITS, hubspotAdapter } from '@crm/adapters/hubspot';
import { createHubSpotMock } from '@crm/adapters/hubspot/testing';
import { SCALE } from './dataset.mjs';
import { performance } from 'node:perf_hooks';
import { defineBench, now } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ISSUE = 'issue 13';
const TOKEN = 'pat-na1-bench-token';
const CUSTOMERS = Math.round(10_000 * SCALE);
const TOUCHPOINTS_EACH = 3;
const CHANNELS = ['call', 'email', 'meeting', 'visit', 'letter'];
const ENGAGEMENT = { call: 'calls', email: 'emails', meeting: 'meetings', visit: 'meetings', letter: 'notes' };
const MOCK_LIMITS = { max: 100, intervalMs: 10_000, daily: 1_000_000 };

async function seed() {
  const store = memoryStore();
  const crm = createCrm({ store });
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i += 1000) {
    const part = Array.from({ length: Math.min(1000, CUSTOMERS - i) }, (_, j) => ({ name: `Customer ${i + j} Bench`, emails: [`c${i + j}@bench.example`], kind: (i + j) % 4 === 0 ? 'prospect' : 'customer' }));
    customers.push(...(await crm.customers.createMany(part)));
  }
  // A deterministic mix of channels, not sorted by channel.
  const logs = customers.flatMap((c, i) =>
    Array.from({ length: TOUCHPOINTS_EACH }, (_, j) => ({
      customerId: c.id,
      channel: CHANNELS[(i * 7 + j * 3 + ((i * j) % 5)) % CHANNELS.length],
      direction: (i + j) % 2 ? 'inbound' : 'outbound',
      subject: `Touch ${i}.${j}`,
      summary: `Spoke about order ${i}-${j}`,
      durationSeconds: 60 + ((i + j) % 600),
    })),
  );
  const touchpoints = [];
  for (let i = 0; i < logs.length; i += 1000) touchpoints.push(...(await crm.touchpoints.logMany(logs.slice(i, i + 1000))));
  return { store, customers, touchpoints };
}

function minimumCalls(customers, touchpoints) {
  const perType = new Map();
  for (const t of touchpoints) perType.set(ENGAGEMENT[t.channel], (perType.get(ENGAGEMENT[t.channel]) ?? 0) + 1);
  let calls = Math.ceil(customers.length / 100);
  for (const n of perType.values()) calls += Math.ceil(n / 100);
  return { calls, perType };
}

const floorMs = (calls) => Math.max(0, Math.ceil(calls / MOCK_LIMITS.max) - 1) * MOCK_LIMITS.intervalMs;

export default defineBench({
  name: 'sync-hubspot',
  title: `Push ${CUSTOMERS.toLocaleString('en-US')} customers and ${(CUSTOMERS * TOUCHPOINTS_EACH).toLocaleString('en-US')} touchpoints to the HubSpot mock at 100 requests / 10 s`,
  order: 60,
  async run(ctx) {
    const { store, customers, touchpoints } = await seed();
    const minimum = minimumCalls(customers, touchpoints);

    // Ours.
    const mock = createHubSpotMock({ accessTokens: [TOKEN], rateLimit: MOCK_LIMITS, searchLagMs: 0, seed: 13, logBodies: false });
    const server = mock.listen();
    let ours;
    try {
      const hubspot = hubspotAdapter({ accessToken: TOKEN, limits: HUBSPOT_LIMITS.free });
      await hubspot.setup();
      const setupCalls = mock.stats().requests;
      // setup()'s requests count in the rolling window too: let it empty before the timed push.
      await new Promise((resolve) => setTimeout(resolve, MOCK_LIMITS.intervalMs + 200));
      const setupLimited = mock.stats().rateLimited;
      const sync = createSync({ local: store, remote: hubspot });
      const started = now();
      const report = await sync.push();
      const ms = now() - started;
      const stats = mock.stats();
      if (report.failed > 0) throw new Error(`sync-hubspot: ${report.failed} records failed: ${JSON.stringify(report.failures.slice(0, 3))}`);
      if (mock.objects('contacts').length !== customers.length) throw new Error(`sync-hubspot: ${mock.objects('contacts').length} contacts for ${customers.length} customers`);
      const engagements = ['calls', 'emails', 'meetings', 'notes'].reduce((n, type) => n + mock.objects(type).length, 0);
      if (engagements !== touchpoints.length) throw new Error(`sync-hubspot: ${engagements} engagements for ${touchpoints.length} touchpoints`);
      const pushed = mock.log.slice(setupCalls);
      const t0 = performance.timeOrigin + started;
      const offsets = pushed.map((entry) => entry.at - t0);
      ours = { calls: stats.requests - setupCalls, ms, rateLimited: stats.rateLimited - setupLimited, setupCalls, offsets };
    } finally {
      server.close();
    }

    // The plain loop with the official client, against a fresh mock with the same limits.
    let theirs = null;
    const loopFile = join(here, 'hubspotApiClientLoop.mjs');
    if (existsSync(loopFile)) {
      const { pushWithApiClient } = await import(pathToFileURL(loopFile).href);
      const fresh = createHubSpotMock({ accessTokens: [TOKEN], rateLimit: MOCK_LIMITS, searchLagMs: 0, seed: 13, logBodies: false });
      const freshServer = fresh.listen();
      try {
        const result = await pushWithApiClient({
          accessToken: TOKEN,
          basePath: 'https://api.hubapi.com',
          customers: customers.map((c) => ({ id: c.id, name: c.name, email: c.emails[0], kind: c.kind })),
          touchpoints: touchpoints.map((t) => ({ id: t.id, customerId: t.customerId, channel: t.channel, direction: t.direction, occurredAt: t.occurredAt, subject: t.subject, summary: t.summary, durationSeconds: t.durationSeconds })),
        });
        const stats = fresh.stats();
        theirs = { calls: stats.requests, ms: result.ms, rateLimited: stats.rateLimited, errors: result.errors, created: result.created };
      } finally {
        freshServer.close();
      }
    }

    const perType = [...minimum.perType].map(([type, n]) => `${type} ${n}`).join(', ');
    ctx.info('minimum API calls', minimum.calls, 'calls', `⌈${customers.length}/100⌉ contacts + per type (${perType})`);
    ctx.figure({
      name: 'API calls',
      value: ours.calls,
      unit: 'calls',
      target: Math.floor(1.05 * minimum.calls),
      higherIsBetter: false,
      ...(theirs ? { baseline: { name: '@hubspot/api-client loop', value: theirs.calls, unit: 'calls' } } : {}),
      note: `${ISSUE}: ≤ 1.05 × the minimum (${minimum.calls}); setup() made ${ours.setupCalls} more, once per portal`,
    });
    const o = ours.offsets;
    const at = (i) => (o[Math.min(o.length - 1, i)] / 1000).toFixed(2);
    ctx.info('where the time went', o.length, 'requests', `the mock saw request 1 at ${at(0)} s, 100 at ${at(99)} s, 101 at ${at(100)} s, 200 at ${at(199)} s, 301 at ${at(300)} s, the last at ${at(o.length - 1)} s`);
    const floor = floorMs(minimum.calls);
    ctx.info('rate-limit floor', floor / 1000, 's', `(⌈${minimum.calls}/100⌉ − 1) × 10 s`);
    ctx.figure({
      name: 'wall time',
      value: ours.ms / 1000,
      unit: 's',
      target: (1.1 * floor) / 1000,
      higherIsBetter: false,
      ...(theirs ? { baseline: { name: '@hubspot/api-client loop', value: theirs.ms / 1000, unit: 's' } } : {}),
      note: `${ISSUE}: ≤ 1.10 × the floor`,
    });
    ctx.figure({
      name: 'answers that were not 429',
      value: (ours.calls - ours.rateLimited) / ours.calls,
      unit: '×',
      target: 1,
      note: `${ISSUE}: zero 429s with the limiter set as the mock (${ours.rateLimited} 429s here)`,
    });
    if (theirs) {
      ctx.info('api-client loop: 429 answers', theirs.rateLimited, '429s', `its calls ${theirs.calls}, ${theirs.errors} batches failed, created ${JSON.stringify(theirs.created)}`);
    } else ctx.info('api-client loop', 0, undefined, 'not run: bench/hubspotApiClientLoop.mjs is missing');
  },
});
