import type { Lexicon } from './lexicon.js';
import { chinese } from './lexicons/chinese.js';
import { en } from './lexicons/en.js';
import { it } from './lexicons/it.js';
import { ms } from './lexicons/ms.js';

/** The languages `lexiconClassifier` ships. */
export type LexiconLanguage = 'en' | 'zh-CN' | 'zh-TW' | 'ms' | 'it';

/**
 * The lexicons shipped with `lexiconClassifier`, by language tag. `zh-CN` and `zh-TW` are one
 * Chinese list that reads both scripts (see its `fold`): Simplified and Traditional are covered alike.
 */
export const LEXICONS: Readonly<Record<LexiconLanguage, Lexicon>> = { en, 'zh-CN': chinese, 'zh-TW': chinese, ms, it };
