// REST: the first history page (limit 50) of a customer with 10,000 touchpoints, served by
// `createRestHandler` over a memoryStore, mounted in node:http with `toNodeListener`, on loopback.
// The load comes from a second process (rest-load.mjs: keep-alive node:http clients, 48 requests
// in flight), so client and server don't share an event loop. Target: ≥ 3,000 requests/s.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { memoryStore, ulidGenerator } from '@crm/core';
import { createRestHandler, toNodeListener } from '@crm/adapters/rest';
import { SCALE } from './dataset.mjs';
import { defineBench } from './harness.mjs';

const LIMIT = 50;
const HEAVY_TOUCHPOINTS = 10_000;
const OTHER_CUSTOMERS = Math.round(2_000 * SCALE);
const CONCURRENCY = 48;
const DURATION_MS = Math.round(5_000 * Math.max(SCALE, 0.4));
const CHANNELS = ['call', 'email', 'meeting', 'chat', 'sms'];

/** A memoryStore with one customer of 10,000 touchpoints among others with 10 each. */
async function buildStore() {
  const store = memoryStore();
  const nextId = ulidGenerator();
  const at = (ms) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
  const customer = (name) => {
    const t = at(0);
    return { id: nextId(), version: 1, createdAt: t, updatedAt: t, kind: 'customer', name, emails: [], phones: [], addresses: [], tags: ['bench'], externalIds: {} };
  };
  const touchpoint = (customerId, i) => {
    const t = at(i * 3_600_000 + (i % 7) * 1000);
    return {
      id: nextId(),
      version: 1,
      createdAt: t,
      updatedAt: t,
      customerId,
      channel: CHANNELS[i % CHANNELS.length],
      direction: i % 3 ? 'outbound' : 'inbound',
      occurredAt: t,
      actorId: `staff-${String(i % 20).padStart(2, '0')}`,
      participants: [{ name: 'Lin Mei', role: 'Buyer' }],
      subject: `Follow-up #${i} on the spring order`,
      summary: 'Went through the open orders and agreed on a new delivery window for the remaining pallets.',
      outcome: i % 4 ? 'follow_up' : 'resolved',
      externalIds: {},
    };
  };
  const heavy = customer('Heavy customer');
  await store.write([{ type: 'create', entity: 'customers', record: heavy }]);
  for (let i = 0; i < HEAVY_TOUCHPOINTS; i += 1000) {
    await store.write(Array.from({ length: 1000 }, (_, j) => ({ type: 'create', entity: 'touchpoints', record: touchpoint(heavy.id, i + j) })));
  }
  for (let c = 0; c < OTHER_CUSTOMERS; c++) {
    const other = customer(`Customer ${c}`);
    await store.write([{ type: 'create', entity: 'customers', record: other }, ...Array.from({ length: 10 }, (_, j) => ({ type: 'create', entity: 'touchpoints', record: touchpoint(other.id, j * 97 + c) }))]);
  }
  return { store, heavyId: heavy.id };
}

function runLoad(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./rest-load.mjs', import.meta.url)), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`rest-load.mjs exited with ${code}`))));
  });
}

export default defineBench({
  name: 'rest',
  title: `REST history first page (limit ${LIMIT}) of a customer with ${HEAVY_TOUCHPOINTS.toLocaleString('en-US')} touchpoints, loopback, load from a second process`,
  order: 30,
  async run(ctx) {
    const { store, heavyId } = await buildStore();
    const token = 'Bearer bench-token';
    const handler = createRestHandler({
      store: () => store,
      authorize: (request) => (request.headers.get('authorization') === token ? { tenant: 'bench' } : null),
      basePath: '/api',
    });
    const server = createServer(toNodeListener(handler));
    server.keepAliveTimeout = 10_000;
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${server.address().port}/api/customers/${heavyId}/history?limit=${LIMIT}`;
    try {
      // The API must give exactly what the store gives.
      const response = await fetch(url, { headers: { authorization: token } });
      const body = await response.json();
      const direct = await store.history(heavyId, { limit: LIMIT });
      if (response.status !== 200 || JSON.stringify(body) !== JSON.stringify(direct)) throw new Error('the REST answer differs from store.history');
      if (body.items.length !== LIMIT || !body.nextCursor) throw new Error(`expected a full first page, got ${body.items.length} items`);
      const pageBytes = Buffer.byteLength(JSON.stringify(body));

      const cpuBefore = process.cpuUsage();
      const result = await runLoad({ url, concurrency: CONCURRENCY, warmupMs: 1000, durationMs: DURATION_MS, headers: { authorization: token }, items: LIMIT });
      const cpu = process.cpuUsage(cpuBefore);
      const served = result.done + result.warmupDone;
      if (result.failed > 0) throw new Error(`${result.failed} requests failed or answered wrongly`);
      const rate = result.done / result.seconds;
      ctx.figure({
        name: 'history pages served',
        value: rate,
        unit: 'requests/s',
        target: 3_000,
        higherIsBetter: true,
        note: `${result.done.toLocaleString('en-US')} requests in ${result.seconds.toFixed(1)} s, ${CONCURRENCY} in flight; latency p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      });
      ctx.info('server CPU per request', (cpu.user + cpu.system) / served, 'µs', `${Math.round(1e6 / ((cpu.user + cpu.system) / served)).toLocaleString('en-US')} requests/s per core the server has to itself; the machine has ${availableParallelism()} cores for server, load generator and anything else running`);
      ctx.info('load generator CPU per request', result.cpuMicros / served, 'µs');
      ctx.info('page size', pageBytes / 1024, 'KiB', `${LIMIT} touchpoints as JSON`);
      ctx.info('throughput', (result.bytes / result.seconds) / 1024 ** 2, 'MiB/s');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  },
});
