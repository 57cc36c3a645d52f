import { describe, expect, it, vi } from 'vitest';
import { batchClassifier, type SignalText, type SignalVerdict } from '../signals/index.js';
import { setup } from './helpers.js';

const verdict = (text: string): SignalVerdict => (text.includes('bad') ? { complaint: true, kind: 'sentiment', matches: ['bad'], reason: 'model: bad' } : { complaint: false, matches: [] });

describe('batchClassifier', () => {
  it('sends the texts of one crm.touchpoints.logMany to the model in one call, at most maxBatch at a time', async () => {
    const classifyBatch = vi.fn(async (inputs: readonly SignalText[]) => inputs.map((i) => verdict(i.text)));
    const { crm } = setup({ signals: { classifier: batchClassifier({ classifyBatch, maxBatch: 4 }) } });
    const ada = await crm.customers.create({ name: 'Ada', locale: 'en' });
    const logged = await crm.touchpoints.logMany(
      Array.from({ length: 10 }, (_, i) => ({ customerId: ada.id, channel: 'call' as const, direction: 'inbound' as const, summary: i % 3 ? `fine ${i}` : `bad ${i}` })),
    );
    expect(classifyBatch.mock.calls.map(([inputs]) => inputs.length)).toEqual([4, 4, 2]);
    expect(classifyBatch.mock.calls[0]![0][0]).toMatchObject({ text: 'bad 0', locale: 'en' });
    expect(logged.map((t) => t.signal?.reasons ?? null)).toEqual(logged.map((_, i) => (i % 3 ? null : ['model: bad'])));
  });

  it('waits waitMs for more texts when asked; each classify answers its own verdict', async () => {
    vi.useFakeTimers();
    try {
      const classifyBatch = vi.fn((inputs: readonly SignalText[]) => inputs.map((i) => verdict(i.text)));
      const c = batchClassifier({ classifyBatch, waitMs: 20 });
      const input = (text: string) => ({ text, locale: undefined, touchpoint: {} as never });
      const a = c.classify(input('bad one'));
      await vi.advanceTimersByTimeAsync(10);
      const b = c.classify(input('good one'));
      await vi.advanceTimersByTimeAsync(10);
      expect(await a).toMatchObject({ complaint: true });
      expect(await b).toMatchObject({ complaint: false });
      expect(classifyBatch).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a model that fails or answers the wrong number of verdicts leaves the touchpoints logged, the error with error handlers', async () => {
    const errors = vi.fn();
    const broken = setup({ signals: { classifier: batchClassifier({ name: 'short', classifyBatch: (inputs) => inputs.slice(1).map(() => verdict('bad')) }) } });
    broken.crm.on('error', errors);
    const ada = await broken.crm.customers.create({ name: 'Ada' });
    const logged = await broken.crm.touchpoints.logMany([
      { customerId: ada.id, channel: 'call', direction: 'inbound', summary: 'bad' },
      { customerId: ada.id, channel: 'call', direction: 'inbound', summary: 'bad too' },
    ]);
    expect(logged.map((t) => t.signal)).toEqual([undefined, undefined]);
    expect(errors).toHaveBeenCalledTimes(2);
    expect(errors.mock.calls[0]![0].error.message).toBe('batchClassifier(short): classifyBatch answered 1 verdicts for 2 texts');
    expect(() => batchClassifier({} as never)).toThrow(/classifyBatch must be a function/);
    expect(() => batchClassifier({ classifyBatch: () => [], maxBatch: 0 })).toThrow(/maxBatch/);
  });
});
