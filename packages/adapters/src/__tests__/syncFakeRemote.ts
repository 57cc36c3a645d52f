/**
 * An in-memory remote CRM with the semantics the sync engine must cope with, for the engine's own
 * tests (the HubSpot adapter is tested against the HubSpot mock): customers and complaints upsert
 * on our id (a replay updates), touchpoints can only be created (a replay duplicates), a look-up is
 * consistent but says "unknown" for sends younger than `settleMs`, records with `REJECT` in their
 * name fail validation, and faults throw before or after the write was applied.
 */
import { CrmRemoteError } from '@crm/core';
import type {
  ArchiveInput,
  LookupResult,
  PulledRecord,
  PullPage,
  PushInput,
  PushOutcome,
  SyncEntity,
  SyncRemote,
} from '../sync/contract.js';

export interface FakeRecord {
  remoteId: string;
  entity: SyncEntity;
  localId: string | undefined;
  data: Record<string, unknown>;
  links: { customer?: string; complaint?: string };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** Change counter, for pulls. */
  tick: number;
}

export interface FakeFault {
  /** Applies the write, then throws (the response was lost). */
  afterCommit: boolean;
}

export function fakeRemote(options: { settleMs?: number; now?: () => number } = {}) {
  const settleMs = options.settleMs ?? 1000;
  const clock = options.now ?? Date.now;
  const records = new Map<string, FakeRecord>();
  const faults: FakeFault[] = [];
  let nextId = 1000;
  let tick = 0;
  let lastTime = 0;
  const calls: { method: string; entity: SyncEntity; count: number }[] = [];
  const stamp = () => {
    lastTime = Math.max(lastTime + 1, clock());
    return new Date(lastTime).toISOString();
  };
  const byLocal = (entity: SyncEntity, localId: string) => [...records.values()].filter((r) => r.entity === entity && r.localId === localId && !r.archived);

  const dataOf = (input: PushInput): Record<string, unknown> => {
    const record = input.record as unknown as Record<string, unknown>;
    if (input.entity === 'customers') return { name: record.name, emails: record.emails, kind: record.kind };
    if (input.entity === 'complaints') return { subject: record.subject, status: record.status, priority: record.priority };
    return { channel: record.channel, direction: record.direction, occurredAt: record.occurredAt, summary: record.summary };
  };

  function write(input: PushInput): PushOutcome {
    const data = dataOf(input);
    if (typeof data.name === 'string' && data.name.includes('REJECT')) {
      return { localId: input.localId, ok: false, error: { status: 400, code: 'VALIDATION_ERROR', message: 'Property values were not valid: name', retryable: false, hint: 'fix the name' } };
    }
    let target: FakeRecord | undefined = input.remoteId ? records.get(input.remoteId) : undefined;
    if (!target && input.entity !== 'touchpoints') target = byLocal(input.entity, input.localId)[0];
    const updatedAt = stamp();
    if (target) {
      Object.assign(target, { data, links: input.links, updatedAt, tick: ++tick });
      return { localId: input.localId, ok: true, remoteId: target.remoteId, remoteVersion: updatedAt, created: false };
    }
    const remoteId = String(nextId++);
    records.set(remoteId, { remoteId, entity: input.entity, localId: input.localId, data, links: input.links, createdAt: updatedAt, updatedAt, archived: false, tick: ++tick });
    return { localId: input.localId, ok: true, remoteId, remoteVersion: updatedAt, created: true };
  }

  const remote: SyncRemote = {
    name: 'fake',
    maxBatch: () => 100,
    upserts: (entity) => entity !== 'touchpoints',
    async push(entity, inputs) {
      calls.push({ method: 'push', entity, count: inputs.length });
      if (inputs.length > 100) throw new Error('more than 100 inputs');
      const fault = faults.shift();
      if (fault && !fault.afterCommit) throw new CrmRemoteError('fake: 503', { status: 503, retryable: true });
      const outcomes = inputs.map(write);
      if (fault) throw new CrmRemoteError('fake: 504 after commit', { status: 504, retryable: true });
      return outcomes.reverse(); // not in input order, like HubSpot
    },
    async archive(entity, inputs: readonly ArchiveInput[]) {
      calls.push({ method: 'archive', entity, count: inputs.length });
      const fault = faults.shift();
      if (fault && !fault.afterCommit) throw new CrmRemoteError('fake: 503', { status: 503, retryable: true });
      const outcomes: PushOutcome[] = inputs.map((input) => {
        const record = records.get(input.remoteId);
        const updatedAt = stamp();
        if (record && !record.archived) Object.assign(record, { archived: true, updatedAt, tick: ++tick });
        return { localId: input.localId, ok: true, remoteId: input.remoteId, remoteVersion: updatedAt, created: false };
      });
      if (fault) throw new CrmRemoteError('fake: 504 after commit', { status: 504, retryable: true });
      return outcomes;
    },
    async lookup(entity, inputs) {
      calls.push({ method: 'lookup', entity, count: inputs.length });
      const result = new Map<string, LookupResult>();
      for (const { input, sentAt } of inputs) {
        const found = byLocal(entity, input.localId)[0];
        if (found) result.set(input.localId, { state: 'found', remoteId: found.remoteId, remoteVersion: found.updatedAt });
        else if (clock() - Date.parse(sentAt) < settleMs) result.set(input.localId, { state: 'unknown', retryAfterMs: settleMs });
        else result.set(input.localId, { state: 'absent' });
      }
      return result;
    },
    async *pull(entity, cursor): AsyncIterable<PullPage> {
      calls.push({ method: 'pull', entity, count: 0 });
      const since = cursor === null ? 0 : Number(cursor);
      const changed = [...records.values()].filter((r) => r.entity === entity && r.tick > since).sort((a, b) => a.tick - b.tick);
      for (let i = 0; i < changed.length; i += 50) {
        const page = changed.slice(i, i + 50);
        yield {
          records: page.map(
            (r): PulledRecord => ({
              entity,
              remoteId: r.remoteId,
              ...(r.localId ? { localId: r.localId } : {}),
              remoteVersion: r.updatedAt,
              updatedAt: r.updatedAt,
              createdAt: r.createdAt,
              archived: r.archived,
              data: r.data as PulledRecord['data'],
              links: r.links,
            }),
          ),
          cursor: String(page[page.length - 1]!.tick),
        };
      }
    },
  };

  return {
    remote,
    records,
    calls,
    /** Queue faults for the next requests, in order. */
    fault(...next: FakeFault[]) {
      faults.push(...next);
    },
    live(entity: SyncEntity) {
      return [...records.values()].filter((r) => r.entity === entity && !r.archived);
    },
    /** A change made in the remote CRM by someone else. */
    edit(remoteId: string, data: Record<string, unknown>) {
      const record = records.get(remoteId)!;
      Object.assign(record, { data: { ...record.data, ...data }, updatedAt: stamp(), tick: ++tick });
    },
    create(entity: SyncEntity, data: Record<string, unknown>, links: FakeRecord['links'] = {}) {
      const remoteId = String(nextId++);
      const at = stamp();
      records.set(remoteId, { remoteId, entity, localId: undefined, data, links, createdAt: at, updatedAt: at, archived: false, tick: ++tick });
      return remoteId;
    },
    archive(remoteId: string) {
      Object.assign(records.get(remoteId)!, { archived: true, updatedAt: stamp(), tick: ++tick });
    },
  };
}
