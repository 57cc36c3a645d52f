import type { Touchpoint } from '../schemas/touchpoint.js';

/** What a {@link SignalClassifier} is asked about: one touchpoint's text, in the customer's language. */
export interface SignalText {
  /** The touchpoint's subject and summary, one per line. */
  text: string;
  /** The customer's `locale` (BCP 47, e.g. `zh-TW`), when they have one. */
  locale: string | undefined;
  /** The whole touchpoint, for classifiers that use more than the words. */
  touchpoint: Touchpoint;
}

/** A {@link SignalClassifier}'s answer. */
export interface SignalVerdict {
  /** Whether the text reads like a complaint. */
  complaint: boolean;
  /** The words or phrases that decided it, as they appear in the text (shown to whoever reviews the suggestion). */
  matches: readonly string[];
  /**
   * One readable sentence saying why, e.g. `negative wording (zh-TW)`. Defaults to
   * `negative wording`.
   */
  reason?: string;
  /** How strongly negative, if the classifier measures it (its own scale). */
  score?: number;
}

/**
 * Decides whether a touchpoint's wording is an unspoken complaint. `@crm/core/signals` ships
 * `lexiconClassifier` (word lists for en, zh-CN, zh-TW, ms and it, with negation); a
 * deployment can plug in anything else — a model behind an HTTP call, say — with this shape.
 *
 * @example
 * ```ts
 * const modelClassifier: SignalClassifier = {
 *   name: 'my-model',
 *   async classify({ text, locale }) {
 *     const { label, score } = await myModel.predict(text, locale)
 *     return { complaint: label === 'complaint', matches: [], score, reason: `model says complaint (${score})` }
 *   },
 * }
 * createCrm({ signals: { classifier: modelClassifier } })
 * ```
 */
export interface SignalClassifier {
  /** A short name for messages. */
  readonly name?: string;
  /** Classifies one touchpoint's text. May be async. */
  classify(input: SignalText): SignalVerdict | Promise<SignalVerdict>;
}
