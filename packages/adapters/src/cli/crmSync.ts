/**
 * `crm-sync`: the sync engine on the command line.
 *
 * ```sh
 * HUBSPOT_ACCESS_TOKEN=pat-… npx crm-sync run --remote hubspot --store ./crm-data
 * npx crm-sync push --remote hubspot --store postgres://crm@db/crm --report sync-report.json
 * ```
 *
 * A progress bar on a terminal (cli-progress), plain lines otherwise, a summary table at the end,
 * the full report as JSON on request, and exit code 1 when any record failed (2: bad usage, 3: the
 * sync itself stopped). Node only.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import type { CrmStore } from '@crm/core';
import { createSync, type SyncProgress, type SyncReport } from '../sync/index.js';
import type { SyncRemote } from '../sync/contract.js';

/** Where the command writes, and what it reads: `process` by default, replaceable in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

const USAGE = `Usage: crm-sync <push|pull|run|setup> --remote hubspot --store <url or path> [options]

Commands:
  push     send the local changes not sent yet
  pull     receive the remote's changes since the last pull
  run      pull, then push (once; with --interval, again and again until stopped)
  setup    create what the remote needs (our id property) and say what was done

Options:
  --remote <name>      the remote CRM: hubspot
  --store <where>      postgres://… (a PostgreSQL server) or a folder (embedded PGlite)
  --tenant <name>      the store's tenant (default: default)
  --report <file>      also write the full report as JSON to this file
  --interval <sec>     with run: seconds between rounds
  --base-url <url>     the remote's API address (default: the real one)
  --help               this text

Credentials come from the environment, never from arguments:
  HUBSPOT_ACCESS_TOKEN, or HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET + HUBSPOT_REFRESH_TOKEN
`;

class UsageError extends Error {}

interface Parsed {
  command: 'push' | 'pull' | 'run' | 'setup';
  remote: string;
  store: string;
  tenant?: string;
  report?: string;
  intervalMs?: number;
  baseUrl?: string;
}

function parse(argv: readonly string[]): Parsed | 'help' {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        remote: { type: 'string' },
        store: { type: 'string' },
        tenant: { type: 'string' },
        report: { type: 'string' },
        interval: { type: 'string' },
        'base-url': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('give a command: push, pull, run or setup');
  if (!['push', 'pull', 'run', 'setup'].includes(command)) throw new UsageError(`unknown command "${command}": expected push, pull, run or setup`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (typeof values.remote !== 'string') throw new UsageError('--remote is required (hubspot)');
  if (values.remote !== 'hubspot') throw new UsageError(`--remote "${values.remote}" is not supported: expected hubspot`);
  if (typeof values.store !== 'string' || values.store === '') throw new UsageError('--store is required: postgres://… or a folder');
  let intervalMs: number | undefined;
  if (values.interval !== undefined) {
    if (command !== 'run') throw new UsageError('--interval goes with run');
    const seconds = Number(values.interval);
    if (!(seconds > 0)) throw new UsageError(`--interval must be seconds, more than 0 (got "${String(values.interval)}")`);
    intervalMs = seconds * 1000;
  }
  return {
    command: command as Parsed['command'],
    remote: values.remote,
    store: values.store,
    ...(typeof values.tenant === 'string' ? { tenant: values.tenant } : {}),
    ...(typeof values.report === 'string' ? { report: values.report } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(typeof values['base-url'] === 'string' ? { baseUrl: values['base-url'] } : {}),
  };
}

/** Opens the store `--store` names. */
async function openStore(where: string, tenant: string | undefined): Promise<CrmStore> {
  const { sqlStore, pgDriver, pgliteDriver } = await import('../sql/index.js');
  if (/^postgres(ql)?:\/\//.test(where)) {
    let pg: { default?: { Pool: new (options: object) => unknown }; Pool?: new (options: object) => unknown };
    try {
      pg = (await import('pg')) as typeof pg;
    } catch (cause) {
      throw new Error('a postgres:// store needs the pg package: npm i pg', { cause });
    }
    const Pool = pg.default?.Pool ?? pg.Pool!;
    return sqlStore({ driver: pgDriver(new Pool({ connectionString: where }) as never), ...(tenant ? { tenant } : {}) });
  }
  return sqlStore({ driver: pgliteDriver({ dataDir: where }), ...(tenant ? { tenant } : {}) });
}

