/**
 * The two seams of the sync engine ({@link createSync}): what a remote CRM adapter implements
 * ({@link SyncRemote}: HubSpot, Salesforce, your own), and where the engine keeps its own state
 * ({@link SyncState}: cursors, the id map and the outbound queue, in the local store).
 *
 * The engine speaks in local records; an adapter maps them to the remote's objects and back, and
 * says per entity whether the remote can upsert on a unique property holding our id (which makes a
 * replayed send safe) or not (engagements on HubSpot: an in-doubt send is looked up before it is
 * made again).
 *
 * @module
 */
import type { EntityName, EntityRecords } from '@crm/core';

/** The entities a sync carries: every {@link EntityName}, pushed in this order (a touchpoint's customer and complaint exist remotely before it). */
export type SyncEntity = EntityName;

/** The order entities are pushed and pulled in: a record's parents first. */
export const SYNC_ENTITIES: readonly SyncEntity[] = ['customers', 'complaints', 'touchpoints'];

/**
 * Why one record could not be sent or received, in words an operator can act on. Never holds a
 * token or a request header.
 */
export interface SyncFailure {
  /** The remote's HTTP status, when there was a response. */
  status?: number;
  /** A stable code: the remote's error category (`VALIDATION_ERROR`, `CONFLICT`, …) or ours (`MISSING_PARENT`, `INVALID_RECORD`, `TIMEOUT`, …). */
  code: string;
  /** What the remote (or the engine) said. */
  message: string;
  /** Whether sending the same record again later may succeed (rate limits, 5xx, timeouts, a parent not sent yet). */
  retryable: boolean;
  /** What to do about it: "fix the email address and save the customer again". */
  hint: string;
}

/** The remote ids of a record's parents, for associations (`customer` for all, `complaint` for a touchpoint about one). */
export interface RemoteLinks {
  customer?: string;
  complaint?: string;
}

/** One record to create or update remotely. */
export interface PushInput<E extends SyncEntity = SyncEntity> {
  entity: E;
  /** The local record's id: what the remote's id property holds. */
  localId: string;
  record: EntityRecords[E];
  /** The remote id the id map knows, if any. */
  remoteId?: string;
  /** The parents' remote ids, resolved through the id map. */
  links: RemoteLinks;
}

/** One record to archive (delete) remotely. */
export interface ArchiveInput {
  entity: SyncEntity;
  localId: string;
  remoteId: string;
}

/** What became of one input of a push or an archive: matched to it by `localId`, never by position. */
export type PushOutcome =
  | {
      localId: string;
      ok: true;
      remoteId: string;
      /** The remote's version of the record after the write (HubSpot: its `updatedAt`), kept to recognise the write's echo on the next pull. */
      remoteVersion: string;
      /** Whether the write created the remote record (`false`: it updated one, or the archive was done). */
      created: boolean;
    }
  | { localId: string; ok: false; error: SyncFailure };

/** What a look-up of in-doubt creates found, per local id. */
export type LookupResult =
  | { state: 'found'; remoteId: string; remoteVersion: string }
  /** Certainly not on the remote (a consistent read found nothing): send it. */
  | { state: 'absent' }
  /** Can't tell yet (the search index may lag behind the write): ask again later, don't send. */
  | { state: 'unknown'; retryAfterMs: number };

/** A record read from the remote. */
export interface PulledRecord<E extends SyncEntity = SyncEntity> {
  entity: E;
  remoteId: string;
  /** Our id, when the remote record carries it (it was pushed by us, or linked). */
  localId?: string;
  /** The remote's version (HubSpot: `updatedAt`); the same value a push returned as `remoteVersion`. */
  remoteVersion: string;
  /** When the remote record was last changed (UTC ISO 8601): the conflict policy compares it to the local `updatedAt`. */
  updatedAt: string;
  createdAt: string;
  /** The record was archived (deleted) remotely: it becomes a local tombstone. */
  archived: boolean;
  /**
   * The record's fields the adapter maps, as local fields (`name`, `emails`, `channel`, …). Fields
   * left out are not touched locally. Ids of parents come as `links`, not here.
   */
  data: Partial<Omit<EntityRecords[E], 'id' | 'version' | 'createdAt' | 'updatedAt' | 'customerId' | 'complaintId'>>;
  /** The parents' remote ids (the contact a call or ticket is associated with). */
  links: RemoteLinks;
}

