import type { SignalClassifier, SignalText, SignalVerdict } from './types.js';

/** Options of {@link batchClassifier}. */
export interface BatchClassifierOptions {
  /** A short name for messages. @default 'batch' */
  name?: string;
  /**
   * Classifies several texts in one call — an LLM prompt with a numbered list, a hosted
   * classifier's batch endpoint — and answers one verdict per input, in the same order.
   */
  classifyBatch(inputs: readonly SignalText[]): readonly SignalVerdict[] | Promise<readonly SignalVerdict[]>;
  /**
   * The most texts sent in one call; more wait for the next.
   * @default 20
   */
  maxBatch?: number;
  /**
   * How long (ms) to wait for more texts before calling. `0` gathers the texts asked about in the
   * same turn of the event loop — all of one `crm.touchpoints.logMany`.
   * @default 0
   */
  waitMs?: number;
}

/**
 * Turns a batched model call into a {@link SignalClassifier}: `classify` calls made together (as
 * `crm.touchpoints.logMany` makes them) go to `classifyBatch` as one list, at most `maxBatch` at
 * a time. If the call throws or answers the wrong number of verdicts, every text of that batch
 * fails, which leaves those touchpoints unflagged by their wording (the error goes to `error` handlers).
 *
 * @example
 * ```ts
 * const classifier = batchClassifier({
 *   name: 'my-llm',
 *   async classifyBatch(inputs) {
 *     const res = await fetch('https://model.example/classify', { method: 'POST', body: JSON.stringify(inputs.map((i) => ({ text: i.text, locale: i.locale }))) })
 *     const labels: { complaint: boolean; kind?: ComplaintKind; why: string }[] = await res.json()
 *     return labels.map((l) => ({ complaint: l.complaint, kind: l.kind, matches: [], reason: l.why }))
 *   },
 * })
 * createCrm({ signals: { classifier } })
 * ```
 */
export function batchClassifier(options: BatchClassifierOptions): SignalClassifier & { classify(input: SignalText): Promise<SignalVerdict> } {
  if (options === null || typeof options !== 'object' || typeof options.classifyBatch !== 'function') {
    throw new TypeError('batchClassifier: classifyBatch must be a function');
  }
  const { name = 'batch', classifyBatch, maxBatch = 20, waitMs = 0 } = options;
  if (!(Number.isInteger(maxBatch) && maxBatch >= 1)) throw new TypeError('batchClassifier: maxBatch must be a whole number, 1 or more');
  if (!(typeof waitMs === 'number' && waitMs >= 0)) throw new TypeError('batchClassifier: waitMs must be a number, 0 or more');
  // Timers without DOM or Node types: the core runs in browsers, Node and edge runtimes.
  const host = globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown };
  type Pending = { input: SignalText; resolve: (v: SignalVerdict) => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let scheduled = false;

  const run = async (batch: Pending[]) => {
    try {
      const verdicts = await classifyBatch(batch.map((p) => p.input));
      if (!Array.isArray(verdicts) || verdicts.length !== batch.length) {
        throw new TypeError(`batchClassifier(${name}): classifyBatch answered ${Array.isArray(verdicts) ? verdicts.length : 'no list of'} verdicts for ${batch.length} texts`);
      }
      batch.forEach((p, i) => p.resolve(verdicts[i]!));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };
  const flush = () => {
    scheduled = false;
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += maxBatch) void run(all.slice(i, i + maxBatch));
  };

  return {
    name,
    classify(input) {
      return new Promise<SignalVerdict>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        if (waitMs > 0) host.setTimeout(flush, waitMs);
        else void Promise.resolve().then(flush);
      });
    },
  };
}
