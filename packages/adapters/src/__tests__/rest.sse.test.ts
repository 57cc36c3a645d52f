import { memoryStore, type Change, type CrmStore } from '@crm/core';
import { createOp, makeCustomer, nextVersion, updateOp } from '@crm/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRestHandler, readServerSentEvents, restStore, type ServerSentEvent } from '../rest/index.js';
import { feedEnd } from '../rest/sse.js';
import { perTenant, startRestServer, type RestServer } from './restServer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A memoryStore that counts its live subscriptions; `withoutSubscribe` leaves the method out (polling). */
function countingStore({ withoutSubscribe = false } = {}) {
  const inner = memoryStore();
  const state = { subscribed: 0 };
  const store: CrmStore = {
    kind: 'counting',
    capabilities: { ...inner.capabilities, subscribe: !withoutSubscribe },
    get: (entity, id) => inner.get(entity, id),
    list: (entity, query) => inner.list(entity, query),
    write: (ops, options) => inner.write(ops, options),
    history: (id, query) => inner.history(id, query),
    changes: (query) => inner.changes(query),
    close: () => inner.close(),
    ...(withoutSubscribe
      ? {}
      : {
          subscribe(listener: (changes: readonly Change[]) => void) {
            state.subscribed++;
            const stop = inner.subscribe!(listener);
            return () => {
              state.subscribed--;
              stop();
            };
          },
        }),
  };
  return { store, state };
}

async function serve(store: CrmStore, options: { heartbeatMs?: number; pollIntervalMs?: number } = {}): Promise<RestServer> {
  const server = await startRestServer(store, options);
  cleanups.push(() => server.close());
  return server;
}

