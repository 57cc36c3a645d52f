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

/**
 * The kinds of complaint a {@link SignalVerdict} can name (issue 15):
 * - `unanswered`: a message or request still unanswered, a promised call-back or visit that never came;
 * - `passed_around`: passed from one person to the next, having to explain the same thing again;
 * - `delay`: a delivery or repair delayed again, a job left unfinished;
 * - `defect`: a product that broke or failed (soon after purchase);
 * - `billing`: a wrong bill, a double charge, a refund asked for;
 * - `churn`: cancelling, leaving, going to a competitor (unless something happens);
 * - `sentiment`: plain unhappiness ("terrible", "太失望了") without one of the situations above.
 */
export type ComplaintKind = 'unanswered' | 'passed_around' | 'delay' | 'defect' | 'billing' | 'churn' | 'sentiment';

/** The complaint kinds, in order. */
export const COMPLAINT_KINDS: readonly ComplaintKind[] = ['unanswered', 'passed_around', 'delay', 'defect', 'billing', 'churn', 'sentiment'];

/** A {@link SignalClassifier}'s answer. */
export interface SignalVerdict {
  /** Whether the text reads like a complaint. */
  complaint: boolean;
  /** The words or phrases that decided it, as they appear in the text (shown to whoever reviews the suggestion). */
  matches: readonly string[];
  /**
   * One readable sentence saying why, stored as the suggestion's reason, e.g.
   * `billing problem (zh-TW): 多收`. Defaults to `negative wording`.
   */
  reason?: string;
  /** Which kind of complaint it recognised, if the classifier tells kinds apart. */
  kind?: ComplaintKind;
  /** How strongly negative, if the classifier measures it (its own scale). */
  score?: number;
}

/**
 * Decides whether a touchpoint's wording is an unspoken complaint: the seam for the host app's own
 * model. `@crm/core/signals` ships `lexiconClassifier` (situations and words for en, zh-CN,
 * zh-TW, ms and it, with negation, questions and conditions) and `batchClassifier` (turns a
 * batched model call into a classifier); a deployment can plug in anything with this shape.
 * `classify` may be async; `crm.touchpoints.logMany` asks about its touchpoints concurrently,
 * which `batchClassifier` gathers into one call.
 *
 * @example
 * ```ts
 * const modelClassifier: SignalClassifier = {
 *   name: 'my-model',
 *   async classify({ text, locale }) {
 *     const { label, score } = await myModel.predict(text, locale)
 *     return { complaint: label === 'complaint', matches: [], score, kind: 'billing', reason: `model says billing problem (${score})` }
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
