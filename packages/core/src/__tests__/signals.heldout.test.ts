/**
 * The held-out set of issue 15: `signals.heldout.ts`, written separately by someone who had not
 * seen the lexicons, and kept out of their tuning. Prints precision and recall per language and
 * per kind, and holds the targets in every language: precision ≥ 0.9 and recall ≥ 0.8
 * (met since the lexicons were grown by kind of complaint on the development set; English and
 * Italian sit at exactly 0.8). (`npm run bench -- signals` prints the same figures.)
 */
import { describe, expect, it } from 'vitest';
import { COMPLAINT_KINDS, evaluateClassifier, lexiconClassifier } from '../signals/index.js';
import { HELD_OUT } from './signals.heldout.js';

const LANGUAGES = ['en', 'zh-CN', 'zh-TW', 'ms', 'it'];
/** Issue 15's recall target per language. */
const RECALL_TARGET = 0.8;

describe('lexiconClassifier on the held-out set (issue 15)', () => {
  it('keeps precision ≥ 0.9 and recall ≥ 0.8 (the targets) in every language', async () => {
    expect(new Set(HELD_OUT.map((item) => item.locale))).toEqual(new Set(LANGUAGES));
    const result = await evaluateClassifier(lexiconClassifier(), HELD_OUT);
    const fixed = (x: number) => x.toFixed(3);
    console.log('Hidden-complaint detector on the held-out set, per language:');
    console.table(
      Object.fromEntries(
        Object.entries(result.byLanguage).map(([locale, f]) => [locale, { n: f.n, tp: f.tp, fp: f.fp, fn: f.fn, precision: fixed(f.precision), recall: fixed(f.recall) }]),
      ),
    );
    console.log('… per kind (recall over the complaints labelled so; precision over the texts flagged so):');
    console.table(
      Object.fromEntries(
        COMPLAINT_KINDS.flatMap((kind) => {
          const f = result.byKind[kind];
          return f ? [[kind, { labelled: f.n, recall: fixed(f.recall), flagged: f.tp + f.fp, precision: fixed(f.precision), 'kind named': fixed(f.named) }]] : [];
        }),
      ),
    );
    for (const locale of LANGUAGES) {
      const f = result.byLanguage[locale]!;
      if (f.recall < RECALL_TARGET) console.log(`MISS issue 15: ${locale} recall ${fixed(f.recall)} < ${RECALL_TARGET} (n=${f.n})`);
      expect.soft(f.precision, `${locale} precision (n=${f.n})`).toBeGreaterThanOrEqual(0.9);
      expect.soft(f.recall, `${locale} recall (n=${f.n})`).toBeGreaterThanOrEqual(RECALL_TARGET);
    }
  });
});
