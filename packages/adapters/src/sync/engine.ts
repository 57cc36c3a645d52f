/**
 * The sync engine: `createSync({ local, remote })` pushes the local store's changes to a remote
 * CRM and pulls the remote's changes back, with its state (cursors, id map, outbound queue) kept in
 * the local store.
 *
 * Push: the local feed is read from the `push` cursor into the queue (skipping what this sync's own
 * pulls wrote) and the cursor moved in the same atomic step; items are claimed in the largest
 * batches the remote takes, the intent is written (`markSent`) before each request, and the id map
 * after the response. A crash anywhere leaves each item either unsent (sent again), or in doubt: on
 * remotes that upsert on our id, the replay updates what the lost request created; elsewhere the
 * item is looked up by our id first and sent only when it is certainly absent.
 *
 * Pull: the remote's changes are read a page at a time from the `pull:<entity>` cursor, merged with
 * the conflict policy and written as one local write per page, with origin `sync:<remote>`; ids of
 * records new here are written to the map before the records, so a replayed page never creates a
 * record twice.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import {
  ComplaintSchema,
  CrmFeedExpiredError,
  CustomerSchema,
  TouchpointSchema,
  isCrmError,
  ulidGenerator,
  type Change,
  type CrmStore,
  type EntityRecords,
  type IdGenerator,
  type WriteOp,
} from '@crm/core';
import { sleep } from '../http/retry.js';
import {
  SYNC_ENTITIES,
  SYNC_STATE,
  type ArchiveInput,
  type LookupResult,
  type MapEntry,
  type PulledRecord,
  type PushInput,
  type PushOutcome,
  type QueueEntry,
  type QueueItem,
  type SyncEntity,
  type SyncFailure,
  type SyncRemote,
  type SyncState,
  type SyncStateHost,
} from './contract.js';
import { memorySyncState } from './state/memoryState.js';
import { mergePulled, type ConflictPolicy } from './merge.js';

/** A named point of the engine's work, for {@link SyncOptions.onStep} (fault tests stop the engine there). */
export type SyncStep =
  | 'ingest:before-enqueue'
  | 'push:claimed'
  | 'push:before-request'
  | 'push:after-response'
  | 'push:after-complete'
  | 'archive:before-request'
  | 'archive:after-response'
  | 'pull:before-map'
  | 'pull:before-write'
  | 'pull:after-write';

/** What {@link SyncOptions.onStep} is told. */
export interface SyncStepEvent {
  step: SyncStep;
  entity: SyncEntity;
  /** The local ids the step is about. */
  ids: readonly string[];
}

/** Options of {@link createSync}. */
export interface SyncOptions {
  /** The local store: `sqlStore` (its sync state survives a crash) or `memoryStore` (for tests). */
  local: CrmStore;
  /** The remote CRM: `hubspotAdapter(…)` or your own {@link SyncRemote}. */
  remote: SyncRemote;
  /** Where the sync keeps its state. Default: in the local store (`sqlStore`), or in memory beside a memory store. */
  state?: SyncState;
  /** This worker's name, for claims on a shared queue. Default: a random one per `createSync`. */
  worker?: string;
  /** The entities to sync, in this order. @default ['customers', 'complaints', 'touchpoints'] */
  entities?: readonly SyncEntity[];
  /** How pulled changes meet local ones: see {@link ConflictPolicy}. Default: the newer `updatedAt` wins, per record. */
  conflicts?: ConflictPolicy;
  /** How long a claim lasts before another worker may take the item over (in doubt). @default 120_000 */
  leaseMs?: number;
  /** Sends of one record before it is given up on (`failed`, in the report). @default 6 */
  maxAttempts?: number;
  /** The first wait before a failed record is sent again, doubling with each attempt. @default 1_000 */
  retryBaseMs?: number;
  /** The longest wait `push()` sits out for records due again soon before it returns (they stay queued). @default 30_000 */
  drainWaitMs?: number;
  /** Ids for records a pull creates locally. @default ulidGenerator() */
  ids?: IdGenerator;
  /** The time. @default () => new Date() */
  now?: () => Date;
  /** Called at each step; a fault test throws here to stop the engine as a crash would. */
  onStep?: (event: SyncStepEvent) => void | Promise<void>;
}

/** What {@link Sync.on}('progress') is told, often. */
export interface SyncProgress {
  phase: 'push' | 'pull';
  entity: SyncEntity;
  /** Records done so far in this phase and entity. */
  done: number;
  /** Records to do in all, when known (`null` for pulls). */
  total: number | null;
  failed: number;
  /** Records per second so far. */
  rate: number;
}

/** One record that could not be synced, and what to do about it. */
export interface SyncReportFailure {
  direction: 'push' | 'pull';
  entity: SyncEntity;
  /** The local record's id (for a pull of a record new here, the id it would have had), or `null`. */
  localId: string | null;
  remoteId: string | null;
  error: SyncFailure;
}

