/**
 * `@crm/core/signals`: hidden-complaint detection (R6, issue 15). The {@link SignalClassifier}
 * interface that `createCrm({ signals: { classifier } })` takes; {@link lexiconClassifier}, which
 * recognises the situations customers complain about — unanswered, passed around, delays, faults,
 * billing, threats to leave — and plain negative wording in en, zh-CN, zh-TW, ms and it; and
 * {@link batchClassifier}, which turns a host app's batched model call into a classifier. On its
 * own subpath so its word lists stay out of apps that don't import it.
 *
 * @example
 * ```ts
 * import { createCrm } from '@crm/core'
 * import { lexiconClassifier } from '@crm/core/signals'
 *
 * const crm = createCrm({ signals: { classifier: lexiconClassifier({ languages: ['en', 'zh-TW'] }) } })
 * crm.on('complaint.suggested', ({ touchpoint, reasons, matches }) => console.log(reasons, matches))
 * ```
 *
 * @packageDocumentation
 */
export type { ComplaintKind, SignalClassifier, SignalText, SignalVerdict } from './types.js';
export { COMPLAINT_KINDS } from './types.js';
export type { Lexicon, Situation, SituationKind } from './lexicon.js';
export { lexiconClassifier, KIND_LABELS, type LexiconClassifier, type LexiconClassifierOptions, type LexiconVerdict } from './lexiconClassifier.js';
export { batchClassifier, type BatchClassifierOptions } from './batchClassifier.js';
export { LEXICONS, type LexiconLanguage } from './lexicons.js';
export { evaluateClassifier, type Evaluation, type Figures, type KindFigures, type LabelledText } from './evaluate.js';
