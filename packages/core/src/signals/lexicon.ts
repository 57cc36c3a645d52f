import type { ComplaintKind } from './types.js';

/** The complaint kinds that are situations (every kind but `sentiment`). */
export type SituationKind = Exclude<ComplaintKind, 'sentiment'>;

/**
 * How one language says one kind of complaint (a {@link Lexicon}'s `kinds`). Terms follow the
 * lexicon's rules (see {@link Lexicon}); weights: 2 for a complaint on its own, 1 for a term that
 * needs company, fractions allowed.
 */
export interface Situation {
  /** The situation stated: "charged twice", "多收", "dicaj dua kali", "addebitato due volte". */
  facts?: Readonly<Record<string, number>>;
  /**
   * What should have happened: a complaint when negated or unmet ("haven't heard back", "没人回复",
   * "was supposed to arrive"); on its own, only a hint of the kind.
   */
  expected?: Readonly<Record<string, number>>;
  /**
   * The trouble is over ("fixed", "已经解决", "sudah selesai", "risolto"): what was said before it
   * no longer counts. Negated or unmet ("still not fixed", "还没解决") it is a complaint (weight 2).
   */
  resolved?: readonly string[];
  /** Words that name the situation without weight ("invoice", "账单"): they only tell the kind. */
  topics?: readonly string[];
}

/**
 * The words of one language for `lexiconClassifier`. Terms are matched whole: words in alphabetic
 * languages (`script: 'words'`), characters in Chinese (`'chars'`). In a `words` term, a word
 * ending in `*` matches any word starting so (`disappoint*`). In either script `…` stands for up
 * to three words (four characters) of anything but punctuation: `explain* … again`, `没…回`. A gap
 * never skips a negator or a one-word term that is a complaint on its own, and a negative term of
 * no kind with a gap ("been … days") gives way to a situation's strong term where it starts ("been back").
 */
