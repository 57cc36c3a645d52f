import type { ComplaintKind, SignalClassifier, SignalVerdict } from './types.js';
import { compileLexicon, readText, type CompiledLexicon, type Cue, type Lexicon, type Reading, type Situation, type SituationKind } from './lexicon.js';
import { LEXICONS, type LexiconLanguage } from './lexicons.js';

/** Options of {@link lexiconClassifier}. */
export interface LexiconClassifierOptions {
  /**
   * The shipped languages to read: only these are compiled and kept in memory. A customer whose
   * locale is none of them is read in all of them.
   * @default ['en', 'zh-CN', 'zh-TW', 'ms', 'it']
   * @example
   * ```ts
   * lexiconClassifier({ languages: ['zh-TW', 'en'] })
   * ```
   */
  languages?: readonly LexiconLanguage[];
  /**
   * Extra lexicons or extra words, per language tag: merged into the shipped ones (the same
   * language, which is then read even if `languages` leaves it out) or added as new languages (any
   * other tag, matched against the customer's locale by its language, e.g. `fr` for `fr-CA`).
   * @example
   * ```ts
   * lexiconClassifier({ extend: { en: { negative: { 'out of stock again': 2 }, kinds: { billing: { facts: { 'charged me for nothing': 2 } } } } } })
   * ```
   */
  extend?: Readonly<Record<string, Partial<Lexicon>>>;
  /**
   * A complaint is a text whose cues weigh at least this much.
   * @default 2
   */
  threshold?: number;
  /**
   * Languages also read for every customer, because customers mix them in (Malaysian and Italian
   * customers often write English words). A customer without a locale is read in all languages.
   * @default ['en']
   */
  alsoRead?: readonly string[];
  /**
   * How many words (or, in Chinese, characters) may stand between a negator and what it negates.
   * @default 3
   */
  negationWindow?: number;
}

/** How a verdict's reason names each kind: `billing problem (zh-TW): 多收`. */
export const KIND_LABELS: Readonly<Record<ComplaintKind, string>> = {
  unanswered: 'left unanswered',
  passed_around: 'passed around',
  delay: 'delay or unfinished work',
  defect: 'product fault',
  billing: 'billing problem',
  churn: 'threat to leave',
  sentiment: 'negative wording',
};

/** The shipped language a locale reads in: `zh-HK`/`zh-Hant` → `zh-TW`, `zh`/`zh-SG` → `zh-CN`, `it-CH` → `it`. */
function languageOf(locale: string, known: ReadonlySet<string>): string | undefined {
  const lower = locale.toLowerCase();
  const [lang, ...rest] = lower.split(/[-_]/);
  if (lang === 'zh') {
    const tag = rest.some((p) => ['tw', 'hk', 'mo', 'hant'].includes(p)) ? 'zh-TW' : 'zh-CN';
    if (known.has(tag)) return tag;
  }
  for (const tag of known) if (tag.toLowerCase() === lower) return tag;
  for (const tag of known) if (tag.toLowerCase().split('-')[0] === lang) return tag;
  return undefined;
}

function mergeKinds(base: Lexicon['kinds'], extra: Lexicon['kinds']): Lexicon['kinds'] {
  const out: Partial<Record<SituationKind, Situation>> = { ...base };
  for (const [kind, more] of Object.entries(extra ?? {}) as [SituationKind, Situation | undefined][]) {
    const was = out[kind];
    out[kind] = {
      facts: { ...was?.facts, ...more?.facts },
      expected: { ...was?.expected, ...more?.expected },
      resolved: [...(was?.resolved ?? []), ...(more?.resolved ?? [])],
      topics: [...(was?.topics ?? []), ...(more?.topics ?? [])],
    };
  }
  return out;
}

