/**
 * `crm-sync` end to end: a PGlite store in a folder, the HubSpot mock on the network, the command's
 * exit codes, its summary table, its plain progress lines off a terminal, and its report file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrm } from '@crm/core';
import { pgliteDriver, sqlStore } from '../sql/index.js';
import { runCrmSync } from '../cli/crmSync.js';
import { createHubSpotMock } from '../hubspot/testing/index.js';

const TOKEN = 'pat-na1-cli-token';
const dir = mkdtempSync(join(tmpdir(), 'crm-sync-'));
const mock = createHubSpotMock({ accessTokens: [TOKEN], rateLimit: false, searchLagMs: 0 });
let server: { close(): void };

function io(env: Record<string, string | undefined> = { HUBSPOT_ACCESS_TOKEN: TOKEN }) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (t: string) => out.push(t), isTTY: false }, stderr: { write: (t: string) => err.push(t) }, env } };
}

beforeAll(async () => {
  server = mock.listen();
  const store = sqlStore({ driver: pgliteDriver({ dataDir: join(dir, 'data') }) });
  const crm = createCrm({ store });
  const ana = await crm.customers.create({ name: 'Ana Lima', emails: ['ana@example.com'] });
  await crm.customers.create({ name: 'Bea Costa', emails: ['bea@example.com'] });
  await crm.touchpoints.log({ customerId: ana.id, channel: 'call', direction: 'inbound', summary: 'asked for a refund' });
  await store.close();
}, 60_000);

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('crm-sync', () => {
  it('explains itself, and names what is wrong with a command line (exit 2)', async () => {
    const help = io();
    expect(await runCrmSync(['--help'], help.io)).toBe(0);
    expect(help.out.join('')).toContain('Usage: crm-sync <push|pull|run|setup>');
    const bad = io();
    expect(await runCrmSync(['push', '--remote', 'salesforce', '--store', dir], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('--remote "salesforce" is not supported');
    const noCredentials = io({});
    expect(await runCrmSync(['push', '--remote', 'hubspot', '--store', dir], noCredentials.io)).toBe(2);
    expect(noCredentials.err.join('')).toContain('no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN');
  });

  it('sets up the portal, pushes with plain progress lines, prints the summary and writes the report', async () => {
    const setup = io();
    expect(await runCrmSync(['setup', '--remote', 'hubspot', '--store', join(dir, 'data')], setup.io)).toBe(0);
    expect(setup.out.join('')).toContain('created: contacts.crm_record_id');

    const push = io();
    const reportFile = join(dir, 'report.json');
    expect(await runCrmSync(['push', '--remote', 'hubspot', '--store', join(dir, 'data'), '--report', reportFile], push.io)).toBe(0);
    const printed = push.out.join('');
    expect(printed).toMatch(/push customers: 2\/2 done, 0 failed/);
    expect(printed).toMatch(/customers\s+2\s+0\s+0\s+0\s+0/);
    expect(printed).toMatch(/total\s+3\s+0\s+0\s+0\s+0/);
    expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toMatchObject({ pushed: 3, failed: 0 });
    expect(mock.objects('contacts')).toHaveLength(2);
    expect(mock.objects('calls')).toHaveLength(1);
  }, 60_000);

  it('draws progress bars on a terminal (cli-progress)', async () => {
    const store = sqlStore({ driver: pgliteDriver({ dataDir: join(dir, 'data') }) });
    await createCrm({ store }).customers.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `Bar Person${i}`, emails: [`bar${i}@example.com`] })));
    await store.close();
    const written: string[] = [];
    const tty = { write: (t: string) => written.push(t), isTTY: true, columns: 120, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true, on: () => tty, removeListener: () => tty };
    const code = await runCrmSync(['push', '--remote', 'hubspot', '--store', join(dir, 'data')], { stdout: tty, stderr: { write: () => true }, env: { HUBSPOT_ACCESS_TOKEN: TOKEN } });
    expect(code).toBe(0);
    const screen = written.join('');
    expect(screen).toMatch(/push customers\s+\[[█░]+\] 5\/5/);
    expect(screen).not.toMatch(/done, 0 failed/); // no plain lines on a terminal
  }, 60_000);

  it('exits 1 and lists the failures when a record is refused', async () => {
    const store = sqlStore({ driver: pgliteDriver({ dataDir: join(dir, 'data') }) });
    await createCrm({ store }).customers.create({ name: 'Ana Again', emails: ['ana@example.com'] }); // the email of a customer already linked
    await store.close();
    const push = io();
    expect(await runCrmSync(['push', '--remote', 'hubspot', '--store', join(dir, 'data')], push.io)).toBe(1);
    expect(push.out.join('')).toMatch(/failed: push customers \S+: CONFLICT: HubSpot contact \d+ has this email and is linked to customer \S+ → two customers share the email/);
  }, 60_000);
});