export interface Lexicon {
  /** `words`: split into words (en, ms, it); `chars`: read character by character (zh). */
  script: 'words' | 'chars';
  /**
   * `join` (default): an apostrophe is part of its word ("don't"). `split`: a word ends after an
   * apostrophe, as Italian elisions do ("l'ordine" reads "l'" + "ordine"; write terms that way).
   */
  apostrophes?: 'join' | 'split';
  /**
   * Negative terms and their weights, of no kind of their own ("terrible", "太差", "teruk",
   * "again"): a complaint of the kind the rest of the text names, else plain `sentiment`.
   */
  negative: Readonly<Record<string, number>>;
  /** Positive terms that are negative when negated ("not happy", "不满意", "tak puas hati"), with their weights. */
  positive: Readonly<Record<string, number>>;
  /** The situations, by kind of complaint. */
  kinds?: Readonly<Partial<Record<SituationKind, Situation>>>;
  /** Words that negate what follows: "not", "不", "tidak", "non". In English, words ending in "n't" also do. */
  negators: readonly string[];
  /**
   * What reads like a negator for things that should have happened, up to this weight: "was
   * supposed to arrive" as "did not arrive", "说好…回电". Negative terms after them still count.
   */
  unmet?: Readonly<Record<string, number>>;
  /**
   * Words that end a negation's or a condition's reach without being read otherwise: "but",
   * "但是", "I'll" (the main clause after "if …"). Punctuation always does. A break right after a
   * negator is the negated word itself and keeps the negation ("non disdico").
   */
  breaks?: readonly string[];
  /**
   * Conditions ("if", "如果", "kalau", "se") and clauses about someone else ("my old provider",
   * "以前那家"): nothing counts from them to the end of the clause. A question with a condition
   * ("Can I get a refund if I change my mind?") is not a complaint at all, unless it is rhetorical.
   */
  hypothetical?: readonly string[];
  /**
   * What hasn't happened (yet): "will", "would", "hope", "会", "akan", "spero". Within the negation
   * window after one, a `resolved` term doesn't say the trouble is over ("will be fixed") and weak
   * terms (weight 1 or less) don't count ("worried it would be late").
   */
  irrealis?: readonly string[];
  /**
   * Words that make a sentence a question, besides `?`: "吗", "adakah", "asked whether". In a
   * question only terms of weight 2 or more count ("Can I get a refund?" is not a complaint).
   */
  questions?: readonly string[];
  /** Words that make a question a complaint: "why", "为什么", "kenapa", "perché". */
  rhetorical?: readonly string[];
  /**
   * Terms that mean nothing here although they contain others ("不好意思" is "excuse me"): read and
   * ignored. One wins over any other term of the same length ("cancellation policy" over "cancel* … policy").
   */
  neutral?: readonly string[];
  /**
   * `cancel` (default): two negations cancel ("不是不好" is not negative). `concord`: several
   * negators are one negation, as in Italian "non ho mai" and Malay "tidak pernah", and a term that
   * starts with a negator agrees with one before it ("non ho avuto nessuna risposta").
   */
  doubleNegation?: 'cancel' | 'concord';
  /**
   * Characters read as others, in the text and in the terms alike: Traditional to Simplified
   * Chinese, so one list reads both scripts.
   */
  fold?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Compiling

type Role =
  | 'cue' | 'expected' | 'resolved' | 'topic' | 'negator' | 'unmet' | 'hypothetical' | 'irrealis' | 'question' | 'rhetorical' | 'neutral'
  | 'break';

/** One part of a term: a word (or character), a prefix (`word*`), or a gap (`…`, `null`). */
type Part = { text: string; prefix: boolean } | null;

interface Entry {
  role: Role;
  weight: number;
  kind: SituationKind | null;
  parts: Part[];
  /** No gap: matched without backtracking. */
  plain: boolean;
  /** Its place in the lexicon: among matches of one length, the first listed wins. */
  order: number;
}

/** The entries sharing a first part: one-part ones, those by their second part (a whole word), and the rest. */
interface Bucket {
  one: Entry[];
  bySecond: Map<string, Entry[]>;
  other: Entry[];
}

function bucketAdd(map: Map<string, Bucket>, key: string, entry: Entry): void {
  let bucket = map.get(key);
  if (!bucket) map.set(key, (bucket = { one: [], bySecond: new Map(), other: [] }));
  const second = entry.parts[1];
  if (entry.parts.length === 1) bucket.one.push(entry);
  else if (second && !second.prefix) bucket.bySecond.set(second.text, [...(bucket.bySecond.get(second.text) ?? []), entry]);
  else bucket.other.push(entry);
}

/** A {@link Lexicon} ready to read. */
export interface CompiledLexicon {
  readonly script: 'words' | 'chars';
  readonly split: boolean;
  readonly concord: boolean;
  readonly fold: ReadonlyMap<string, string> | null;
  /** Entries by their first part: exact, or (for a prefix) by its first {@link PREFIX_KEY} characters. */
  readonly exact: ReadonlyMap<string, Bucket>;
  readonly prefix: ReadonlyMap<string, Bucket>;
  /** Prefix entries whose first part is shorter than the key, checked at every word. */
  readonly short: readonly Entry[];
  /** First words (characters) of negators: a gap never skips one ("退款…到" does not read "退款还没到"). */
  readonly negatorHeads: ReadonlySet<string>;
  /** One-word (one-character) terms that are a complaint on their own: a gap never skips one either ("dah … minggu" does not read "dah tertanggal lepas tiga minggu"). */
  readonly strong: ReadonlySet<string>;
  /** How many terms it holds. */
  readonly size: number;
}

const GAP = '…';
const MAX_GAP = { words: 3, chars: 4 } as const;
const PREFIX_KEY = 3;
/** Punctuation that ends a clause (a negation's reach, a condition). */
const CLAUSE_STOPS = new Set([...',;:，、；：（）()「」『』“”"[]—–-']);
/** Punctuation that ends a sentence. */
const SENTENCE_STOPS = new Set([...'.!?¡¿…。！？\n']);
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*|\n|[^\s\p{L}\p{N}]/gu;
/** The same, with a word ending after an apostrophe (`apostrophes: 'split'`). */
const WORD_SPLIT = /[\p{L}\p{N}]+['’](?=[\p{L}\p{N}])|[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*|\n|[^\s\p{L}\p{N}]/gu;
const HAN = /\p{Script=Han}/gu;
const HAS_HAN = /\p{Script=Han}/u;
const SPACE = /\s/u;

function partsOf(term: string, script: 'words' | 'chars', fold: ReadonlyMap<string, string> | null, split: boolean): Part[] {
  const body = term.toLowerCase().replace(/’/g, "'").trim();
  if (script === 'chars') {
    return [...body].filter((ch) => !SPACE.test(ch)).map((ch) => (ch === GAP ? null : { text: fold?.get(ch) ?? ch, prefix: false }));
  }
  return body
    .split(/\s+/)
    .flatMap((word) => (split ? word.split(/(?<=')(?=.)/) : [word]))
    .filter(Boolean)
    .map((word) => (word === GAP ? null : word.endsWith('*') && word.length > 1 ? { text: word.slice(0, -1), prefix: true } : { text: word, prefix: false }));
}

/**
 * Compiles a lexicon: every term split into parts and indexed by its first. Throws a `TypeError`
 * naming the term when one can't be read (empty, or starting or ending with a gap).
 */
export function compileLexicon(lexicon: Lexicon, name = 'lexicon'): CompiledLexicon {
  const fold = lexicon.fold ? new Map(Object.entries(lexicon.fold)) : null;
  const split = lexicon.apostrophes === 'split';
  const exact = new Map<string, Bucket>();
  const prefix = new Map<string, Bucket>();
  const short: Entry[] = [];
  let size = 0;
  const add = (term: string, role: Role, weight: number, kind: SituationKind | null) => {
    const parts = partsOf(term, lexicon.script, fold, split);
    const first = parts[0];
    if (!first || parts[parts.length - 1] === null) {
      throw new TypeError(`${name}: the term ${JSON.stringify(term)} is empty or starts or ends with "${GAP}"`);
    }
    if (!(typeof weight === 'number' && Number.isFinite(weight))) throw new TypeError(`${name}: the weight of ${JSON.stringify(term)} is not a number`);
    size++;
    const entry: Entry = { role, weight, kind, parts, plain: !parts.includes(null), order: size };
    if (!first.prefix) bucketAdd(exact, first.text, entry);
    else if (first.text.length < PREFIX_KEY) short.push(entry);
    else bucketAdd(prefix, first.text.slice(0, PREFIX_KEY), entry);
  };
  for (const [term, weight] of Object.entries(lexicon.negative)) add(term, 'cue', weight, null);
  for (const [term, weight] of Object.entries(lexicon.positive)) add(term, 'expected', weight, null);
  for (const [kind, situation] of Object.entries(lexicon.kinds ?? {}) as [SituationKind, Situation | undefined][]) {
    for (const [term, weight] of Object.entries(situation?.facts ?? {})) add(term, 'cue', weight, kind);
    for (const [term, weight] of Object.entries(situation?.expected ?? {})) add(term, 'expected', weight, kind);
    for (const term of situation?.resolved ?? []) add(term, 'resolved', 2, kind);
    for (const term of situation?.topics ?? []) add(term, 'topic', 0, kind);
  }
  for (const term of lexicon.negators) add(term, 'negator', 0, null);
  const negatorHeads = new Set(lexicon.negators.map((term) => partsOf(term, lexicon.script, fold, split)[0]?.text ?? ''));
  for (const [term, weight] of Object.entries(lexicon.unmet ?? {})) add(term, 'unmet', weight, null);
  for (const term of lexicon.hypothetical ?? []) add(term, 'hypothetical', 0, null);
  for (const term of lexicon.irrealis ?? []) add(term, 'irrealis', 0, null);
  for (const term of lexicon.questions ?? []) add(term, 'question', 0, null);
  for (const term of lexicon.rhetorical ?? []) add(term, 'rhetorical', 0, null);
  for (const term of lexicon.neutral ?? []) add(term, 'neutral', 0, null);
  for (const term of lexicon.breaks ?? []) add(term, 'break', 0, null);
  const strong = new Set<string>();
  for (const bucket of exact.values()) for (const entry of bucket.one) if (entry.role === 'cue' && entry.weight >= 2) strong.add(entry.parts[0]!.text);
  return { script: lexicon.script, split, concord: lexicon.doubleNegation === 'concord', fold, exact, prefix, short, negatorHeads, strong, size };
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A text cut into units (words or characters), as parallel lists. */
interface Units {
  /** Lower-cased (and folded) text; '' for punctuation. */
  text: string[];
  start: number[];
  end: number[];
  /** 0: a word or character; 1: punctuation that ends a clause; 2: one that ends a sentence. */
  stop: number[];
  /** A question mark. */
  asks: boolean[];
}

function unitsOf(source: string, c: CompiledLexicon): Units {
  const u: Units = { text: [], start: [], end: [], stop: [], asks: [] };
  const push = (text: string, start: number, end: number, raw: string) => {
    const stop = SENTENCE_STOPS.has(raw) ? 2 : CLAUSE_STOPS.has(raw) ? 1 : 0;
    u.text.push(stop ? '' : text);
    u.start.push(start);
    u.end.push(end);
    u.stop.push(stop);
    u.asks.push(raw === '?' || raw === '？');
  };
  if (c.script === 'chars') {
    const lower = source.toLowerCase();
    // Lower-casing keeps offsets for the text this reads (a few letters grow, e.g. "İ": then read as written).
    const text = lower.length === source.length ? lower : source;
    for (let i = 0; i < text.length; ) {
      const code = text.codePointAt(i)!;
      const width = code > 0xffff ? 2 : 1;
      const ch = width === 1 ? text[i]! : text.slice(i, i + 2);
      if (ch === '\n' || !(code === 32 || (code < 128 ? code >= 9 && code <= 13 : SPACE.test(ch)))) push(c.fold?.get(ch) ?? ch, i, i + width, ch);
      i += width;
    }
    return u;
  }
  // Chinese characters are no part of a word here (same length, so offsets stay right).
  const words = HAS_HAN.test(source) ? source.replace(HAN, (m) => ' '.repeat(m.length)) : source;
  const pattern = c.split ? WORD_SPLIT : WORD;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(words); m; m = pattern.exec(words)) {
    const raw = m[0];
    const word = raw.toLowerCase();
    push(word.includes('’') ? word.replace(/’/g, "'") : word, m.index, m.index + raw.length, raw);
  }
  return u;
}

/** Whether a negator starts at unit `k`: in Chinese a character that begins one ("一" of "一点也不") is no negator on its own. */
function negatorAt(c: CompiledLexicon, u: Units, k: number, maxGap: number): boolean {
  if (c.script === 'words') return true;
  const bucket = c.exact.get(u.text[k]!);
  if (!bucket) return false;
  const next = u.text[k + 1];
  for (const list of [bucket.one, bucket.other, next === undefined ? undefined : bucket.bySecond.get(next)]) {
    for (const entry of list ?? []) if (entry.role === 'negator' && endOf(c, entry, u, k, maxGap) >= 0) return true;
  }
  return false;
}

/** Where `entry` (with gaps) matches from part `p` at unit `at`: its end (exclusive), or -1. Gaps take as few units as they can. */
function endWithGaps(c: CompiledLexicon, entry: Entry, u: Units, p: number, at: number, maxGap: number): number {
  if (p === entry.parts.length) return at;
  const part = entry.parts[p]!;
  if (part === null) {
    for (let skip = 0; skip <= maxGap; skip++) {
      if (skip > 0) {
        const k = at + skip - 1;
        if (k >= u.text.length || u.stop[k]) break;
        const text = u.text[k]!;
        if ((c.negatorHeads.has(text) && negatorAt(c, u, k, maxGap)) || c.strong.has(text) || (c.script === 'words' && text.endsWith("n't"))) break;
      }
      const end = endWithGaps(c, entry, u, p + 1, at + skip, maxGap);
      if (end >= 0) return end;
    }
    return -1;
  }
  if (at >= u.text.length || u.stop[at]) return -1;
  const text = u.text[at]!;
  if (part.prefix ? !text.startsWith(part.text) : text !== part.text) return -1;
  return endWithGaps(c, entry, u, p + 1, at + 1, maxGap);
}

/** Where `entry` matches from unit `i`: its end (exclusive), or -1. */
function endOf(c: CompiledLexicon, entry: Entry, u: Units, i: number, maxGap: number): number {
  if (!entry.plain) return endWithGaps(c, entry, u, 0, i, maxGap);
  const parts = entry.parts;
  if (i + parts.length > u.text.length) return -1;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (u.stop[i + k]) return -1;
    const text = u.text[i + k]!;
    if (part.prefix ? !text.startsWith(part.text) : text !== part.text) return -1;
  }
  return i + parts.length;
}

/** What matches at unit `i`: the entry reaching furthest (the first listed among equals), and whether a break is there. */
interface Found {
  entry: Entry | null;
  end: number;
  broke: boolean;
}

/** A negative term of no kind with a gap ("been … days", "dah … minggu"): it yields to a situation's strong term read where it starts ("been back"). */
const yields = (entry: Entry) => !entry.plain && entry.role === 'cue' && entry.kind === null;
const firm = (entry: Entry) => entry.plain && entry.weight >= 2 && entry.kind !== null && (entry.role === 'cue' || entry.role === 'expected' || entry.role === 'resolved');

/** Among terms of one length, a neutral one wins ("cancellation policy" over "cancel* … policy"), else the first listed. */
const outranks = (entry: Entry, other: Entry) =>
  entry.role === 'neutral' ? other.role !== 'neutral' || entry.order < other.order : other.role !== 'neutral' && entry.order < other.order;

function consider(c: CompiledLexicon, list: readonly Entry[] | undefined, u: Units, i: number, maxGap: number, found: Found): void {
  if (!list) return;
  for (const entry of list) {
    const end = endOf(c, entry, u, i, maxGap);
    if (end < 0) continue;
    if (entry.role === 'break') found.broke = true;
    else if (found.entry !== null && yields(entry) !== yields(found.entry) && (firm(entry) || firm(found.entry))) {
      if (firm(entry)) {
        found.entry = entry;
        found.end = end;
      }
    } else if (end > found.end || (end === found.end && found.entry !== null && outranks(entry, found.entry))) {
      found.entry = entry;
      found.end = end;
    }
  }
}

function considerBucket(c: CompiledLexicon, bucket: Bucket | undefined, u: Units, i: number, maxGap: number, found: Found): void {
  if (!bucket) return;
  const next = u.text[i + 1];
  if (next !== undefined && bucket.bySecond.size > 0) consider(c, bucket.bySecond.get(next), u, i, maxGap, found);
  if (bucket.other.length > 0) consider(c, bucket.other, u, i, maxGap, found);
  consider(c, bucket.one, u, i, maxGap, found);
}

function lookAt(c: CompiledLexicon, u: Units, i: number, maxGap: number, found: Found): void {
  found.entry = null;
  found.end = i;
  found.broke = false;
  const text = u.text[i]!;
  considerBucket(c, c.exact.get(text), u, i, maxGap, found);
  if (text.length >= PREFIX_KEY && c.prefix.size > 0) considerBucket(c, c.prefix.get(text.slice(0, PREFIX_KEY)), u, i, maxGap, found);
  if (c.short.length > 0) consider(c, c.short, u, i, maxGap, found);
}

/** One term that counted: its weight, its kind (`null`: none of its own) and the text it matched. */
export interface Cue {
  weight: number;
  kind: SituationKind | null;
  text: string;
  /** Where it starts in the text, to order cues read by several lexicons. */
  at: number;
}

/** What a lexicon found in a text: the cues that count, and the kinds the text names. */
export interface Reading {
  cues: Cue[];
  /** Kind hints: cues' kinds (their weight) and topics and unnegated expectations (half a point each). */
  votes: { kind: SituationKind; weight: number; at: number }[];
  /** Where the lexicon read a term of any sort: start and end offsets, in pairs. */
  read: number[];
}

type Event = { type: 'cue'; cue: Cue } | { type: 'vote'; kind: SituationKind; at: number } | { type: 'resolve' };

/**
 * Reads `text` with one compiled lexicon. Sentence by sentence: negators flip what follows within
 * `window` units (to the end of the clause); conditions mute the rest of their clause; in a question
 * (not a rhetorical one) only terms of weight 2 or more count; a `resolved` term clears what came before.
 */
export function readText(c: CompiledLexicon, text: string, window: number): Reading {
  const u = unitsOf(text, c);
  const maxGap = MAX_GAP[c.script];
  const found: Found = { entry: null, end: 0, broke: false };
  // A promise reaches further than a negation: "说好二十四小时内回电", "promised to call me back on Friday".
  const unmetWindow = c.script === 'chars' ? window * 3 : window + 2;
  let cues: Cue[] = [];
  let votes: Reading['votes'] = [];
  const read: number[] = [];
  let sentence: Event[] = [];
  let question = false;
  let rhetorical = false;
  let conditional = false;
  // The clause's state.
  let negations = 0;
  let negatorStart = -1;
  let gap = 0;
  let unmet = 0;
  let unmetStart = -1;
  let unmetGap = 0;
  let hypothetical = false;
  let irrealisGap = Infinity;
  /** A `resolved` term was read in this clause: the rest of it tells the story that ended ("refunded quickly after the double charge"). */
  let settled = false;

  const endClause = () => {
    negations = 0;
    unmet = 0;
    hypothetical = false;
    irrealisGap = Infinity;
    settled = false;
  };
  const endSentence = () => {
    const asked = question && !rhetorical;
    // A conditional question asks about a case ("What happens if I'm charged twice?"): nothing counts.
    if (asked && conditional) sentence = [];
    let counted = false;
    const hints: Reading['votes'] = [];
    for (const event of sentence) {
      if (event.type === 'resolve') {
        if (asked) continue;
        cues = [];
        votes = [];
        hints.length = 0;
        counted = false;
      } else if (event.type === 'vote') {
        hints.push({ kind: event.kind, weight: 0.5, at: event.at });
      } else if (!asked || event.cue.weight >= 2) {
        cues.push(event.cue);
        counted = true;
        if (event.cue.kind) hints.push({ kind: event.cue.kind, weight: event.cue.weight, at: event.cue.at });
      }
    }
    // Hints count from sentences that say something: a topic alone names no complaint.
    if (counted) votes.push(...hints);
    sentence = [];
    question = false;
    rhetorical = false;
    conditional = false;
    endClause();
  };
  const pass = () => {
    if (negations > 0 && ++gap > window) negations = 0;
    if (unmet > 0 && ++unmetGap > unmetWindow) unmet = 0;
    irrealisGap++;
  };

  const n = u.text.length;
  for (let i = 0; i < n; ) {
    const stop = u.stop[i]!;
    if (stop) {
      if (u.asks[i]) question = true;
      if (stop === 2) endSentence();
      else endClause();
      i++;
      continue;
    }
    const start = u.start[i]!;
    lookAt(c, u, i, maxGap, found);
    // A break right after a negator is the negated word itself ("non disdico", "non passo a"): the negation holds.
    if (found.broke && !(negations > 0 && gap === 0)) endClause();
    const entry = found.entry;
    const isNegator = entry ? entry.role === 'negator' : c.script === 'words' && (u.text[i]!.endsWith("n't") || u.text[i] === 'cannot');
    if (isNegator) {
      if (negations === 0 || gap > window) {
        negations = 1;
        negatorStart = start;
      } else if (!c.concord) negations++;
      gap = 0;
      i = entry ? found.end : i + 1;
      continue;
    }
    if (!entry) {
      pass();
      i++;
      continue;
    }
    const end = found.end;
    const lastEnd = u.end[end - 1]!;
    read.push(start, lastEnd);
    // In a concord language a term that is itself negative ("nessuna risposta", "tiada balasan") agrees with the negator before it.
    const negated = negations > 0 && gap <= window && negations % 2 === 1 && !(c.concord && entry.role === 'cue' && c.negatorHeads.has(entry.parts[0]!.text));
    const kind = entry.kind;
    switch (entry.role) {
      case 'unmet':
        unmet = entry.weight;
        unmetStart = start;
        unmetGap = 0;
        break;
      case 'hypothetical':
        hypothetical = true;
        conditional = true;
        break;
      case 'irrealis':
        pass();
        irrealisGap = 0;
        break;
      case 'question':
        question = true;
        pass();
        break;
      case 'rhetorical':
        rhetorical = true;
        pass();
        break;
      case 'neutral':
        pass();
        break;
      case 'topic':
        if (!hypothetical && kind) sentence.push({ type: 'vote', kind, at: start });
        pass();
        break;
      case 'cue':
        if (!negated && !hypothetical && !settled && !(entry.weight <= 1 && irrealisGap <= window)) sentence.push({ type: 'cue', cue: { weight: entry.weight, kind, text: text.slice(start, lastEnd), at: start } });
        // A weak term inside a negation ("non ho ancora ricevuto") lets it reach on; a strong one ends it.
        if (negated && entry.weight <= 1) pass();
        else negations = 0;
        break;
      case 'expected':
      case 'resolved': {
        const weight = entry.role === 'resolved' ? 2 : entry.weight;
        if (hypothetical) {
          // A condition: nothing counts.
        } else if (negated) {
          sentence.push({ type: 'cue', cue: { weight, kind, text: text.slice(negatorStart, lastEnd), at: negatorStart } });
        } else if (unmet > 0) {
          sentence.push({ type: 'cue', cue: { weight: Math.min(weight, unmet), kind, text: text.slice(unmetStart, lastEnd), at: unmetStart } });
        } else if (entry.role === 'resolved' && irrealisGap > window) {
          sentence.push({ type: 'resolve' });
          settled = true;
        } else if (kind) {
          sentence.push({ type: 'vote', kind, at: start });
        }
        negations = 0;
        unmet = 0;
        break;
      }
    }
    i = end;
  }
  endSentence();
  return { cues, votes, read };
}