/** Opens the change stream and collects its messages. */
async function listen(server: RestServer, headers: Record<string, string> = {}, query = '') {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/changes/stream${query}`, { headers: { ...server.headersOf('t'), ...headers }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const received: ServerSentEvent[] = [];
  void (async () => {
    try {
      for await (const message of readServerSentEvents(response.body!)) received.push(message);
    } catch {
      // Aborted.
    }
  })();
  const close = () => abort.abort();
  cleanups.push(close);
  return { received, close, changes: () => received.filter((m) => m.event === 'changes') };
}

const until = async (check: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const seqsOf = (message: ServerSentEvent) => (JSON.parse(message.data) as Change[]).map((c) => c.seq);

describe('the change stream', () => {
  it('starts with `ready` at the end of the feed, then sends one event per atomic write with id = its last seq', async () => {
    const { store } = countingStore();
    const server = await serve(store);
    await store.write([createOp('customers', makeCustomer()), createOp('customers', makeCustomer())]);
    const stream = await listen(server);
    await until(() => stream.received.length === 1);
    expect(stream.received[0]).toEqual({ event: 'ready', id: '2', data: '{"lastSeq":2}' });
    const c = makeCustomer();
    await store.write([createOp('customers', c)]);
    await store.write([updateOp('customers', nextVersion(c)), createOp('customers', makeCustomer())]);
    await until(() => stream.changes().length === 2);
    expect(stream.changes().map((m) => [m.id, seqsOf(m)])).toEqual([
      ['3', [3]],
      ['5', [4, 5]],
    ]);
    const [update] = JSON.parse(stream.changes()[1]!.data) as Change[];
    expect(update).toMatchObject({ seq: 4, entity: 'customers', op: 'update', id: c.id, version: 2 });
  });

  it('resumes after Last-Event-ID (or ?since=): the missed changes from the feed first, then live, without repeats', async () => {
    const { store } = countingStore();
    const server = await serve(store);
    for (let i = 0; i < 5; i++) await store.write([createOp('customers', makeCustomer({ name: `c${i}` }))]);
    const resumed = await listen(server, { 'last-event-id': '2' });
    const bySince = await listen(server, {}, '?since=4');
    await until(() => resumed.changes().length === 3 && bySince.changes().length === 1);
    expect(resumed.received[0]).toMatchObject({ event: 'ready', id: '2' });
    // One message per atomic write, replayed or live.
    expect(resumed.changes().map(seqsOf)).toEqual([[3], [4], [5]]);
    expect(bySince.changes().map(seqsOf)).toEqual([[5]]);
    await store.write([createOp('customers', makeCustomer())]);
    await until(() => resumed.changes().length === 4 && bySince.changes().length === 2);
    expect(resumed.changes().map((m) => m.id)).toEqual(['3', '4', '5', '6']);
    expect(bySince.changes().map(seqsOf)).toEqual([[5], [6]]);
  });

  it('refuses a resume position the feed never had (400) or no longer holds (410) before the stream starts', async () => {
    const store = memoryStore({ feedRetention: 1 });
    const server = await serve(store);
    for (let i = 0; i < 3; i++) await store.write([createOp('customers', makeCustomer())]);
    const ahead = await fetch(`${server.url}/changes/stream`, { headers: { ...server.headersOf('t'), 'last-event-id': '4' } });
    expect(ahead.status).toBe(400);
    expect(ahead.headers.get('content-type')).toBe('application/problem+json');
    expect(((await ahead.json()) as { detail: string }).detail).toMatch(/beyond the end of the feed/);
    expect((await fetch(`${server.url}/changes/stream?since=99`, { headers: server.headersOf('t') })).status).toBe(400);
    const expired = await fetch(`${server.url}/changes/stream`, { headers: { ...server.headersOf('t'), 'last-event-id': '0' } });
    expect(expired.status).toBe(410);
    await expired.body?.cancel();
  });

  it("a stream resumed with another tenant's larger id is a 400, never a stream that skips this tenant's first changes", async () => {
    const server = await startRestServer(perTenant(() => memoryStore()));
    cleanups.push(() => server.close());
    const a = restStore({ baseUrl: server.url, headers: server.headersOf('a') });
    cleanups.push(() => a.close());
    for (let i = 0; i < 5; i++) await a.write([createOp('customers', makeCustomer())]);
    const b = restStore({ baseUrl: server.url, headers: server.headersOf('b') });
    cleanups.push(() => b.close());
    await b.write([createOp('customers', makeCustomer())]);
    // Tenant b's feed ends at 1; an id of tenant a's feed (5) is not a position in it.
    const resumed = await fetch(`${server.url}/changes/stream`, { headers: { ...server.headersOf('b'), 'last-event-id': '5' } });
    expect(resumed.status).toBe(400);
    await resumed.body?.cancel();
    const own = await listen(server, { authorization: server.headersOf('b').authorization!, 'last-event-id': '0' });
    await until(() => own.changes().length === 1);
    expect(own.changes().map(seqsOf)).toEqual([[1]]);
  });

  it('replays a long gap write by write: a write larger than a feed page is one message, whole', async () => {
    const { store } = countingStore();
    const server = await serve(store);
    await store.write([createOp('customers', makeCustomer())]);
    await store.write(Array.from({ length: 250 }, () => createOp('customers', makeCustomer())));
    await store.write(Array.from({ length: 99 }, () => createOp('customers', makeCustomer())));
    await store.write([createOp('customers', makeCustomer())]);
    const stream = await listen(server, { 'last-event-id': '0' });
    await until(() => stream.changes().length === 4);
    expect(stream.changes().map((m) => [m.id, seqsOf(m).length])).toEqual([
      ['1', 1],
      ['251', 250],
      ['350', 99],
      ['351', 1],
    ]);
  });

  it('sends heartbeat comments', async () => {
    const server = await serve(memoryStore(), { heartbeatMs: 20 });
    const response = await fetch(`${server.url}/changes/stream`, { headers: server.headersOf('t') });
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/: heartbeat\n\n/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/^retry: 1000\nevent: ready\nid: 0\ndata: \{"lastSeq":0\}\n\n(: heartbeat\n\n)+$/);
  });

  it('lets go of the store when the client goes away (over node:http), and when a direct caller cancels', async () => {
    const { store, state } = countingStore();
    const server = await serve(store);
    const stream = await listen(server);
    await until(() => stream.received.length === 1);
    expect(state.subscribed).toBe(1);
    stream.close();
    await until(() => state.subscribed === 0);

    const handler = createRestHandler({ store, authorize: () => ({ tenant: 't' }) });
    const abort = new AbortController();
    const response = await handler(new Request('http://crm.test/changes/stream', { signal: abort.signal }));
    const reader = response.body!.getReader();
    await reader.read();
    expect(state.subscribed).toBe(1);
    abort.abort();
    await until(() => state.subscribed === 0);
    const second = await handler(new Request('http://crm.test/changes/stream'));
    await second.body!.getReader().cancel();
    expect(state.subscribed).toBe(0);
  });

  it('polls the feed for stores without subscribe', async () => {
    const { store, state } = countingStore({ withoutSubscribe: true });
    const server = await serve(store, { pollIntervalMs: 10 });
    await store.write([createOp('customers', makeCustomer())]);
    const stream = await listen(server);
    await until(() => stream.received.length === 1);
    expect(stream.received[0]!.id).toBe('1');
    await store.write([createOp('customers', makeCustomer()), createOp('customers', makeCustomer())]);
    await until(() => stream.changes().length === 1);
    expect(stream.changes().map((m) => [m.id, seqsOf(m)])).toEqual([['3', [2, 3]]]);
    expect(state.subscribed).toBe(0);
  });

  it('a store failure while streaming ends the stream and reaches onError', async () => {
    const broken = { ...memoryStore(), subscribe: undefined, changes: () => Promise.reject(new Error('feed unavailable')) } as CrmStore;
    const onError = vi.fn();
    const handler = createRestHandler({ store: broken, authorize: () => ({ tenant: 't' }), onError });
    const response = await handler(new Request('http://crm.test/changes/stream'));
    expect(await response.text()).toBe('');
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'feed unavailable' }), expect.any(Request));
  });
});

describe('feedEnd', () => {
  it('finds the last seq with a logarithmic number of one-change reads', async () => {
    const store = memoryStore();
    const reads = vi.spyOn(store, 'changes');
    expect(await feedEnd(store)).toBe(0);
    for (const size of [1, 2, 3, 64, 65, 1000]) {
      const now = await feedEnd(store);
      await store.write(Array.from({ length: size - now }, () => createOp('customers', makeCustomer())).slice(0, Math.max(0, size - now)));
      reads.mockClear();
      expect(await feedEnd(store)).toBe(size);
      expect(reads.mock.calls.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size + 1)) + 2);
    }
  });
});

describe('restStore.subscribe', () => {
  it('reconnects after a dropped connection and resumes from the last event: nothing lost, nothing twice', async () => {
    const store = memoryStore();
    const server = await serve(store);
    const client = restStore({ baseUrl: server.url, headers: server.headersOf('t'), retry: { baseMs: 5, maxMs: 20 } });
    cleanups.push(() => client.close());
    const heard: Change[][] = [];
    const stop = client.subscribe!((changes) => heard.push([...changes]));
    const first = makeCustomer();
    await client.write([createOp('customers', first)]);
    await until(() => heard.length === 1);

    server.server.closeAllConnections(); // drops the stream (and idle keep-alive sockets)
    const missed = makeCustomer();
    await store.write([createOp('customers', missed)]); // written while the client is away
    await until(() => heard.length === 2);
    const after = makeCustomer();
    await client.write([createOp('customers', after)]);
    await until(() => heard.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(heard.map((changes) => changes.map((c) => [c.seq, c.id]))).toEqual([[[1, first.id]], [[2, missed.id]], [[3, after.id]]]);
    stop();
  });

  it('stops the stream when the last listener goes, and on close', async () => {
    const { store, state } = countingStore();
    const server = await serve(store);
    const client = restStore({ baseUrl: server.url, headers: server.headersOf('t') });
    const stopA = client.subscribe!(() => {});
    const stopB = client.subscribe!(() => {});
    await until(() => state.subscribed === 1);
    stopA();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(state.subscribed).toBe(1);
    stopB();
    await until(() => state.subscribed === 0);
    client.subscribe!(() => {});
    await until(() => state.subscribed === 1);
    await client.close();
    await until(() => state.subscribed === 0);
    expect(() => client.subscribe!(() => {})).toThrow('closed');
  });
});