function merge(tag: string, base: Lexicon | undefined, extra: Partial<Lexicon>): Lexicon {
  if (!base && extra.script === undefined) throw new TypeError(`lexiconClassifier: extend["${tag}"] is a new language and needs a script ("words" or "chars")`);
  const list = (key: 'negators' | 'breaks' | 'neutral' | 'hypothetical' | 'irrealis' | 'questions' | 'rhetorical') => [...(base?.[key] ?? []), ...(extra[key] ?? [])];
  return {
    script: extra.script ?? base!.script,
    apostrophes: extra.apostrophes ?? base?.apostrophes ?? 'join',
    negative: { ...base?.negative, ...extra.negative },
    positive: { ...base?.positive, ...extra.positive },
    kinds: mergeKinds(base?.kinds, extra.kinds),
    negators: list('negators'),
    unmet: { ...base?.unmet, ...extra.unmet },
    breaks: list('breaks'),
    hypothetical: list('hypothetical'),
    irrealis: list('irrealis'),
    questions: list('questions'),
    rhetorical: list('rhetorical'),
    neutral: list('neutral'),
    doubleNegation: extra.doubleNegation ?? base?.doubleNegation ?? 'cancel',
    ...(base?.fold || extra.fold ? { fold: { ...base?.fold, ...extra.fold } } : {}),
  };
}

/**
 * The kind a reading names: the situation with the most weight (the earliest among equals), topics
 * included, if at least one term of a situation counted; else `sentiment`.
 */
function kindOf(cues: readonly Cue[], votes: Reading['votes']): ComplaintKind {
  if (!cues.some((cue) => cue.kind !== null)) return 'sentiment';
  const totals = new Map<SituationKind, { weight: number; at: number }>();
  for (const { kind, weight, at } of votes) {
    const was = totals.get(kind);
    totals.set(kind, { weight: (was?.weight ?? 0) + weight, at: Math.min(was?.at ?? Infinity, at) });
  }
  let best: ComplaintKind = 'sentiment';
  let bestWeight = 0;
  let bestAt = Infinity;
  for (const [kind, { weight, at }] of totals) {
    if (weight > bestWeight || (weight === bestWeight && at < bestAt)) [best, bestWeight, bestAt] = [kind, weight, at];
  }
  return best;
}

/** A verdict of {@link lexiconClassifier}: always with a `score`; `kind` and `reason` when it is a complaint. */
export type LexiconVerdict = SignalVerdict & { score: number };

/** What {@link lexiconClassifier} returns: a synchronous {@link SignalClassifier} that says which languages it reads. */
export interface LexiconClassifier extends SignalClassifier {
  readonly name: 'lexicon';
  /** The language tags it reads, in the order given. */
  readonly languages: readonly string[];
  /** How many terms each language's lexicon holds (compiled on first use). */
  sizes(): Record<string, number>;
  classify(input: { text: string; locale: string | undefined }): LexiconVerdict;
}

/**
 * A {@link SignalClassifier} that recognises the situations customers complain about without
 * saying "complaint" — a message unanswered, being passed around, a delay, a fault, a billing
 * problem, a threat to leave — and plain negative wording, in `en`, `zh-CN`, `zh-TW`, `ms` and
 * `it`. It reads negation ("not bad", "不是不好", "tak teruk", "non è male"), questions that aren't
 * complaints ("Can I get a refund?"), conditions ("if it breaks"), and trouble that is over ("it
 * broke but you fixed it"). Each verdict names its kind and the words that led to it; the reason
 * reads `billing problem (zh-TW): 多收`. Picks the lexicon by the customer's locale (plus
 * English, see `alsoRead`); `languages` limits what is loaded, `extend` adds words or languages.
 *
 * @example
 * ```ts
 * import { lexiconClassifier } from '@crm/core/signals'
 *
 * const classifier = lexiconClassifier({ languages: ['zh-TW', 'en'] })
 * classifier.classify({ text: '帳單又多收了一次', locale: 'zh-TW' })
 * // → { complaint: true, kind: 'billing', matches: ['又', '多收'], reason: 'billing problem (zh-TW): 又, 多收', score: 3 }
 * ```
 */
