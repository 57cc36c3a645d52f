/** `npm start` runs examples/demo.mjs: it must keep working and keep telling its story. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('runs the demo: a customer, touchpoints in four languages, a complaint handed off, its SLA, the history, kept in PGlite', () => {
  const root = join(import.meta.dirname, '..');
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-demo-'));
  const run = () =>
    execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@crm/source', join(root, 'examples', 'demo.mjs')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, CRM_DEMO_DATA: dataDir },
    });
  let output: string;
  let again: string;
  try {
    output = run();
    again = run();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The records are kept in PGlite: the second run finds the first run's customer.
  expect(output).toContain(`Kept in PGlite at ${dataDir}: 1 customer(s), 0 from earlier runs`);
  expect(again).toContain(`Kept in PGlite at ${dataDir}: 2 customer(s), 1 from earlier runs`);
  expect(output).toContain('Customer 林美 (zh-TW, Asia/Taipei)');
  expect(output).toContain('hand-off sam → linda: Customer prefers Mandarin');
  expect(output).toContain('Invalid touchpoint input: channel: expected one of');
  expect(output).toContain('1 open complaint(s)');
  expect(output).toContain('SLA "taipei-support": firstResponse met (10 of 30 business minutes); resolution paused (35 of 480 business minutes)');
  const history = output.slice(output.indexOf('History, newest first:'), output.indexOf('\nKept in PGlite')).split('\n').slice(1).filter(Boolean);
  expect(history).toHaveLength(9);
  expect(history[0]).toContain('status open → pending_customer');
  expect(history.at(-1)).toContain('Lawatan ke kedai');
  expect(output).toMatch(/客戶說收到的茶葉包裝破損/);
  expect(output).toMatch(/Inviata la fattura/);
  // Two runs, each starting PGlite (about 4 s) and tsx: well within this on a quiet machine.
}, 120_000);
