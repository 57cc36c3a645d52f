/**
 * `@crm/core/signals`: hidden-complaint detection (R6). The {@link SignalClassifier} interface
 * that `createCrm({ signals: { classifier } })` takes, and {@link lexiconClassifier}, a
 * word-list classifier for en, zh-CN, zh-TW, ms and it that handles negation. On its own subpath
 * so its word lists stay out of apps that don't import it.
 *
 * @example
 * ```ts
 * import { createCrm } from '@crm/core'
 * import { lexiconClassifier } from '@crm/core/signals'
 *
 * const crm = createCrm({ signals: { classifier: lexiconClassifier() } })
 * crm.on('complaint.suggested', ({ touchpoint, reasons, matches }) => console.log(reasons, matches))
 * ```
 *
 * @packageDocumentation
 */
export type { SignalClassifier, SignalText, SignalVerdict } from './types.js';
export { lexiconClassifier, type Lexicon, type LexiconLanguage, type LexiconClassifierOptions } from './lexicon.js';
export { LEXICONS } from './lexicons.js';
