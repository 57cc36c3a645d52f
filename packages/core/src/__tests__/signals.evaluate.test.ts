import { describe, expect, it } from 'vitest';
import { evaluateClassifier, lexiconClassifier, type SignalVerdict } from '../signals/index.js';

describe('evaluateClassifier', () => {
  it('measures precision and recall in all, per language and per kind, for any classifier, async too', async () => {
    const items = [
      { text: '帳單多收了', locale: 'zh-TW', complaint: true, kind: 'billing' as const },
      { text: '請問可以退費嗎？', locale: 'zh-TW', complaint: false },
      { text: 'Still no reply to my emails.', locale: 'en', complaint: true, kind: 'unanswered' as const },
      { text: 'The box was a bit heavy.', locale: 'en', complaint: true, kind: 'defect' as const },
      { text: 'Thanks, lovely service.', locale: 'en', complaint: false },
    ];
    const result = await evaluateClassifier(lexiconClassifier(), items);
    expect(result.byLanguage['zh-TW']).toEqual({ n: 2, tp: 1, fp: 0, fn: 0, precision: 1, recall: 1 });
    expect(result.byLanguage.en).toEqual({ n: 3, tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
    expect(result.all).toMatchObject({ n: 5, tp: 2, fp: 0, fn: 1 });
    expect(result.byKind.billing).toMatchObject({ n: 1, recall: 1, precision: 1, named: 1 });
    expect(result.byKind.defect).toMatchObject({ n: 1, recall: 0, named: 0 });

    const everything = { classify: async (): Promise<SignalVerdict> => ({ complaint: true, kind: 'churn', matches: [] }) };
    const all = await evaluateClassifier(everything, items);
    expect(all.all).toMatchObject({ precision: 3 / 5, recall: 1 });
    expect(all.byKind.churn).toMatchObject({ n: 0, tp: 3, fp: 2, precision: 3 / 5, recall: 1, named: 1 });
  });
});
