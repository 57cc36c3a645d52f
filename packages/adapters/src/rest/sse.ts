import type { Change, CrmStore } from '@crm/core';

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

/**
 * The sequence of the last change in `store`'s feed, found with O(log n) reads of one change each
 * (galloping, then bisecting): what a new stream starts after. Works with gaps in the feed too.
 */
export async function feedEnd(store: CrmStore): Promise<number> {
  const hasAfter = async (seq: number) => (await store.changes({ since: seq, limit: 1 })).changes.length > 0;
  if (!(await hasAfter(0))) return 0;
  let low = 0; // a seq with changes after it
  let high = 1;
  while (await hasAfter(high)) {
    low = high;
    high = Math.min(high * 2, Number.MAX_SAFE_INTEGER);
  }
  // Changes follow `low` but none follow `high`: the last one is in (low, high].
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (await hasAfter(mid)) low = mid;
    else high = mid;
  }
  return high;
}

const encoder = new TextEncoder();

/**
 * The change feed of one tenant's store as a Server-Sent Events body:
 *
 * - `event: ready` first, once the stream listens, with `id:` the sequence it starts after;
 * - then the changes after `since` read from the feed (`event: changes`, up to 100 a message),
 * - then one `event: changes` per atomic write as it happens (from `store.subscribe`, or from
 *   polling `store.changes` when the store can't push), each with `id:` = its last `seq`, so
 *   `Last-Event-ID` resumes exactly where the client stopped;
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
        const emit = (changes: readonly Change[]) => {
          const fresh = changes.filter((change) => change.seq > last);
          if (fresh.length === 0) return;
          last = fresh[fresh.length - 1]!.seq;
          send(`event: changes\nid: ${last}\ndata: ${JSON.stringify(fresh)}\n\n`);
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
        if (typeof store.subscribe === 'function') {
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
            for (;;) {
              const page = await store.changes({ since: last, limit: 1000 });
              if (stopped || page.changes.length === 0) break;
              emit(page.changes);
            }
          } catch (error) {
            return fail(error);
          }
          if (!stopped) poll = setTimeout(pollOnce, pollIntervalMs);
        };

        /** Replays the feed after `last`, then what the subscription heard meanwhile, then goes live. */
        const catchUp = async () => {
          for (let pass = 0; ; pass++) {
            let found = false;
            for (;;) {
              const page = await store.changes({ since: last, limit: REPLAY_PAGE });
              if (stopped || page.changes.length === 0) break;
              emit(page.changes);
              found = true;
            }
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