/** The remote `--remote` names, with credentials from the environment. */
async function openRemote(parsed: Parsed, env: CliIo['env']): Promise<SyncRemote & { setup?: () => Promise<unknown> }> {
  const { hubspotAdapter } = await import('../hubspot/index.js');
  const baseUrl = parsed.baseUrl ? { baseUrl: parsed.baseUrl } : {};
  if (env.HUBSPOT_ACCESS_TOKEN) return hubspotAdapter({ accessToken: env.HUBSPOT_ACCESS_TOKEN, ...baseUrl });
  const { HUBSPOT_CLIENT_ID: clientId, HUBSPOT_CLIENT_SECRET: clientSecret, HUBSPOT_REFRESH_TOKEN: refreshToken } = env;
  if (clientId && clientSecret && refreshToken) return hubspotAdapter({ oauth: { clientId, clientSecret, refreshToken }, ...baseUrl });
  throw new UsageError('no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN, or HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN');
}

/** Progress on a terminal: one bar per phase and entity (cli-progress). Elsewhere: a line per entity every few seconds and at the end. */
async function progressView(io: CliIo) {
  if (io.stdout.isTTY) {
    const { MultiBar, Presets } = await import('cli-progress');
    const bars = new MultiBar(
      { format: ' {phase} {entity} [{bar}] {value}/{total} · {failed} failed · {rate}/s', hideCursor: true, clearOnComplete: false, stream: io.stdout as never },
      Presets.shades_classic,
    );
    const byKey = new Map<string, ReturnType<typeof bars.create>>();
    return {
      update(p: SyncProgress) {
        const key = `${p.phase}:${p.entity}`;
        const total = p.total ?? p.done;
        const payload = { phase: p.phase.padEnd(4), entity: p.entity.padEnd(11), failed: p.failed, rate: p.rate };
        const bar = byKey.get(key);
        if (bar) {
          bar.setTotal(total);
          bar.update(p.done, payload);
        } else byKey.set(key, bars.create(total, p.done, payload));
      },
      stop: () => bars.stop(),
    };
  }
  const last = new Map<string, number>();
  return {
    update(p: SyncProgress) {
      const key = `${p.phase}:${p.entity}`;
      const now = Date.now();
      if (now - (last.get(key) ?? 0) < 2000 && p.done !== p.total) return;
      last.set(key, now);
      io.stdout.write(`${p.phase} ${p.entity}: ${p.done}${p.total !== null ? `/${p.total}` : ''} done, ${p.failed} failed, ${p.rate}/s\n`);
    },
    stop() {},
  };
}

/** The summary table: one row per entity, one column per count. */
export function summaryTable(report: SyncReport): string {
  const columns = ['pushed', 'pulled', 'unchanged', 'deleted', 'failed'] as const;
  const rows = [
    ['', ...columns],
    ...(Object.entries(report.byEntity) as [string, SyncReport['byEntity']['customers']][]).map(([entity, counts]) => [entity, ...columns.map((c) => String(counts[c]))]),
    ['total', ...columns.map((c) => String(report[c]))],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n';
}

/**
 * Runs `crm-sync` with these arguments; resolves with the exit code (0: all synced, 1: some records
 * failed, 2: bad usage, 3: the sync stopped).
 */
export async function runCrmSync(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`crm-sync: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  let store: CrmStore | undefined;
  try {
    const remote = await openRemote(parsed, io.env);
    if (parsed.command === 'setup') {
      const done = (await remote.setup?.()) as { created: string[]; existing: string[]; notUnique: string[] } | undefined;
      io.stdout.write(
        done
          ? `created: ${done.created.join(', ') || 'nothing'}\nalready there: ${done.existing.join(', ') || 'nothing'}\nno unique id possible on: ${done.notUnique.join(', ') || 'none'}\n`
          : 'nothing to set up\n',
      );
      return 0;
    }
    store = await openStore(parsed.store, parsed.tenant);
    const sync = createSync({ local: store, remote });
    const view = await progressView(io);
    sync.on('progress', (p) => view.update(p));
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    let report: SyncReport;
    try {
      report =
        parsed.command === 'push'
          ? await sync.push({ signal: stop.signal })
          : parsed.command === 'pull'
            ? await sync.pull({ signal: stop.signal })
            : await sync.run({ signal: stop.signal, ...(parsed.intervalMs ? { intervalMs: parsed.intervalMs } : {}) });
    } finally {
      process.off('SIGINT', onSignal);
      view.stop();
    }
    io.stdout.write(`\n${summaryTable(report)}`);
    if (report.queued > 0) io.stdout.write(`${report.queued} record(s) still queued: they are sent on the next run.\n`);
    for (const f of report.failures.slice(0, 20)) {
      io.stdout.write(`failed: ${f.direction} ${f.entity} ${f.localId ?? f.remoteId}: ${f.error.code}: ${f.error.message} → ${f.error.hint}\n`);
    }
    if (report.failures.length > 20) io.stdout.write(`… and ${report.failures.length - 20} more (see --report)\n`);
    if (parsed.report) await writeFile(parsed.report, JSON.stringify(report, null, 2) + '\n');
    return report.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`crm-sync: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`crm-sync: ${(error as Error).message}\n`);
    return 3;
  } finally {
    await store?.close();
  }
}
