import { CrmValidationError, type Change, type Crm, type CrmStore } from '@crm/core';
import { readServerSentEvents } from '../sseParser.js';
import { changeStream } from '../sse.js';
import { visibleChanges, type CrmPrincipal } from './access.js';

/** Options of {@link eventStream}. */
export interface EventStreamOptions {
  /** Resume after this feed position; `undefined` starts at the end of the feed. */
  since: number | undefined;
  signal: AbortSignal;
  heartbeatMs: number;
  pollIntervalMs: number;
  onError(error: unknown): void;
}

const encoder = new TextEncoder();

/**
 * The feed of a CRM as `changeStream` reads a store's: replays from `crm.store.changes`, live
 * writes from `crm.subscribe` (the CRM's one shared subscription, so a thousand open streams
 * cost the store one).
 */
function feedOf(crm: Crm): CrmStore {
  const store = crm.store;
  const unused = () => Promise.reject(new TypeError('eventStream: only the feed of the CRM is read'));
  return {
    kind: store.kind,
    capabilities: { ...store.capabilities, subscribe: true },
    get: unused,
    list: unused,
    history: unused,
    write: unused,
    changes: (query) => store.changes(query),
    subscribe: (listener) => crm.subscribe(listener),
    close: async () => {},
  };
}

/**
 * The sequence a reconnecting stream asks to resume after (`Last-Event-ID`), if it sent one;
 * else the `since` query parameter.
 */
export function resumePosition(request: Request, since: unknown): number | undefined {
  const header = request.headers.get('last-event-id')?.trim();
  if (header === undefined || header === '') return since as number | undefined;
  if (!/^\d{1,15}$/.test(header)) {
    throw CrmValidationError.field('Last-Event-ID header', ['Last-Event-ID'], 'must be the id of an event of this stream (a whole number)');
  }
  return Number(header);
}

/**
 * The live changes a principal may see, as a Server-Sent Events body (the format of the store
 * handler's change stream: `ready`, then one `changes` message per atomic write, `id` its write
 * id). Staff get the stream as it is. For a customer each write is cut to the changes of their
 * own complaints, as they see them; a write with none of those is not sent, and instead an
 * `event: position` message (at most one per heartbeat) carries the position on, so that a
 * customer who reconnects resumes from where the feed is, not from their last complaint's change.
 */
export function eventStream(crm: Crm, principal: CrmPrincipal, options: EventStreamOptions): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) stop.abort();
  const source = changeStream(feedOf(crm), {
    since: options.since,
    signal: stop.signal,
    heartbeatMs: options.heartbeatMs,
    pollIntervalMs: options.pollIntervalMs,
    maxBufferedBytes: 8 * 1_048_576,
    onError: options.onError,
  });
  if (principal.kind === 'staff') return source;

  const messages = readServerSentEvents(source)[Symbol.asyncIterator]();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let skipped: string | undefined;
  const finish = () => {
    clearInterval(heartbeat);
    options.signal.removeEventListener('abort', onAbort);
    stop.abort();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        heartbeat = setInterval(() => {
          const text = skipped === undefined ? ': heartbeat\n\n' : `event: position\nid: ${skipped}\ndata: {"lastSeq":${skipped}}\n\n`;
          skipped = undefined;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        }, options.heartbeatMs);
      },
      async pull(controller) {
        for (;;) {
          const next = await messages.next().catch(() => ({ done: true as const, value: undefined }));
          if (next.done) {
            finish();
            controller.close();
            return;
          }
          const { event, data, id } = next.value;
          let text = data;
          if (event === 'changes') {
            const visible = visibleChanges(principal, JSON.parse(data) as Change[]);
            if (visible.length === 0) {
              skipped = id;
              continue;
            }
            skipped = undefined;
            text = JSON.stringify(visible);
          }
          const retry = event === 'ready' ? 'retry: 1000\n' : '';
          controller.enqueue(encoder.encode(`${retry}event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${text}\n\n`));
          return;
        }
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: 0 },
  );
}
