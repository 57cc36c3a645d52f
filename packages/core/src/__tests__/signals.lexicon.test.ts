import { describe, expect, it } from 'vitest';
import { lexiconClassifier } from '../signals/index.js';
import { DATASET } from './signals.dataset.js';

const classifier = lexiconClassifier();
const read = (text: string, locale?: string) => classifier.classify({ text, locale });

describe('the labelled set', () => {
  it('has at least 40 utterances per language, half of them complaints, 200 or more in all', () => {
    const all = Object.values(DATASET).flat();
    expect(all.length).toBeGreaterThanOrEqual(200);
    for (const items of Object.values(DATASET)) {
      expect(items.length).toBeGreaterThanOrEqual(40);
      expect(items.filter(([, complaint]) => complaint).length * 2).toBe(items.length);
      expect(new Set(items.map(([text]) => text)).size).toBe(items.length);
    }
  });
});

describe('lexiconClassifier on the labelled set', () => {
  it('reaches precision ≥ 0.9 and recall ≥ 0.8 in every language (table printed)', () => {
    const rows: Record<string, { n: number; tp: number; fp: number; fn: number; precision: string; recall: string }> = {};
    for (const [locale, items] of Object.entries(DATASET)) {
      let tp = 0, fp = 0, fn = 0;
      for (const [text, complaint] of items) {
        const said = read(text, locale).complaint;
        if (said && complaint) tp++;
        else if (said) fp++;
        else if (complaint) fn++;
      }
      const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
      const recall = tp / (tp + fn);
      rows[locale] = { n: items.length, tp, fp, fn, precision: precision.toFixed(3), recall: recall.toFixed(3) };
      expect.soft(precision, `${locale} precision`).toBeGreaterThanOrEqual(0.9);
      expect.soft(recall, `${locale} recall`).toBeGreaterThanOrEqual(0.8);
    }
    console.log('Hidden-complaint detector, per language:');
    console.table(rows);
  });
});

describe('lexiconClassifier', () => {
  it('handles negation: "not bad", "不是不好", "tak teruk", "non è male" are not complaints; negated positives are', () => {
    expect(read('Not bad, not bad at all.', 'en').complaint).toBe(false);
    expect(read('这个不是不好', 'zh-CN').complaint).toBe(false);
    expect(read('這個不是不好', 'zh-TW').complaint).toBe(false);
    expect(read('Tak teruk pun.', 'ms').complaint).toBe(false);
    expect(read('Non è male.', 'it').complaint).toBe(false);
    expect(read('I am not happy with this.', 'en')).toMatchObject({ complaint: true, matches: ['not happy'] });
    expect(read('我很不满意', 'zh-CN')).toMatchObject({ complaint: true });
    expect(read('Saya tak puas hati.', 'ms')).toMatchObject({ complaint: true, matches: ['tak puas hati'] });
    expect(read('Non funziona.', 'it')).toMatchObject({ complaint: true, matches: ['Non funziona'] });
    // A negation does not reach past a clause: "no problem, but the app is useless" is a complaint.
    expect(read('No problem with the delivery, but the app is useless and I am disappointed.', 'en').complaint).toBe(true);
  });

  it('reports the words that matched, as written, and a reason naming the language', () => {
    const verdict = read('Honestly the service has been TERRIBLE and I am disappointed.', 'en-GB');
    expect(verdict).toMatchObject({ complaint: true, matches: ['TERRIBLE', 'disappointed'], reason: 'negative wording (en)' });
    expect(read('你們客服的態度太差了', 'zh-Hant-HK').reason).toBe('negative wording (zh-TW)');
    expect(read('Thanks, all good.', 'en')).toMatchObject({ complaint: false, matches: [] });
  });

  it('picks the language by locale (zh-HK → zh-TW, zh-SG → zh-CN), reads English too, and all languages without a locale', () => {
    expect(read('太失望了', 'zh-SG').complaint).toBe(true);
    expect(read('Saya sangat kecewa, this is unacceptable.', 'ms-MY').complaint).toBe(true);
    expect(read('Sono molto deluso, il servizio è pessimo.').complaint).toBe(true);
    expect(read('Sono molto deluso, il servizio è pessimo.', 'fr-FR').complaint).toBe(true);
  });

  it('is extensible per deployment: extra words, and new languages', () => {
    const extended = lexiconClassifier({
      extend: {
        en: { negative: { 'out of stock again': 2 } },
        fr: { script: 'words', negative: { déçu: 2, nul: 2 }, positive: { content: 2 }, negators: ['ne', 'pas'], doubleNegation: 'concord' },
      },
    });
    expect(read('Out of stock again!', 'en').complaint).toBe(false);
    expect(extended.classify({ text: 'Out of stock again!', locale: 'en' })).toMatchObject({ complaint: true, matches: ['Out of stock again'] });
    expect(extended.classify({ text: 'Je suis très déçu.', locale: 'fr-CA' }).complaint).toBe(true);
    expect(extended.classify({ text: "Je ne suis pas content.", locale: 'fr' }).complaint).toBe(true);
    expect(() => lexiconClassifier({ extend: { de: { negative: { schlecht: 2 } } } })).toThrow(/extend\["de"\] is a new language and needs a script/);
    expect(() => lexiconClassifier({ threshold: 0 })).toThrow(/threshold/);
  });
});