export function lexiconClassifier(options: LexiconClassifierOptions = {}): LexiconClassifier {
  if (options === null || typeof options !== 'object') throw new TypeError('lexiconClassifier: options must be an object');
  const { languages, extend = {}, threshold = 2, alsoRead = ['en'], negationWindow = 3 } = options;
  if (!(typeof threshold === 'number' && threshold > 0)) throw new TypeError('lexiconClassifier: threshold must be a number above 0');
  if (!(Number.isInteger(negationWindow) && negationWindow >= 0)) throw new TypeError('lexiconClassifier: negationWindow must be a whole number, 0 or more');
  if (languages !== undefined) {
    if (!Array.isArray(languages) || languages.length === 0) throw new TypeError('lexiconClassifier: languages must be a list of at least one language');
    for (const tag of languages) {
      if (!Object.hasOwn(LEXICONS, tag)) throw new TypeError(`lexiconClassifier: languages: no lexicon for ${JSON.stringify(tag)} (shipped: ${Object.keys(LEXICONS).join(', ')})`);
    }
  }
  const sources = new Map<string, Lexicon>();
  for (const tag of (languages ?? Object.keys(LEXICONS)) as readonly LexiconLanguage[]) sources.set(tag, LEXICONS[tag]);
  for (const [tag, extra] of Object.entries(extend)) {
    const shipped = Object.hasOwn(LEXICONS, tag) ? LEXICONS[tag as LexiconLanguage] : undefined;
    sources.set(tag, merge(tag, sources.get(tag) ?? shipped, extra));
  }
  // Compiled on first use, and checked now: a bad term in `extend` fails here, not on a customer's text.
  const compiled = new Map<string, CompiledLexicon>();
  for (const tag of Object.keys(extend)) compiled.set(tag, compileLexicon(sources.get(tag)!, `lexiconClassifier: extend["${tag}"]`));
  const lexicon = (tag: string) => {
    let c = compiled.get(tag);
    if (!c) compiled.set(tag, (c = compileLexicon(sources.get(tag)!, `lexicon ${tag}`)));
    return c;
  };
  const known = new Set(sources.keys());
  const extras = alsoRead.filter((t) => known.has(t));
  // The tags each locale reads, worked out once per locale.
  const byLocale = new Map<string, { main: string | undefined; tags: string[] }>();
  const tagsFor = (locale: string | undefined) => {
    const key = locale ?? '';
    let hit = byLocale.get(key);
    if (!hit) {
      const main = locale ? languageOf(locale, known) : undefined;
      hit = { main, tags: main === undefined ? [...known] : [...new Set([main, ...extras])] };
      if (byLocale.size < 1000) byLocale.set(key, hit);
    }
    return hit;
  };
  return {
    name: 'lexicon',
    languages: [...known],
    sizes: () => Object.fromEntries([...known].map((tag) => [tag, lexicon(tag).size])),
    classify({ text, locale }) {
      const { main, tags } = tagsFor(locale);
      const cues: Cue[] = [];
      const votes: Reading['votes'] = [];
      // The customer's own language reads first; another ("problem*" in English) doesn't re-read its words ("problema").
      const read: number[] = [];
      const taken = (at: number) => {
        for (let k = 0; k < read.length; k += 2) if (at >= read[k]! && at < read[k + 1]!) return true;
        return false;
      };
      for (const tag of tags) {
        const reading = readText(lexicon(tag), text, negationWindow);
        for (const cue of reading.cues) if (!taken(cue.at)) cues.push(cue);
        for (const vote of reading.votes) if (!taken(vote.at)) votes.push(vote);
        read.push(...reading.read);
      }
      let score = 0;
      for (const cue of cues) score += cue.weight;
      score = Math.round(score * 100) / 100;
      if (score < threshold) return { complaint: false, matches: [], score };
      const matches: string[] = [];
      for (const cue of cues.sort((a, b) => a.at - b.at)) if (!matches.includes(cue.text)) matches.push(cue.text);
      const kind = kindOf(cues, votes);
      return { complaint: true, kind, matches, score, reason: `${KIND_LABELS[kind]} (${main ?? tags.join(', ')}): ${matches.join(', ')}` };
    },
  };
}