/** Counts of one entity, or of all. */
export interface SyncCounts {
  /** Records created or updated remotely. */
  pushed: number;
  /** Records created or updated locally. */
  pulled: number;
  /** Records looked at that needed no write (already in step, or our own echo). */
  unchanged: number;
  /** Records archived remotely or deleted locally. */
  deleted: number;
  /** Records given up on (listed in `failures`). */
  failed: number;
}

/** What a `push()`, `pull()` or `run()` did. */
export interface SyncReport extends SyncCounts {
  startedAt: string;
  finishedAt: string;
  byEntity: Record<SyncEntity, SyncCounts>;
  failures: SyncReportFailure[];
  /** Items still queued when the push returned (due again later, or waiting for a look-up to settle). */
  queued: number;
}

/** A two-way sync between a local store and a remote CRM. */
export interface Sync {
  /** Sends the local changes not sent yet. */
  push(options?: { signal?: AbortSignal }): Promise<SyncReport>;
  /** Receives the remote changes since the last pull. */
  pull(options?: { signal?: AbortSignal }): Promise<SyncReport>;
  /**
   * Pull, then push; once, or every `intervalMs` until `signal` aborts (resolving with the report
   * of all rounds).
   */
  run(options?: { intervalMs?: number; signal?: AbortSignal }): Promise<SyncReport>;
  on(event: 'progress', listener: (progress: SyncProgress) => void): () => void;
  /** The state this sync keeps (for inspection and tests). */
  readonly state: SyncState;
}

const memoryStates = new WeakMap<CrmStore, Map<string, SyncState>>();

/** The state a sync of `remote` keeps beside `store`. */
export function syncStateFor(store: CrmStore, remote: string): SyncState {
  const host = store as Partial<SyncStateHost>;
  if (typeof host[SYNC_STATE] === 'function') return host[SYNC_STATE](remote);
  let byRemote = memoryStates.get(store);
  if (!byRemote) memoryStates.set(store, (byRemote = new Map()));
  const known = byRemote.get(remote);
  if (known) return known;
  const state = memorySyncState();
  byRemote.set(remote, state);
  return state;
}

const SCHEMAS = { customers: CustomerSchema, touchpoints: TouchpointSchema, complaints: ComplaintSchema } as const;

/** The fields a record created by a pull has when the remote doesn't give them. */
const NEW_RECORD_DEFAULTS: Record<SyncEntity, Record<string, unknown>> = {
  customers: { kind: 'customer', emails: [], phones: [], addresses: [], tags: [] },
  touchpoints: { participants: [] },
  complaints: { activity: [] },
};

/** With a `batchKey`, how many batches' worth a claim takes, to fill each key's requests. */
const KEYED_CLAIM_BATCHES = 4;
/** Claim-and-send loops per entity in one push. */
const PUSH_LANES = 2;

const emptyCounts = (): SyncCounts => ({ pushed: 0, pulled: 0, unchanged: 0, deleted: 0, failed: 0 });

/** A report being filled in. */
class ReportBuilder {
  readonly startedAt: string;
  readonly byEntity = { customers: emptyCounts(), touchpoints: emptyCounts(), complaints: emptyCounts() };
  readonly failures: SyncReportFailure[] = [];
  queued = 0;
  constructor(now: Date) {
    this.startedAt = now.toISOString();
  }
  add(entity: SyncEntity, key: keyof SyncCounts, n = 1): void {
    this.byEntity[entity][key] += n;
  }
  fail(failure: SyncReportFailure): void {
    this.failures.push(failure);
    this.add(failure.entity, 'failed');
  }
  merge(other: SyncReport): void {
    for (const entity of SYNC_ENTITIES) for (const key of Object.keys(emptyCounts()) as (keyof SyncCounts)[]) this.add(entity, key, other.byEntity[entity][key]);
    this.failures.push(...other.failures);
    this.queued = other.queued;
  }
  build(now: Date): SyncReport {
    const total = emptyCounts();
    for (const counts of Object.values(this.byEntity)) for (const key of Object.keys(total) as (keyof SyncCounts)[]) total[key] += counts[key];
    return { ...total, startedAt: this.startedAt, finishedAt: now.toISOString(), byEntity: this.byEntity, failures: this.failures, queued: this.queued };
  }
}

/** A failure of ours (not the remote's), with its hint. */
function failure(code: string, message: string, retryable: boolean, hint: string): SyncFailure {
  return { code, message, retryable, hint };
}

