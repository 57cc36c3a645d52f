/**
 * The SLA scheduler's queue (sla/heap.ts), against a sorted array: mutants Stryker found
 * surviving (`npm run mutate -- sla`), as the scheduler's tests rarely hold more than a few
 * deadlines at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../sla/heap.js';

describe('MinHeap', () => {
  it('pops keys in order, with their values, for any pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 200 }), (ops) => {
        const heap = new MinHeap<string>();
        const model: { key: number; value: string }[] = [];
        ops.forEach((op, n) => {
          if (op === -1) {
            model.sort((a, b) => a.key - b.key);
            const popped = heap.pop();
            const want = model.shift();
            if (want === undefined) expect(popped).toBeUndefined();
            else {
              expect(popped!.key).toBe(want.key);
              // Equal keys may come in any order: the value must be one pushed with that key.
              const same = [want, ...model.filter((m) => m.key === want.key)];
              const at = same.findIndex((m) => m.value === popped!.value);
              expect(at).toBeGreaterThanOrEqual(0);
              if (at > 0) {
                // Keep the model in step with what the heap gave.
                model.splice(model.indexOf(same[at]!), 1, want);
              }
            }
          } else {
            heap.push(op, `v${n}`);
            model.push({ key: op, value: `v${n}` });
          }
          expect(heap.size).toBe(model.length);
          const min = model.length ? Math.min(...model.map((m) => m.key)) : undefined;
          expect(heap.peek()?.key).toBe(min);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('drains a shuffled thousand in order; pop and peek of an empty heap are undefined; clear empties it', () => {
    const heap = new MinHeap<number>();
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
    const keys = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    for (const k of keys) heap.push(k, k * 10);
    const out: number[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) {
      expect(x.value).toBe(x.key * 10);
      out.push(x.key);
    }
    expect(out).toEqual([...keys].sort((a, b) => a - b));
    heap.push(3, 30);
    heap.push(1, 10);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    heap.push(2, 20);
    expect(heap.pop()).toEqual({ key: 2, value: 20 });
  });
});
