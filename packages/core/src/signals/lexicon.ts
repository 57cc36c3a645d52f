import type { SignalClassifier, SignalVerdict } from './types.js';
import { LEXICONS } from './lexicons.js';

/**
 * The words of one language for {@link lexiconClassifier}. Terms are matched whole (words for
 * alphabetic languages, characters for Chinese); a Latin term ending in `*` matches any word
 * starting so (`disappoint*`). Weights: 1 for a word that is negative only with others
 * ("refund"), 2 for one that is a complaint on its own ("unacceptable").
 */
export interface Lexicon {
  /** `words`: split into words (en, ms, it); `chars`: read character by character (zh). */
  script: 'words' | 'chars';
  /** Negative terms and their weights: "terrible", "太差", "teruk". */
  negative: Readonly<Record<string, number>>;
  /** Positive terms that are negative when negated ("not happy", "不满意", "tak puas hati"), with their weights. */
  positive: Readonly<Record<string, number>>;
  /** Words that negate what follows: "not", "不", "tidak", "non". In English, words ending in "n't" also do. */
  negators: readonly string[];
  /** Words that end a negation's reach: "but", "但是". Punctuation always does. */
  breaks?: readonly string[];
  /** Terms that mean nothing here although they contain others ("不好意思" is "excuse me"): read and ignored. */
  neutral?: readonly string[];
  /**
   * `cancel` (default): two negations cancel ("不是不好" is not negative). `concord`: several
   * negators are one negation, as in Italian "non ho mai" and Malay "tidak pernah".
   */
  doubleNegation?: 'cancel' | 'concord';
}

/** The languages {@link lexiconClassifier} ships. */
export type LexiconLanguage = 'en' | 'zh-CN' | 'zh-TW' | 'ms' | 'it';

/** Options of {@link lexiconClassifier}. */
export interface LexiconClassifierOptions {
  /**
   * Extra lexicons or extra words, per language tag: merged into the shipped ones (the same
   * language) or added as new languages (any other tag, matched against the customer's locale by
   * its language, e.g. `fr` for `fr-CA`).
   * @example
   * ```ts
   * lexiconClassifier({ extend: { en: { negative: { 'out of stock again': 2 } } } })
   * ```
   */
  extend?: Readonly<Record<string, Partial<Lexicon>>>;
  /**
   * A complaint is a text whose matches weigh at least this much.
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

interface Unit {
  text: string;
  start: number;
  end: number;
  /** Punctuation: ends a negation's reach. */
  stop: boolean;
}

type Kind = 'negative' | 'positive' | 'negator' | 'break' | 'neutral';
interface Entry {
  kind: Kind;
  weight: number;
  units: string[];
  /** The last unit is a prefix. */
  prefix: boolean;
}

interface Compiled {
  script: 'words' | 'chars';
  concord: boolean;
  /** Entries by first unit (or, for a one-unit prefix entry, under ''), longest first. */
  byFirst: Map<string, Entry[]>;
  prefixes: Entry[];
}