/** A batch-wide failure (the request threw) as a per-record failure. */
function batchFailure(error: unknown): SyncFailure {
  if (isCrmError(error) && error.name === 'CrmRemoteError') {
    const remote = error as unknown as { status: number; remoteCode: string | null; retryable: boolean; message: string };
    return {
      ...(remote.status > 0 ? { status: remote.status } : {}),
      code: remote.remoteCode ?? (remote.status === 0 ? 'NETWORK' : `HTTP_${remote.status}`),
      message: remote.message,
      retryable: remote.retryable,
      hint: remote.retryable ? 'sent again automatically' : 'check the remote account and the record, then save the record again',
    };
  }
  return failure('UNEXPECTED', error instanceof Error ? error.message : String(error), true, 'sent again automatically; report it if it persists');
}

/** What a push or an archive answered, or, when the request threw, the same failure for each of its inputs. */
async function outcomesOf(inputs: readonly { localId: string }[], call: () => Promise<PushOutcome[]>): Promise<PushOutcome[]> {
  try {
    return await call();
  } catch (error) {
    const why = batchFailure(error);
    return inputs.map((input) => ({ localId: input.localId, ok: false, error: why }));
  }
}

const keyOf = (entry: { entity: SyncEntity; localId: string }) => ({ entity: entry.entity, localId: entry.localId });

/**
 * Creates a sync between a local store and a remote CRM.
 *
 * @example
 * ```ts
 * import { createSync } from '@crm/adapters/sync'
 * import { hubspotAdapter } from '@crm/adapters/hubspot'
 *
 * const sync = createSync({ local: store, remote: hubspotAdapter({ accessToken: process.env.HUBSPOT_TOKEN }) })
 * sync.on('progress', (p) => console.log(p.phase, p.entity, p.done, p.total))
 * const report = await sync.run()
 * if (report.failed > 0) console.table(report.failures.map((f) => ({ id: f.localId, why: f.error.message, fix: f.error.hint })))
 * ```
 */