/** One page of a pull: saved, with its cursor, as one local write. */
export interface PullPage<E extends SyncEntity = SyncEntity> {
  records: PulledRecord<E>[];
  /** Where the next pull of this entity starts (opaque to the engine). */
  cursor: string;
}

/** What a remote's `setup` did: the properties or fields it created, and those that were there. */
export interface SetupReport {
  created: string[];
  existing: string[];
  /** Object types where a unique id property could not be made (so sends there are looked up when in doubt). */
  notUnique: string[];
}

/**
 * A remote CRM as the sync engine sees it. Methods never throw for one bad record: they return
 * its failure in the outcome. They throw for what stops the whole batch (the network, an expired
 * refresh token, a spent daily budget): a {@link SyncFailure}-carrying `CrmRemoteError`.
 */
export interface SyncRemote {
  /** A short name (`hubspot`): changes pulled from it are written with origin `sync:<name>`, which its own push skips. */
  readonly name: string;
  /** The most records one push or archive of this entity may carry (HubSpot: 100). */
  maxBatch(entity: SyncEntity): number;
  /**
   * Whether a send of this entity can be replayed safely: the remote upserts on a unique property
   * holding our id. When `false`, an in-doubt send (made, outcome unknown) is looked up with
   * {@link SyncRemote.lookup} before it is made again.
   */
  upserts(entity: SyncEntity): boolean;
  /**
   * The group a record is sent in, when one entity is written to several remote object types
   * (HubSpot: the engagement a touchpoint becomes, by channel). With it, the engine claims a few
   * batches' worth at once and hands {@link SyncRemote.push} up to `maxBatch` records **per key**,
   * holding back a group's remainder for the next round while more are queued, so a mix of
   * channels costs as few requests as sorted input would. Without it, `push` gets at most
   * `maxBatch` records.
   */
  batchKey?(entity: SyncEntity, record: EntityRecords[SyncEntity]): string;
  /** Creates or updates each input (upsert on our id where supported): at most `maxBatch` of them per {@link SyncRemote.batchKey}. */
  push(entity: SyncEntity, inputs: readonly PushInput[], options?: { signal?: AbortSignal }): Promise<PushOutcome[]>;
  /** Archives each input. An input already archived or gone is `ok`. */
  archive(entity: SyncEntity, inputs: readonly ArchiveInput[], options?: { signal?: AbortSignal }): Promise<PushOutcome[]>;
  /**
   * Looks up records whose send may or may not have happened (`sentAt`: when it was last
   * attempted), by our id. Only called for entities that don't {@link SyncRemote.upserts}.
   */
  lookup(entity: SyncEntity, inputs: readonly { input: PushInput; sentAt: string }[], options?: { signal?: AbortSignal }): Promise<Map<string, LookupResult>>;
  /** Reads the records changed since `cursor` (`null`: all of them), a page at a time, archived ones included. */
  pull(entity: SyncEntity, cursor: string | null, options?: { signal?: AbortSignal }): AsyncIterable<PullPage>;
  /** Creates what the adapter needs on the remote (our id property) when it is missing. */
  setup?(options?: { signal?: AbortSignal }): Promise<SetupReport>;
}

/** What the feed asks the queue to send: the newest version of one record. */
export interface QueueItem {
  entity: SyncEntity;
  localId: string;
  /** `upsert` to create or update it remotely, `delete` to archive it. */
  op: 'upsert' | 'delete';
  /** The record's local version this item carries (a newer one replaces it). */
  version: number;
  /** The feed position it came from. */
  seq: number;
}

/** A queued item as the queue holds it. */
export interface QueueEntry extends QueueItem {
  /** How many sends were attempted. */
  attempts: number;
  /** When a send was last attempted (the intent, written before the request), or `null` if never: a set `sentAt` without a mapping means "maybe sent". */
  sentAt: string | null;
  /** The last failure, if any. */
  lastError: SyncFailure | null;
  /** Not claimable before this time (backoff). */
  availableAt: string;
  /** `failed`: given up on (a permanent failure or attempts spent); kept for the report until the record changes again. */
  status: 'pending' | 'failed';
}