const PUNCTUATION = /[.,;:!?¡¿…。，、；：！？（）()「」『』“”"\[\]\n—–-]/u;
const WORD = /[\p{L}\p{N}'’]+|[^\s\p{L}\p{N}]/gu;

function unitsOf(text: string, script: 'words' | 'chars'): Unit[] {
  const out: Unit[] = [];
  if (script === 'chars') {
    let i = 0;
    for (const ch of text) {
      if (!/\s/u.test(ch)) out.push({ text: ch.toLowerCase(), start: i, end: i + ch.length, stop: PUNCTUATION.test(ch) });
      i += ch.length;
    }
    return out;
  }
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase().replace(/’/g, "'");
    out.push({ text: word, start: m.index, end: m.index + m[0].length, stop: PUNCTUATION.test(word) });
  }
  return out;
}

function compile(lexicon: Lexicon): Compiled {
  const byFirst = new Map<string, Entry[]>();
  const prefixes: Entry[] = [];
  const add = (term: string, kind: Kind, weight: number) => {
    const prefix = lexicon.script === 'words' && term.endsWith('*');
    const body = (prefix ? term.slice(0, -1) : term).toLowerCase().replace(/’/g, "'");
    const units = lexicon.script === 'words' ? body.split(/\s+/).filter(Boolean) : [...body];
    if (units.length === 0) return;
    const entry: Entry = { kind, weight, units, prefix };
    if (prefix && units.length === 1) prefixes.push(entry);
    else byFirst.set(units[0]!, [...(byFirst.get(units[0]!) ?? []), entry]);
  };
  for (const [term, weight] of Object.entries(lexicon.negative)) add(term, 'negative', weight);
  for (const [term, weight] of Object.entries(lexicon.positive)) add(term, 'positive', weight);
  for (const term of lexicon.negators) add(term, 'negator', 0);
  for (const term of lexicon.breaks ?? []) add(term, 'break', 0);
  for (const term of lexicon.neutral ?? []) add(term, 'neutral', 0);
  for (const list of byFirst.values()) list.sort((a, b) => b.units.length - a.units.length);
  return { script: lexicon.script, concord: lexicon.doubleNegation === 'concord', byFirst, prefixes };
}

/** The longest entry matching at `i`, with the number of units it spans. */
function matchAt(c: Compiled, units: Unit[], i: number): Entry | undefined {
  const fits = (entry: Entry) =>
    entry.units.every((u, k) => {
      const unit = units[i + k];
      if (!unit) return false;
      return entry.prefix && k === entry.units.length - 1 ? unit.text.startsWith(u) : unit.text === u;
    });
  for (const entry of c.byFirst.get(units[i]!.text) ?? []) if (fits(entry)) return entry;
  for (const entry of c.prefixes) if (fits(entry)) return entry;
  return undefined;
}

/** Scores `text` with one compiled lexicon: the weight of negative matches, and the matched text. */
function score(c: Compiled, text: string, window: number): { weight: number; matches: string[] } {
  const units = unitsOf(text, c.script);
  let weight = 0;
  const matches: string[] = [];
  let negations = 0;
  let negatorStart = -1;
  let gap = 0;
  for (let i = 0; i < units.length; ) {
    const unit = units[i]!;
    const entry = unit.stop ? undefined : matchAt(c, units, i);
    const isNegator = entry?.kind === 'negator' || (!entry && c.script === 'words' && /n't$|^cannot$/.test(unit.text));
    if (unit.stop || entry?.kind === 'break') {
      negations = 0;
    } else if (isNegator) {
      if (negations === 0 || gap > window) {
        negations = 1;
        negatorStart = unit.start;
      } else if (!c.concord) negations++;
      gap = 0;
    } else if (entry?.kind === 'negative' || entry?.kind === 'positive') {
      const negated = negations > 0 && gap <= window && negations % 2 === 1;
      const end = units[i + entry.units.length - 1]!.end;
      if (entry.kind === 'negative' && !negated) {
        weight += entry.weight;
        matches.push(text.slice(unit.start, end));
      } else if (entry.kind === 'positive' && negated) {
        weight += entry.weight;
        matches.push(text.slice(negatorStart, end));
      }
      negations = 0;
    } else if (negations > 0 && ++gap > window) {
      negations = 0;
    }
    i += entry ? entry.units.length : 1;
  }
  return { weight, matches };
}

/** The shipped language a locale reads in: `zh-HK`/`zh-Hant` → `zh-TW`, `zh`/`zh-SG` → `zh-CN`, `it-CH` → `it`. */
function languageOf(locale: string, known: ReadonlySet<string>): string | undefined {
  const lower = locale.toLowerCase();
  const [lang, ...rest] = lower.split(/[-_]/);
  if (lang === 'zh') return rest.some((p) => ['tw', 'hk', 'mo', 'hant'].includes(p)) ? 'zh-TW' : 'zh-CN';
  for (const tag of known) if (tag.toLowerCase() === lower) return tag;
  for (const tag of known) if (tag.toLowerCase().split('-')[0] === lang) return tag;
  return undefined;
}

/**
 * A {@link SignalClassifier} that reads words: negative terms ("terrible", "太差", "teruk",
 * "pessimo"), negated positive ones ("not happy", "不满意", "tak puas hati", "non funziona"), and
 * negations that cancel them ("not bad", "不是不好", "tidak ada masalah", "non è male"). Ships
 * lexicons for `en`, `zh-CN`, `zh-TW`, `ms` and `it`, picked by the customer's locale (plus
 * English, see `alsoRead`); `extend` adds words or languages per deployment.
 *
 * @example
 * ```ts
 * import { lexiconClassifier } from '@crm/core/signals'
 *
 * const classifier = lexiconClassifier({ extend: { en: { negative: { 'out of stock again': 2 } } } })
 * classifier.classify({ text: '这个新款不是不好', locale: 'zh-CN', touchpoint }) // → { complaint: false, … }
 * ```
 */
export function lexiconClassifier(options: LexiconClassifierOptions = {}): SignalClassifier & {
  classify(input: { text: string; locale: string | undefined }): SignalVerdict;
} {
  const { extend = {}, threshold = 2, alsoRead = ['en'], negationWindow = 3 } = options;
  if (!(typeof threshold === 'number' && threshold > 0)) throw new TypeError('lexiconClassifier: threshold must be a number above 0');
  if (!(Number.isInteger(negationWindow) && negationWindow >= 0)) throw new TypeError('lexiconClassifier: negationWindow must be a whole number, 0 or more');
  const merged: Record<string, Lexicon> = { ...LEXICONS };
  for (const [tag, extra] of Object.entries(extend)) {
    const base = merged[tag];
    if (!base && extra.script === undefined) throw new TypeError(`lexiconClassifier: extend["${tag}"] is a new language and needs a script ("words" or "chars")`);
    merged[tag] = {
      script: extra.script ?? base!.script,
      negative: { ...base?.negative, ...extra.negative },
      positive: { ...base?.positive, ...extra.positive },
      negators: [...(base?.negators ?? []), ...(extra.negators ?? [])],
      breaks: [...(base?.breaks ?? []), ...(extra.breaks ?? [])],
      neutral: [...(base?.neutral ?? []), ...(extra.neutral ?? [])],
      doubleNegation: extra.doubleNegation ?? base?.doubleNegation ?? 'cancel',
    };
  }
  const compiled = new Map(Object.entries(merged).map(([tag, lexicon]) => [tag, compile(lexicon)]));
  const known = new Set(compiled.keys());
  return {
    name: 'lexicon',
    classify({ text, locale }) {
      const main = locale ? languageOf(locale, known) : undefined;
      const tags = locale === undefined || main === undefined ? [...known] : [...new Set([main, ...alsoRead.filter((t) => known.has(t))])];
      let weight = 0;
      const matches: string[] = [];
      for (const tag of tags) {
        const result = score(compiled.get(tag)!, text, negationWindow);
        weight += result.weight;
        for (const m of result.matches) if (!matches.includes(m)) matches.push(m);
      }
      const complaint = weight >= threshold;
      return { complaint, matches: complaint ? matches : [], score: weight, reason: `negative wording (${main ?? tags.join(', ')})` };
    },
  };
}
