import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@crm/core/testing';
import { migrate } from '../sql/index.js';
import { PG_URL, freshPgSchema } from './sqlHelpers.js';

// Four worker processes (node --import tsx, as tests/demo.test.ts runs scripts) share one queue of
// 2,000 items on the PostgreSQL server: they race to ingest its 20 feed pages, then claim, mark
// sent and complete. One of them "crashes" on a batch: its items come back once the lease ends.

const WORKERS = 4;
const ITEMS = 2000;
const PAGE = 100;
const LEASE_MS = 20_000;

interface WorkerReport {
  worker: string;
  pagesWon: number;
  pagesLost: number;
  claims: { id: string; at: number; until: number; sentAt: string | null; attempts: number }[];
  completed: string[];
  abandoned: string[];
}

let db: Awaited<ReturnType<typeof freshPgSchema>>;
beforeAll(async () => {
  try {
    db = await freshPgSchema('syncworkers');
  } catch (error) {
    throw new Error(`These tests need the PostgreSQL server at ${PG_URL} (set CRM_TEST_DATABASE_URL): ${String(error)}`);
  }
  await migrate(db.driver(1));
});
afterAll(() => db?.drop());

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@crm/source', fileURLToPath(new URL('./syncStateWorker.ts', import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<WorkerReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker ${env.WORKER} exited with ${code}: ${err}`));
      const last = out.trim().split('\n').at(-1)!;
      resolve(JSON.parse(last) as WorkerReport);
    });
  });
  return { child, ready, done };
}

describe('sqlSyncState shared by worker processes', () => {
  it('four processes on one queue: every item completed exactly once, never claimed by two under live leases', async () => {
    const tenant = newId();
    const workers = Array.from({ length: WORKERS }, (_, i) =>
      startWorker({
        CRM_TEST_DATABASE_URL: PG_URL,
        SCHEMA: db.schema,
        TENANT: tenant,
        WORKER: `w${i}`,
        ITEMS: String(ITEMS),
        PAGE: String(PAGE),
        BATCH: '25',
        LEASE_MS: String(LEASE_MS),
        ABANDON: i === 0 ? '1' : '0',
      }),
    );
    try {
      // All started and connected, then off at once.
      await Promise.race([Promise.all(workers.map((w) => w.ready)), Promise.all(workers.map((w) => w.done))]);
      for (const w of workers) w.child.stdin.end('go\n');
      const started = Date.now();
      const reports = await Promise.all(workers.map((w) => w.done));
      console.log(`4 workers: ${Date.now() - started} ms from go to the last exit`);

      // Ingest: each of the 20 pages queued by exactly one worker.
      expect(reports.reduce((n, r) => n + r.pagesWon, 0)).toBe(ITEMS / PAGE);

      // Every item completed exactly once.
      const completions = new Map<string, string[]>();
      for (const r of reports) for (const id of r.completed) completions.set(id, [...(completions.get(id) ?? []), r.worker]);
      expect(completions.size).toBe(ITEMS);
      expect([...completions.values()].filter((by) => by.length !== 1)).toEqual([]);

      // Never two claims of one item under live leases; the abandoned batch came back in doubt.
      const abandoned = new Set(reports.flatMap((r) => r.abandoned));
      expect(abandoned.size).toBe(25);
      const claims = new Map<string, { worker: string; at: number; until: number; sentAt: string | null; attempts: number }[]>();
      for (const r of reports) for (const c of r.claims) claims.set(c.id, [...(claims.get(c.id) ?? []), { worker: r.worker, ...c }]);
      expect(claims.size).toBe(ITEMS);
      for (const [id, list] of claims) {
        list.sort((a, b) => a.at - b.at);
        expect(list.length, id).toBe(abandoned.has(id) ? 2 : 1);
        for (let i = 1; i < list.length; i++) {
          expect(list[i]!.at, `${id}: claimed by ${list[i]!.worker} during ${list[i - 1]!.worker}'s lease`).toBeGreaterThanOrEqual(list[i - 1]!.until);
          expect(list[i]!.sentAt, `${id} came back in doubt`).not.toBeNull();
          expect(list[i]!.attempts).toBe(1);
        }
      }

      // What the database holds: an empty queue, and each mapping by the worker that completed it.
      const { rows: left } = await db.admin.query(`SELECT count(*)::integer AS n FROM ${db.schema}.crm_sync_queue WHERE tenant = $1`, [tenant]);
      expect(left).toEqual([{ n: 0 }]);
      const { rows: maps } = await db.admin.query<{ local_id: string; remote_id: string }>(
        `SELECT local_id, remote_id FROM ${db.schema}.crm_sync_map WHERE tenant = $1 AND remote = 'hubspot'`,
        [tenant],
      );
      expect(maps).toHaveLength(ITEMS);
      for (const row of maps) expect(row.remote_id).toBe(`${completions.get(row.local_id)![0]}:${row.local_id}`);
      // The work was shared (each worker completed some), though not necessarily evenly.
      expect(reports.filter((r) => r.completed.length > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    }
  }, 60_000);
});
