import type { ComplaintKind, SignalVerdict } from './types.js';

/** One labelled text for {@link evaluateClassifier}. */
export interface LabelledText {
  text: string;
  /** The customer's locale, e.g. `zh-TW`. */
  locale?: string | undefined;
  /** Whether it is a complaint. */
  complaint: boolean;
  /** The kind of complaint it is (for complaints). */
  kind?: ComplaintKind | undefined;
}

/** Precision and recall over some labelled texts. */
export interface Figures {
  /** Texts counted. */
  n: number;
  /** Complaints flagged. */
  tp: number;
  /** Non-complaints flagged. */
  fp: number;
  /** Complaints missed. */
  fn: number;
  /** tp / (tp + fp); 1 when nothing was flagged. */
  precision: number;
  /** tp / (tp + fn); 1 when there was no complaint. */
  recall: number;
}

/** {@link Figures} for one kind: recall over the complaints labelled so, precision over the texts flagged so. */
export interface KindFigures extends Figures {
  /** Of the complaints labelled this kind, the share flagged with this kind. */
  named: number;
}

/** What {@link evaluateClassifier} measured. */
export interface Evaluation {
  all: Figures;
  /** By the items' locale. */
  byLanguage: Record<string, Figures>;
  /** By kind, for kinds that were labelled or flagged. */
  byKind: Partial<Record<ComplaintKind, KindFigures>>;
}

const figures = (tp: number, fp: number, fn: number, n: number): Figures => ({
  n,
  tp,
  fp,
  fn,
  precision: tp + fp === 0 ? 1 : tp / (tp + fp),
  recall: tp + fn === 0 ? 1 : tp / (tp + fn),
});

/**
 * Measures a classifier on labelled texts: precision and recall in all, per language and per kind.
 * Works with any classifier — run your model on your own labelled touchpoints before you trust it.
 *
 * @example
 * ```ts
 * const { byLanguage } = await evaluateClassifier(lexiconClassifier(), [
 *   { text: '帳單多收了', locale: 'zh-TW', complaint: true, kind: 'billing' },
 *   { text: '請問可以退費嗎？', locale: 'zh-TW', complaint: false },
 * ])
 * byLanguage['zh-TW'] // → { n: 2, tp: 1, fp: 0, fn: 0, precision: 1, recall: 1 }
 * ```
 */
export async function evaluateClassifier(
  classifier: { classify(input: { text: string; locale: string | undefined }): SignalVerdict | Promise<SignalVerdict> },
  items: readonly LabelledText[],
): Promise<Evaluation> {
  const verdicts = await Promise.all(items.map((item) => classifier.classify({ text: item.text, locale: item.locale })));
  const count = (pick: (item: LabelledText, verdict: SignalVerdict) => boolean) => {
    let tp = 0, fp = 0, fn = 0, n = 0;
    items.forEach((item, i) => {
      const verdict = verdicts[i]!;
      if (!pick(item, verdict)) return;
      n++;
      if (verdict.complaint && item.complaint) tp++;
      else if (verdict.complaint) fp++;
      else if (item.complaint) fn++;
    });
    return figures(tp, fp, fn, n);
  };
  const byLanguage: Record<string, Figures> = {};
  for (const locale of new Set(items.map((item) => item.locale ?? ''))) byLanguage[locale] = count((item) => (item.locale ?? '') === locale);
  const byKind: Partial<Record<ComplaintKind, KindFigures>> = {};
  const kinds = new Set<ComplaintKind>();
  items.forEach((item, i) => {
    if (item.complaint && item.kind) kinds.add(item.kind);
    const flagged = verdicts[i]!;
    if (flagged.complaint && flagged.kind) kinds.add(flagged.kind);
  });
  for (const kind of kinds) {
    // Recall: the complaints labelled this kind, flagged (with any kind). Precision: the texts flagged with this kind.
    const labelled = [...items.keys()].filter((i) => items[i]!.complaint && items[i]!.kind === kind);
    const found = labelled.filter((i) => verdicts[i]!.complaint).length;
    const named = labelled.filter((i) => verdicts[i]!.kind === kind).length;
    const flagged = verdicts.map((v, i) => ({ v, item: items[i]! })).filter(({ v }) => v.complaint && v.kind === kind);
    const tp = flagged.filter(({ item }) => item.complaint).length;
    const base = figures(tp, flagged.length - tp, labelled.length - found, labelled.length);
    byKind[kind] = { ...base, recall: labelled.length === 0 ? 1 : found / labelled.length, named: labelled.length === 0 ? 1 : named / labelled.length };
  }
  return { all: count(() => true), byLanguage, byKind };
}