/** One line of the id map: a local record and its remote twin. */
export interface MapEntry {
  entity: SyncEntity;
  localId: string;
  remoteId: string;
  /** The local version last sent (or received). */
  localVersion: number;
  /** The remote version last sent or seen (to recognise echoes). */
  remoteVersion: string;
}

/**
 * Where a sync keeps its own state, in the local store: on `sqlStore` in tables beside the records
 * (it survives a crash), on the memory store in memory (for tests). Several workers may share one
 * (on SQL): a claim is exclusive until its lease ends. Every method is atomic.
 */
export interface SyncState {
  /** A cursor (`push` for the local feed's seq, `pull:<entity>` for the remote's), or `null`. */
  getCursor(key: string): Promise<string | null>;
  setCursor(key: string, value: string): Promise<void>;
  /**
   * Queues items and moves the cursor `key` from `from` to `to`, atomically, if and only if it is
   * still at `from` (another worker may have ingested the same feed page): returns `false` and
   * changes nothing otherwise. An item for a record already queued replaces it when its version
   * is newer (keeping `sentAt` and `attempts`, and making a `failed` entry `pending` again).
   */
  enqueue(items: readonly QueueItem[], cursor: { key: string; from: string | null; to: string }): Promise<boolean>;
  /**
   * Claims up to `limit` pending, available items of `entity` (oldest `seq` first) for `worker`
   * until `now + leaseMs`; items another worker holds under a live lease are skipped, never
   * waited for (SQL: `FOR UPDATE SKIP LOCKED`).
   */
  claim(options: { worker: string; entity: SyncEntity; limit: number; leaseMs: number; now: Date }): Promise<QueueEntry[]>;
  /** Records the intent: these claimed items are about to be sent (`sentAt = at`, `attempts + 1`). Written before the request. */
  markSent(worker: string, keys: readonly { entity: SyncEntity; localId: string }[], at: Date): Promise<void>;
  /**
   * Records sends that succeeded: saves each mapping and removes its queue item, unless a newer
   * version was queued meanwhile (that item stays, released, with `sentAt` cleared: the remote id
   * is known now).
   */
  complete(worker: string, done: readonly MapEntry[]): Promise<void>;
  /** Records failures: `retryAt` to try again then (released, `pending`), or `null` to give up (`failed`). */
  fail(worker: string, failures: readonly { entity: SyncEntity; localId: string; error: SyncFailure; retryAt: Date | null }[]): Promise<void>;
  /** Gives claimed items back, available again at `retryAt` (nothing learnt: a look-up said "unknown"). */
  release(worker: string, keys: readonly { entity: SyncEntity; localId: string }[], retryAt: Date): Promise<void>;
  /** Removes queue items outright (a delete of a record never sent). */
  drop(worker: string, keys: readonly { entity: SyncEntity; localId: string }[]): Promise<void>;
  /** The id map, by local ids. */
  mappings(entity: SyncEntity, localIds: readonly string[]): Promise<Map<string, MapEntry>>;
  /** The id map, by remote ids. */
  mappingsByRemote(entity: SyncEntity, remoteIds: readonly string[]): Promise<Map<string, MapEntry>>;
  /** Saves mappings (insert or replace, by entity and local id). */
  saveMappings(entries: readonly MapEntry[]): Promise<void>;
  /** Removes mappings (a record deleted on both sides). */
  removeMappings(entity: SyncEntity, localIds: readonly string[]): Promise<void>;
  /** Counts of the queue, by status, and how many pending items are in doubt (sent, not mapped). */
  queueStats(): Promise<{ pending: number; failed: number; inDoubt: number }>;
  /** The `failed` items, oldest first, at most `limit` (default 100). */
  failures(limit?: number): Promise<QueueEntry[]>;
}

/** A store that keeps a sync's state beside its records (`sqlStore` does): {@link createSync} finds it through this key. */
export const SYNC_STATE: unique symbol = Symbol.for('@crm/adapters/sync-state');

/** A store with sync state of its own: `store[SYNC_STATE](remoteName)`. */
export interface SyncStateHost {
  [SYNC_STATE](remote: string): SyncState;
}