export function createSync(options: SyncOptions): Sync {
  const { local, remote } = options;
  if (!local || typeof local.changes !== 'function') throw new TypeError('createSync: `local` must be a CrmStore (memoryStore(), sqlStore(…))');
  if (!remote || typeof remote.push !== 'function' || typeof remote.name !== 'string') throw new TypeError('createSync: `remote` must be a SyncRemote (hubspotAdapter(…))');
  const state = options.state ?? syncStateFor(local, remote.name);
  const worker = options.worker ?? `worker-${Math.random().toString(36).slice(2, 10)}`;
  const entities = options.entities ?? SYNC_ENTITIES;
  for (const entity of entities) if (!SYNC_ENTITIES.includes(entity)) throw new TypeError(`createSync: \`entities\` has "${String(entity)}"; expected some of ${SYNC_ENTITIES.join(', ')}`);
  const leaseMs = options.leaseMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 6;
  const retryBaseMs = options.retryBaseMs ?? 1_000;
  const drainWaitMs = options.drainWaitMs ?? 30_000;
  const ids = options.ids ?? ulidGenerator();
  const now = options.now ?? (() => new Date());
  const origin = `sync:${remote.name}`;
  const events = new EventEmitter<{ progress: [SyncProgress] }>();
  const step = async (name: SyncStep, entity: SyncEntity, stepIds: readonly string[]) => {
    await options.onStep?.({ step: name, entity, ids: stepIds });
  };

  const progress = (phase: SyncProgress['phase'], entity: SyncEntity, started: number, done: number, total: number | null, failed: number) => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    events.emit('progress', { phase, entity, done, total, failed, rate: Math.round((done / seconds) * 10) / 10 });
  };

  /** Reads the local feed into the queue; returns how many items each entity got. */
  async function ingest(): Promise<Record<SyncEntity, number>> {
    const counts = { customers: 0, touchpoints: 0, complaints: 0 };
    for (;;) {
      const from = await state.getCursor('push');
      let since = from === null ? 0 : Number(from);
      let page;
      try {
        page = await local.changes({ since, limit: 1000 });
      } catch (error) {
        if (!(error instanceof CrmFeedExpiredError)) throw error;
        await resync(from, (error as unknown as { lastSeq: number }).lastSeq, counts);
        continue;
      }
      if (page.changes.length === 0) return counts;
      const latest = new Map<string, QueueItem>();
      for (const change of page.changes as Change[]) {
        if (change.origin === origin || !entities.includes(change.entity)) continue;
        latest.set(`${change.entity}/${change.id}`, {
          entity: change.entity,
          localId: change.id,
          op: change.op === 'delete' ? 'delete' : 'upsert',
          version: change.version,
          seq: change.seq,
        });
      }
      const items = [...latest.values()];
      await step('ingest:before-enqueue', entities[0]!, items.map((item) => item.localId));
      const moved = await state.enqueue(items, { key: 'push', from, to: String(page.lastSeq) });
      if (moved) for (const item of items) counts[item.entity]++;
      since = page.lastSeq;
      if (moved && page.lastSeq >= page.head) return counts;
    }
  }

  /** The feed was pruned past our cursor: queue every record as it is now, then follow from `lastSeq`. */
  async function resync(from: string | null, lastSeq: number, counts: Record<SyncEntity, number>): Promise<void> {
    const items: QueueItem[] = [];
    for (const entity of entities) {
      let cursor: string | null = null;
      do {
        const page: { items: { id: string; version: number }[]; nextCursor: string | null } = await local.list(entity, { limit: 500, cursor, order: 'asc' });
        for (const record of page.items) items.push({ entity, localId: record.id, op: 'upsert', version: record.version, seq: lastSeq });
        cursor = page.nextCursor;
      } while (cursor);
    }
    if (await state.enqueue(items, { key: 'push', from, to: String(lastSeq) })) for (const item of items) counts[item.entity]++;
  }

  const retryAt = (attempts: number) => new Date(now().getTime() + Math.min(5 * 60_000, retryBaseMs * 2 ** Math.max(0, attempts - 1)));

  /** Sends one claimed batch; returns the earliest time something of it is due again, if any. */
  async function loadRecords(entity: SyncEntity, entries: readonly QueueEntry[]): Promise<Map<string, EntityRecords[SyncEntity]>> {
    const records = new Map<string, EntityRecords[SyncEntity]>();
    await Promise.all(
      entries.map(async (entry) => {
        const record = await local.get(entity, entry.localId);
        if (record) records.set(entry.localId, record);
      }),
    );
    return records;
  }

  /**
   * With {@link SyncRemote.batchKey}: a claim cut into the batches to send now, each with at most
   * `max` records of any key — every full batch of each key, and the remainders only when nothing
   * more is queued (`last`) — and the records to give back for the next round. Deletes and records
   * gone locally are always sent. When no key has a full batch, the largest group goes anyway, so
   * the queue always moves.
   */
  function splitByKey(entity: SyncEntity, claimed: QueueEntry[], records: Map<string, EntityRecords[SyncEntity]>, max: number, last: boolean): { batches: QueueEntry[][]; hold: QueueEntry[] } {
    const groups = new Map<string, QueueEntry[]>();
    const always: QueueEntry[] = [];
    for (const entry of claimed) {
      const record = records.get(entry.localId);
      if (!record || entry.op === 'delete') {
        always.push(entry);
        continue;
      }
      const key = remote.batchKey!(entity, record);
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    const sending: QueueEntry[][] = [];
    const hold: QueueEntry[] = [];
    for (const list of groups.values()) {
      const full = last ? list.length : Math.floor(list.length / max) * max;
      if (full > 0) sending.push(list.slice(0, full));
      hold.push(...list.slice(full));
    }
    if (sending.length === 0 && always.length === 0 && hold.length > 0) {
      const largest = [...groups.values()].sort((a, b) => b.length - a.length)[0]!.slice(0, max);
      const moving = new Set(largest);
      sending.push(largest);
      hold.splice(0, hold.length, ...hold.filter((entry) => !moving.has(entry)));
    }
    if (always.length > 0) sending.push(always);
    // The i-th batch takes the i-th `max` records of every group.
    const batches: QueueEntry[][] = [];
    for (const list of sending) {
      for (let i = 0; i * max < list.length; i++) (batches[i] ??= []).push(...list.slice(i * max, (i + 1) * max));
    }
    return { batches, hold };
  }

  async function sendBatch(entity: SyncEntity, entries: QueueEntry[], report: ReportBuilder, signal?: AbortSignal, loaded?: Map<string, EntityRecords[SyncEntity]>): Promise<number | null> {
    let dueAgain: number | null = null;
    const later = (at: Date) => {
      dueAgain = dueAgain === null ? at.getTime() : Math.min(dueAgain, at.getTime());
    };
    const maps = await state.mappings(entity, entries.map((e) => e.localId));
    const records = loaded ?? (await loadRecords(entity, entries));

    // Deletes: archive what the remote has; a record never sent has nothing to archive.
    const archives: ArchiveInput[] = [];
    const dropped: { entity: SyncEntity; localId: string }[] = [];
    const upserts: QueueEntry[] = [];
    for (const entry of entries) {
      const gone = entry.op === 'delete' || !records.has(entry.localId);
      if (!gone) {
        upserts.push(entry);
        continue;
      }
      const mapped = maps.get(entry.localId);
      if (mapped) archives.push({ entity, localId: entry.localId, remoteId: mapped.remoteId });
      else if (entry.sentAt !== null) upserts.push(entry); // in doubt: found below, then archived next round
      else dropped.push(keyOf(entry));
    }
    if (dropped.length > 0) await state.drop(worker, dropped);
    if (archives.length > 0) await archiveBatch(entity, archives, entries, report, signal, later);

    // Parents' remote ids, for associations.
    const parents = { customers: new Set<string>(), complaints: new Set<string>() };
    for (const entry of upserts) {
      const record = records.get(entry.localId) as { customerId?: string; complaintId?: string } | undefined;
      if (entity !== 'customers' && record?.customerId) parents.customers.add(record.customerId);
      if (entity === 'touchpoints' && record?.complaintId) parents.complaints.add(record.complaintId);
    }
    const customerMaps = parents.customers.size > 0 ? await state.mappings('customers', [...parents.customers]) : new Map<string, MapEntry>();
    const complaintMaps = parents.complaints.size > 0 ? await state.mappings('complaints', [...parents.complaints]) : new Map<string, MapEntry>();

    const inputs: PushInput[] = [];
    const waiting: { entity: SyncEntity; localId: string; error: SyncFailure; retryAt: Date }[] = [];
    const unchanged: MapEntry[] = [];
    for (const entry of upserts) {
      const record = records.get(entry.localId);
      const mapped = maps.get(entry.localId);
      if (!record) {
        // Deleted locally after an in-doubt send: find the remote twin first.
        inputs.push({ entity, localId: entry.localId, record: undefined as never, links: {} });
        continue;
      }
      if (mapped && mapped.localVersion >= record.version) {
        unchanged.push(mapped);
        continue;
      }
      const links: PushInput['links'] = {};
      const { customerId, complaintId } = record as { customerId?: string; complaintId?: string };
      if (entity !== 'customers' && customerId) {
        const parent = customerMaps.get(customerId);
        if (!parent) {
          const at = new Date(now().getTime() + retryBaseMs);
          waiting.push({ ...keyOf(entry), retryAt: at, error: failure('MISSING_PARENT', `customer ${customerId} is not on ${remote.name} yet`, true, 'sent once its customer is sent') });
          later(at);
          continue;
        }
        links.customer = parent.remoteId;
      }
      if (entity === 'touchpoints' && complaintId) {
        const parent = complaintMaps.get(complaintId);
        if (!parent) {
          const at = new Date(now().getTime() + retryBaseMs);
          waiting.push({ ...keyOf(entry), retryAt: at, error: failure('MISSING_PARENT', `complaint ${complaintId} is not on ${remote.name} yet`, true, 'sent once its complaint is sent') });
          later(at);
          continue;
        }
        links.complaint = parent.remoteId;
      }
      inputs.push({ entity, localId: entry.localId, record, ...(mapped ? { remoteId: mapped.remoteId } : {}), links });
    }
    if (waiting.length > 0) await state.fail(worker, waiting);
    if (unchanged.length > 0) {
      await state.complete(worker, unchanged);
      report.add(entity, 'unchanged', unchanged.length);
    }

    // In-doubt sends on a remote that can't replay safely: look them up first.
    const byId = new Map(entries.map((entry) => [entry.localId, entry]));
    const toSend: PushInput[] = [];
    // Where the remote upserts, a replay is safe, so only a record deleted here after an in-doubt send needs looking up (its twin may exist).
    const replaySafe = remote.upserts(entity);
    const doubtful = inputs.filter((input) => input.remoteId === undefined && byId.get(input.localId)!.sentAt !== null && (!replaySafe || input.record === undefined));
    const doubtfulIds = new Set(doubtful.map((input) => input.localId));
    for (const input of inputs) if (!doubtfulIds.has(input.localId) && input.record !== undefined) toSend.push(input);
    if (doubtful.length > 0) {
      let found: Map<string, LookupResult>;
      try {
        found = await remote.lookup(entity, doubtful.map((input) => ({ input, sentAt: byId.get(input.localId)!.sentAt! })), signal ? { signal } : {});
      } catch {
        // A look-up that failed learnt nothing: ask again later, never send blindly.
        found = new Map(doubtful.map((input) => [input.localId, { state: 'unknown', retryAfterMs: retryBaseMs } as LookupResult]));
      }
      const release: { entity: SyncEntity; localId: string }[] = [];
      let releaseAt = 0;
      for (const input of doubtful) {
        const result = found.get(input.localId) ?? { state: 'unknown', retryAfterMs: retryBaseMs };
        if (result.state === 'found') {
          await state.saveMappings([{ entity, localId: input.localId, remoteId: result.remoteId, localVersion: 0, remoteVersion: result.remoteVersion }]);
          if (input.record !== undefined) toSend.push({ ...input, remoteId: result.remoteId });
          else release.push(keyOf(input)); // archived on the next round, now that its id is known
        } else if (result.state === 'absent') {
          if (input.record !== undefined) toSend.push(input);
          else dropped.push(keyOf(input));
        } else {
          release.push(keyOf(input));
          releaseAt = Math.max(releaseAt, result.retryAfterMs);
        }
      }
      if (release.length > 0) {
        const at = new Date(now().getTime() + Math.max(releaseAt, 0));
        await state.release(worker, release, at);
        later(at);
      }
    }
    // Records gone locally whose remote twin was in doubt and is absent: nothing to do.
    const goneAbsent = inputs.filter((input) => input.record === undefined && !doubtfulIds.has(input.localId));
    if (goneAbsent.length > 0) await state.drop(worker, goneAbsent.map(keyOf));
    if (toSend.length === 0) return dueAgain;

    const sendIds = toSend.map((input) => input.localId);
    await state.markSent(worker, toSend.map(keyOf), now());
    await step('push:before-request', entity, sendIds);
    const outcomes = await outcomesOf(toSend, () => remote.push(entity, toSend, signal ? { signal } : {}));
    await step('push:after-response', entity, sendIds);
    const byLocal = new Map(outcomes.map((outcome) => [outcome.localId, outcome]));
    const done: MapEntry[] = [];
    const failed: { entity: SyncEntity; localId: string; error: SyncFailure; retryAt: Date | null }[] = [];
    for (const input of toSend) {
      const outcome = byLocal.get(input.localId) ?? {
        localId: input.localId,
        ok: false as const,
        error: failure('NO_OUTCOME', `${remote.name} answered without this record`, true, 'sent again automatically'),
      };
      if (outcome.ok) {
        done.push({ entity, localId: input.localId, remoteId: outcome.remoteId, localVersion: input.record.version, remoteVersion: outcome.remoteVersion });
        continue;
      }
      const attempts = byId.get(input.localId)!.attempts + 1;
      const giveUp = !outcome.error.retryable || attempts >= maxAttempts;
      const at = giveUp ? null : retryAt(attempts);
      failed.push({ entity, localId: input.localId, error: outcome.error, retryAt: at });
      if (at) later(at);
      else report.fail({ direction: 'push', entity, localId: input.localId, remoteId: input.remoteId ?? null, error: outcome.error });
    }
    if (done.length > 0) await state.complete(worker, done);
    if (failed.length > 0) await state.fail(worker, failed);
    report.add(entity, 'pushed', done.length);
    await step('push:after-complete', entity, sendIds);
    return dueAgain;
  }

  async function archiveBatch(
    entity: SyncEntity,
    archives: ArchiveInput[],
    entries: QueueEntry[],
    report: ReportBuilder,
    signal: AbortSignal | undefined,
    later: (at: Date) => void,
  ): Promise<void> {
    const archiveIds = archives.map((input) => input.localId);
    await step('archive:before-request', entity, archiveIds);
    const outcomes = await outcomesOf(archives, () => remote.archive(entity, archives, signal ? { signal } : {}));
    await step('archive:after-response', entity, archiveIds);
    const attemptsOf = new Map(entries.map((entry) => [entry.localId, entry.attempts]));
    const ok: string[] = [];
    const failed: { entity: SyncEntity; localId: string; error: SyncFailure; retryAt: Date | null }[] = [];
    const byLocal = new Map(outcomes.map((outcome) => [outcome.localId, outcome]));
    for (const input of archives) {
      const outcome = byLocal.get(input.localId);
      if (outcome?.ok) ok.push(input.localId);
      else {
        const error = outcome && !outcome.ok ? outcome.error : failure('NO_OUTCOME', `${remote.name} answered without this record`, true, 'sent again automatically');
        const attempts = (attemptsOf.get(input.localId) ?? 0) + 1;
        const at = !error.retryable || attempts >= maxAttempts ? null : retryAt(attempts);
        failed.push({ entity, localId: input.localId, error, retryAt: at });
        if (at) later(at);
        else report.fail({ direction: 'push', entity, localId: input.localId, remoteId: input.remoteId, error });
      }
    }
    if (ok.length > 0) {
      await state.removeMappings(entity, ok);
      await state.drop(worker, ok.map((localId) => ({ entity, localId })));
      report.add(entity, 'deleted', ok.length);
    }
    if (failed.length > 0) await state.fail(worker, failed);
  }

  async function push(pushOptions: { signal?: AbortSignal } = {}): Promise<SyncReport> {
    const { signal } = pushOptions;
    const report = new ReportBuilder(now());
    const ingested = await ingest();
    for (;;) {
      let dueAgain: number | null = null;
      for (const entity of entities) {
        const started = Date.now();
        let done = 0;
        // Two lanes claim and send side by side, so one claim's local work overlaps the other's requests.
        const lane = async (): Promise<void> => {
          for (;;) {
            if (signal?.aborted) return;
            const max = remote.maxBatch(entity);
            const keyed = typeof remote.batchKey === 'function';
            const limit = keyed ? max * KEYED_CLAIM_BATCHES : max;
            const claimed = await state.claim({ worker, entity, limit, leaseMs, now: now() });
            if (claimed.length === 0) return;
            await step('push:claimed', entity, claimed.map((entry) => entry.localId));
            let batches = [claimed];
            let records: Map<string, EntityRecords[SyncEntity]> | undefined;
            if (keyed) {
              records = await loadRecords(entity, claimed);
              const split = splitByKey(entity, claimed, records, max, claimed.length < limit);
              if (split.hold.length > 0) await state.release(worker, split.hold.map(keyOf), now());
              batches = split.batches;
            }
            // The batches of one claim are independent records: sent side by side (the remote's limiter holds the pace).
            const dues = await Promise.all(batches.map((batch) => sendBatch(entity, batch, report, signal, records)));
            for (const due of dues) if (due !== null) dueAgain = dueAgain === null ? due : Math.min(dueAgain, due);
            done += batches.reduce((n, batch) => n + batch.length, 0);
            progress('push', entity, started, done, Math.max(done, ingested[entity]), report.byEntity[entity].failed);
          }
        };
        await Promise.all(Array.from({ length: PUSH_LANES }, lane));
      }
      if (signal?.aborted || dueAgain === null) break;
      const wait = dueAgain - now().getTime();
      if (wait > drainWaitMs) break;
      await sleep(Math.max(0, wait), signal);
    }
    report.queued = (await state.queueStats()).pending;
    return report.build(now());
  }

  async function pullEntity(entity: SyncEntity, report: ReportBuilder, signal?: AbortSignal): Promise<void> {
    const key = `pull:${entity}`;
    const started = Date.now();
    let done = 0;
    for await (const page of remote.pull(entity, await state.getCursor(key), signal ? { signal } : {})) {
      if (signal?.aborted) return;
      await pullPage(entity, page.records, report);
      await state.setCursor(key, page.cursor);
      done += page.records.length;
      progress('pull', entity, started, done, null, report.byEntity[entity].failed);
    }
  }

  async function pullPage(entity: SyncEntity, records: readonly PulledRecord[], report: ReportBuilder): Promise<void> {
    if (records.length === 0) return;
    // One look at each remote record: the newest of duplicates in the page.
    const latest = new Map<string, PulledRecord>();
    for (const record of records) latest.set(record.remoteId, record);
    const pulled = [...latest.values()];
    const byRemote = await state.mappingsByRemote(entity, pulled.map((r) => r.remoteId));
    // Parents, by remote id.
    const customerRemotes = new Set<string>();
    const complaintRemotes = new Set<string>();
    for (const record of pulled) {
      if (record.links.customer) customerRemotes.add(record.links.customer);
      if (record.links.complaint) complaintRemotes.add(record.links.complaint);
    }
    const customers = customerRemotes.size > 0 ? await state.mappingsByRemote('customers', [...customerRemotes]) : new Map<string, MapEntry>();
    const complaints = complaintRemotes.size > 0 ? await state.mappingsByRemote('complaints', [...complaintRemotes]) : new Map<string, MapEntry>();

    // Ids of records new here go into the map before the records (a replay finds them there).
    const fresh: MapEntry[] = [];
    const localIdOf = new Map<string, string>();
    for (const record of pulled) {
      const mapped = byRemote.get(record.remoteId);
      if (mapped) localIdOf.set(record.remoteId, mapped.localId);
      else if (record.archived) continue;
      else {
        const localId = record.localId ?? ids();
        localIdOf.set(record.remoteId, localId);
        fresh.push({ entity, localId, remoteId: record.remoteId, localVersion: 0, remoteVersion: '' });
      }
    }
    await step('pull:before-map', entity, fresh.map((entry) => entry.localId));
    if (fresh.length > 0) await state.saveMappings(fresh);

    const locals = new Map<string, EntityRecords[SyncEntity]>();
    await Promise.all(
      [...localIdOf.values()].map(async (localId) => {
        const record = await local.get(entity, localId);
        if (record) locals.set(localId, record);
      }),
    );
    const ops: WriteOp[] = [];
    const seen: MapEntry[] = [];
    const removed: string[] = [];
    for (const record of pulled) {
      const localId = localIdOf.get(record.remoteId);
      const mapped = byRemote.get(record.remoteId);
      if (!localId) {
        report.add(entity, 'unchanged');
        continue;
      }
      const current = locals.get(localId);
      if (record.archived) {
        if (current) {
          ops.push({ type: 'delete', entity, id: localId, expectedVersion: current.version } as WriteOp);
          report.add(entity, 'deleted');
        } else report.add(entity, 'unchanged');
        removed.push(localId);
        continue;
      }
      if (mapped && mapped.remoteVersion === record.remoteVersion && current) {
        report.add(entity, 'unchanged'); // our own write's echo, or seen before
        continue;
      }
      const parents: { customerId?: string; complaintId?: string } = {};
      if (entity !== 'customers') {
        const parent = record.links.customer ? customers.get(record.links.customer) : undefined;
        if (parent) parents.customerId = parent.localId;
        else if (!current) {
          report.fail({
            direction: 'pull',
            entity,
            localId,
            remoteId: record.remoteId,
            error: failure('MISSING_PARENT', `${remote.name} ${entity} ${record.remoteId} has no associated contact known here`, false, 'associate it with a contact in the remote CRM, then pull again'),
          });
          continue;
        }
      }
      if (entity === 'touchpoints' && record.links.complaint) {
        const parent = complaints.get(record.links.complaint);
        if (parent) parents.complaintId = parent.localId;
      }
      const pulledRecord = { ...record, data: { ...record.data, ...parents } } as PulledRecord;
      let next: EntityRecords[SyncEntity] | null;
      let version: number;
      if (current) {
        next = mergePulled(current, pulledRecord, options.conflicts).record;
        version = current.version + 1;
      } else {
        next = {
          externalIds: {},
          ...NEW_RECORD_DEFAULTS[entity],
          ...pulledRecord.data,
          id: localId,
          version: 1,
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
        } as unknown as EntityRecords[SyncEntity];
        version = 1;
      }
      if (next === null) {
        report.add(entity, 'unchanged');
        seen.push({ entity, localId, remoteId: record.remoteId, localVersion: current!.version, remoteVersion: record.remoteVersion });
        continue;
      }
      const externalIds = { ...((next as { externalIds?: Record<string, string> }).externalIds ?? {}), [remote.name]: record.remoteId };
      const candidate = { ...next, externalIds, version, updatedAt: current && Date.parse(current.updatedAt) > Date.parse(record.updatedAt) ? current.updatedAt : record.updatedAt };
      const checked = SCHEMAS[entity].safeParse(candidate);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        report.fail({
          direction: 'pull',
          entity,
          localId,
          remoteId: record.remoteId,
          error: failure('INVALID_RECORD', `${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`, false, `correct the record in ${remote.name}; it is pulled again when it changes there`),
        });
        continue;
      }
      const value = checked.data as EntityRecords[SyncEntity];
      ops.push(current ? ({ type: 'update', entity, record: value, expectedVersion: current.version } as WriteOp) : ({ type: 'create', entity, record: value } as WriteOp));
      seen.push({ entity, localId, remoteId: record.remoteId, localVersion: version, remoteVersion: record.remoteVersion });
      report.add(entity, 'pulled');
    }
    await step('pull:before-write', entity, ops.map((op) => (op.type === 'delete' ? op.id : op.record.id)));
    // Records new here that failed (a missing parent, an invalid value) leave no id behind: their next pull starts afresh.
    const written = new Set(seen.map((entry) => entry.localId));
    const orphans = fresh.filter((entry) => !written.has(entry.localId)).map((entry) => entry.localId);
    for (let i = 0; i < ops.length; i += local.capabilities.maxWriteOps) {
      await local.write(ops.slice(i, i + local.capabilities.maxWriteOps), { origin });
    }
    await step('pull:after-write', entity, seen.map((entry) => entry.localId));
    if (seen.length > 0) await state.saveMappings(seen);
    if (removed.length > 0) await state.removeMappings(entity, removed);
    if (orphans.length > 0) await state.removeMappings(entity, orphans);
  }

  async function pull(pullOptions: { signal?: AbortSignal } = {}): Promise<SyncReport> {
    const report = new ReportBuilder(now());
    for (const entity of entities) {
      if (pullOptions.signal?.aborted) break;
      await pullEntity(entity, report, pullOptions.signal);
    }
    report.queued = (await state.queueStats()).pending;
    return report.build(now());
  }

  async function run(runOptions: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<SyncReport> {
    const { intervalMs, signal } = runOptions;
    if (intervalMs !== undefined && !(intervalMs > 0)) throw new TypeError('sync.run: `intervalMs` must be milliseconds, more than 0');
    const report = new ReportBuilder(now());
    for (;;) {
      report.merge(await pull({ ...(signal ? { signal } : {}) }));
      report.merge(await push({ ...(signal ? { signal } : {}) }));
      if (intervalMs === undefined || signal?.aborted) break;
      await sleep(intervalMs, signal);
      if (signal?.aborted) break;
    }
    return report.build(now());
  }

  return {
    state,
    push,
    pull,
    run,
    on(event, listener) {
      events.on(event, listener);
      return () => void events.off(event, listener);
    },
  };
}
