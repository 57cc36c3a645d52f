/**
 * One worker process of sync.state.workers.test.ts: ingests the shared feed (racing the others
 * for each page by the cursor's compare-and-set), then loops claim → markSent → complete on the
 * shared queue until it is empty. Says `ready` on stdout, waits for `go` on stdin, and ends with
 * one JSON line of what it did.
 *
 * Environment: CRM_TEST_DATABASE_URL, SCHEMA, TENANT, WORKER, ITEMS, PAGE, BATCH, LEASE_MS, and
 * ABANDON=1 for the worker that "crashes" on one batch (claims it with a short lease, marks it
 * sent, and never completes it).
 */
import pg from 'pg';
import { pgDriver } from '../sql/index.js';
import { sqlSyncState } from '../sync/state/sqlState.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`syncStateWorker: ${name} is not set`);
  return value;
};
const worker = env('WORKER');
const items = Number(env('ITEMS'));
const page = Number(env('PAGE'));
const batch = Number(env('BATCH'));
const leaseMs = Number(env('LEASE_MS'));
const abandon = process.env.ABANDON === '1';

const pool = new pg.Pool({ connectionString: env('CRM_TEST_DATABASE_URL'), max: 2, options: `-c search_path=${env('SCHEMA')}` });
const state = sqlSyncState({ driver: pgDriver(pool), tenant: env('TENANT'), remote: 'hubspot' });
const localId = (i: number) => `c-${String(i).padStart(5, '0')}`;

await state.queueStats(); // Connected and migrated.
process.stdout.write('ready\n');
await new Promise<void>((resolve) =>
  process.stdin.once('data', () => {
    process.stdin.destroy(); // Nothing more to read: the open pipe would keep the process alive.
    resolve();
  }),
);

// Ingest: the page after the cursor, until the feed is done; a page another worker queued first is refused.
let pagesWon = 0;
let pagesLost = 0;
for (;;) {
  const from = await state.getCursor('push');
  const start = from === null ? 0 : Number(from);
  if (start >= items) break;
  const end = Math.min(items, start + page);
  const list = Array.from({ length: end - start }, (_, k) => ({ entity: 'customers' as const, localId: localId(start + k), op: 'upsert' as const, version: 1, seq: start + k + 1 }));
  if (await state.enqueue(list, { key: 'push', from, to: String(end) })) pagesWon++;
  else pagesLost++;
}

const claims: { id: string; at: number; until: number; sentAt: string | null; attempts: number }[] = [];
const completed: string[] = [];
let abandoned: string[] = [];
let batches = 0;
for (;;) {
  const now = new Date();
  const lease = abandon && batches === 1 ? 1000 : leaseMs;
  const entries = await state.claim({ worker, entity: 'customers', limit: batch, leaseMs: lease, now });
  if (entries.length === 0) {
    if ((await state.queueStats()).pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    continue;
  }
  batches++;
  for (const e of entries) claims.push({ id: e.localId, at: now.getTime(), until: now.getTime() + lease, sentAt: e.sentAt, attempts: e.attempts });
  const keys = entries.map((e) => ({ entity: e.entity, localId: e.localId }));
  await state.markSent(worker, keys, new Date());
  if (abandon && batches === 2) {
    abandoned = entries.map((e) => e.localId); // "Crashed" after the send: its lease will run out.
    continue;
  }
  await state.complete(
    worker,
    entries.map((e) => ({ entity: e.entity, localId: e.localId, remoteId: `${worker}:${e.localId}`, localVersion: e.version, remoteVersion: '1' })),
  );
  completed.push(...entries.map((e) => e.localId));
}
await pool.end();
process.stdout.write(`${JSON.stringify({ worker, pagesWon, pagesLost, claims, completed, abandoned })}\n`);
