import { isCrmError, type Change, type CrmFeedExpiredError, type CrmStore } from '@crm/core';

/** Options of {@link changeStream}. */
export interface ChangeStreamOptions {
  /** Resume after this feed sequence; `undefined` starts at the end of the feed (only new writes). */
  since: number | undefined;
  /** Aborted when the client goes away: the stream stops and lets go of the store. */
  signal: AbortSignal;
  /** Milliseconds between two heartbeat comments. */
  heartbeatMs: number;
  /** Milliseconds between two reads of the feed, for stores without `subscribe`. */
  pollIntervalMs: number;
  /** Bytes a slow client may leave unread before the stream is dropped (it resumes from the feed). */
  maxBufferedBytes: number;
  /** Told about a failure of the store while streaming (the stream ends; the client reconnects). */
  onError: (error: unknown) => void;
}

/** The page size of replays from the feed. */
const REPLAY_PAGE = 100;

/** The sequence of the last change in `store`'s feed: what a new stream starts after. */
export async function feedEnd(store: CrmStore): Promise<number> {
  try {
    return (await store.changes({ since: 0, limit: 1 })).head;
  } catch (error) {
    // The feed's start is past its horizon: the error says where it ends.
    if (isCrmError(error, 'FEED_EXPIRED')) return (error as CrmFeedExpiredError).lastSeq;
    throw error;
  }
}

/** Changes cut into whole writes (by `writeId`); a write cut off at the end of a page is left over. */
export function wholeWrites(changes: readonly Change[]): { writes: Change[][]; rest: Change[] } {
  const writes: Change[][] = [];
  let current: Change[] = [];
  for (const change of changes) {
    if (current.length > 0 && change.writeId !== current[0]!.writeId) {
      writes.push(current);
      current = [];
    }
    current.push(change);
  }
  const last = current[current.length - 1];
  if (last && last.seq === last.writeId) {
    writes.push(current);
    current = [];
  }
  return { writes, rest: current };
}

const encoder = new TextEncoder();

/**
 * The change feed of one tenant's store as a Server-Sent Events body:
 *
 * - `event: ready` first, once the stream listens, with `id:` the sequence it starts after;
 * - then the changes after `since` read from the feed, then those of each atomic write as it
 *   happens (from `store.subscribe`, or from polling `store.changes` when the store can't push):
 *   one `event: changes` per atomic write, always, with `id:` = its `writeId` (the seq of its
 *   last change), so `Last-Event-ID` resumes exactly where the client stopped, at a write's end;
 * - a `: heartbeat` comment every `heartbeatMs` keeps proxies from closing a quiet stream.
 *
 * Everything stops when `signal` aborts or the client cancels the body.
 */
export function changeStream(store: CrmStore, options: ChangeStreamOptions): ReadableStream<Uint8Array> {
  const { signal, heartbeatMs, pollIntervalMs, maxBufferedBytes } = options;
  let stop = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let stopped = false;
        let last = 0;
        let live = false;
        const pending: (readonly Change[])[] = [];
        let unsubscribe: (() => void) | undefined;
        let heartbeat: ReturnType<typeof setInterval> | undefined;
        let poll: ReturnType<typeof setTimeout> | undefined;

        stop = () => {
          if (stopped) return;
          stopped = true;
          unsubscribe?.();
          clearInterval(heartbeat);
          clearTimeout(poll);
          signal.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          stop();
          try {
            controller.close();
          } catch {
            // Already closed or errored.
          }
        };
        signal.addEventListener('abort', onAbort);

        const send = (text: string) => {
          if (stopped) return;
          controller.enqueue(encoder.encode(text));
          // A client that stopped reading: drop it rather than buffer without end; it resumes with Last-Event-ID.
          if ((controller.desiredSize ?? 0) < -maxBufferedBytes) onAbort();
        };
        /** Sends one atomic write's changes (those not sent yet). */
        const emit = (changes: readonly Change[]) => {
          const fresh = changes.filter((change) => change.seq > last);
          if (fresh.length === 0) return;
          last = fresh[fresh.length - 1]!.seq;
          send(`event: changes\nid: ${last}\ndata: ${JSON.stringify(fresh)}\n\n`);
        };
        /** Reads the feed after `last` to its end, sending each whole write as one event. Resolves to whether any came. */
        const replay = async (pageSize: number) => {
          let found = false;
          let carried: Change[] = [];
          let since = last;
          for (;;) {
            const page = await store.changes({ since, limit: pageSize });
            if (stopped || page.changes.length === 0) break;
            since = page.lastSeq;
            const { writes, rest } = wholeWrites([...carried, ...page.changes]);
            for (const write of writes) emit(write);
            carried = rest;
            found = true;
          }
          return found;
        };
        const fail = (error: unknown) => {
          if (stopped) return;
          options.onError(error);
          stop();
          try {
            controller.close();
          } catch {
            // Already closed.
          }
        };

        if (signal.aborted) return onAbort();
        /** Whether `changes` would leave a hole in the stream: a change after `last` is missing before them. */
        const leavesGap = (changes: readonly Change[]) => {
          const first = changes.find((change) => change.seq > last);
          return first !== undefined && first.seq > last + 1;
        };
        if (store.capabilities.subscribe && typeof store.subscribe === 'function') {
          unsubscribe = store.subscribe((changes) => {
            if (live && !leavesGap(changes)) return emit(changes);
            pending.push(changes);
            // A store may not hear every write at once (another process wrote while its
            // subscription started): read what it missed from the feed first.
            if (live) {
              live = false;
              void catchUp().catch(fail);
            }
          });
        }
        heartbeat = setInterval(() => send(': heartbeat\n\n'), heartbeatMs);

        const pollOnce = async () => {
          poll = undefined;
          try {
            await replay(1000);
          } catch (error) {
            return fail(error);
          }
          if (!stopped) poll = setTimeout(pollOnce, pollIntervalMs);
        };

        /** Replays the feed after `last`, then what the subscription heard meanwhile, then goes live. */
        const catchUp = async () => {
          for (let pass = 0; ; pass++) {
            const found = await replay(REPLAY_PAGE);
            if (stopped) return;
            // Heard changes go out in order. One that leaves a hole waits for another replay,
            // unless that replay found nothing more in the feed: then it goes as it is.
            while (pending.length > 0 && (!leavesGap(pending[0]!) || (pass > 0 && !found))) emit(pending.shift()!);
            if (pending.length === 0) break;
          }
          live = true;
        };

        void (async () => {
          try {
            last = options.since ?? (await feedEnd(store));
            if (stopped) return;
            send(`retry: 1000\nevent: ready\nid: ${last}\ndata: ${JSON.stringify({ lastSeq: last })}\n\n`);
            // Replay what the client missed, then what arrived meanwhile, then go live.
            await catchUp();
            if (stopped) return;
            if (!unsubscribe) poll = setTimeout(pollOnce, pollIntervalMs);
          } catch (error) {
            fail(error);
          }
        })();
      },
      cancel() {
        stop();
      },
    },
    // Queued bytes, not chunks, are what `maxBufferedBytes` bounds.
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}
