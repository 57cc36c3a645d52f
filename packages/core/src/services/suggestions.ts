import * as z from 'zod/mini';
import { CrmValidationError } from '../errors/validationError.js';
import { parseOrThrow } from '../schemas/parse.js';
import { IdSchema, text, wholeNumber } from '../schemas/primitives.js';
import { PrioritySchema, type Complaint, type ComplaintOpenInput } from '../schemas/complaint.js';
import type { Signal } from '../schemas/signal.js';
import type { Direction, Touchpoint } from '../schemas/touchpoint.js';
import type { Customer } from '../schemas/customer.js';
import type { SignalClassifier } from '../signals/types.js';
import type { Page } from '../store/types.js';
import { checkStaff, getOrThrow, mutate, nowIso, type ServiceContext } from './context.js';

/**
 * Options of `createCrm({ signals })`: hidden-complaint detection (R6). Given, every touchpoint
 * logged with `crm.touchpoints.log` that is not already about a complaint is checked; one that
 * looks like a complaint is stored with a `signal` (state `suggested`) in the same write, raises
 * `complaint.suggested` and is listed by `crm.complaints.suggestions()`.
 *
 * @example
 * ```ts
 * import { lexiconClassifier } from '@crm/core/signals'
 * createCrm({ signals: { classifier: lexiconClassifier() } })
 * ```
 */
export interface SignalsOptions {
  /**
   * Reads the wording (subject and summary) in the customer's language. Without one, only the
   * outcome and the sentiment are looked at.
   */
  classifier?: SignalClassifier;
  /**
   * A `sentiment` at or below this is "clearly negative" and raises a suggestion.
   * @default -0.5
   */
  sentimentAtOrBelow?: number;
  /**
   * Whose touchpoints' wording is classified. Outbound text is mostly written by staff (apologies,
   * "sorry for the problem"), so by default only inbound wording is read; the outcome and the
   * sentiment count in both directions.
   * @default ['inbound']
   */
  wordingDirections?: readonly Direction[];
}

/** {@link SignalsOptions} checked and filled in. */
export interface SignalsConfig {
  classifier: SignalClassifier | null;
  sentimentAtOrBelow: number;
  wordingDirections: ReadonlySet<Direction>;
}

const SUBJECT = 'createCrm options';

/** Checks `createCrm`'s `signals` option, with messages that name the field. */
export function normalizeSignals(options: SignalsOptions | undefined): SignalsConfig | null {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object') throw CrmValidationError.field(SUBJECT, ['signals'], 'expected an object');
  for (const key of Object.keys(options)) {
    if (!['classifier', 'sentimentAtOrBelow', 'wordingDirections'].includes(key)) {
      throw CrmValidationError.field(SUBJECT, ['signals', key], 'unknown option', 'unknown_field');
    }
  }
  const { classifier, sentimentAtOrBelow = -0.5, wordingDirections = ['inbound'] } = options;
  if (classifier !== undefined && typeof classifier?.classify !== 'function') {
    throw CrmValidationError.field(SUBJECT, ['signals', 'classifier', 'classify'], 'expected a function');
  }
  if (typeof sentimentAtOrBelow !== 'number' || !(sentimentAtOrBelow >= -1 && sentimentAtOrBelow <= 1)) {
    throw CrmValidationError.field(SUBJECT, ['signals', 'sentimentAtOrBelow'], 'must be a number from -1 to 1');
  }
  if (!Array.isArray(wordingDirections) || !wordingDirections.every((d) => d === 'inbound' || d === 'outbound')) {
    throw CrmValidationError.field(SUBJECT, ['signals', 'wordingDirections'], 'expected a list of "inbound" and "outbound"');
  }
  return { classifier: classifier ?? null, sentimentAtOrBelow, wordingDirections: new Set(wordingDirections) };
}

const MAX_MATCHES = 50;
const clip = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

/**
 * Looks for an unspoken complaint in a touchpoint about to be logged: its outcome, its sentiment
 * and (through the classifier) its wording. Returns the signal to store with it, or `undefined`.
 * A classifier that throws never stops the touchpoint from being logged: the error goes to
 * `error` handlers and the wording is left out.
 */
export async function detectSignal(ctx: ServiceContext, config: SignalsConfig, touchpoint: Touchpoint, customer: Customer): Promise<Signal | undefined> {
  if (touchpoint.complaintId !== undefined) return undefined; // Already about a complaint.
  const reasons: string[] = [];
  const matches: string[] = [];
  if (touchpoint.outcome === 'complaint') reasons.push('outcome is "complaint" but no complaint was opened');
  if (touchpoint.sentiment !== undefined && touchpoint.sentiment <= config.sentimentAtOrBelow) {
    reasons.push(`sentiment ${touchpoint.sentiment} is at or below ${config.sentimentAtOrBelow}`);
  }
  const words = [touchpoint.subject, touchpoint.summary].filter((s) => s !== undefined && s !== '').join('\n');
  if (config.classifier && words !== '' && config.wordingDirections.has(touchpoint.direction)) {
    try {
      const verdict = await config.classifier.classify({ text: words, locale: customer.locale, touchpoint });
      if (verdict?.complaint) {
        reasons.push(clip(verdict.reason || 'negative wording', 500));
        for (const match of verdict.matches ?? []) {
          const word = clip(String(match).trim(), 200);
          if (word !== '' && !matches.includes(word) && matches.length < MAX_MATCHES) matches.push(word);
        }
      }
    } catch (error) {
      ctx.emit('error', { error, event: 'complaint.suggested' });
    }
  }
  if (reasons.length === 0) return undefined;
  return { state: 'suggested', reasons, matches, detectedAt: nowIso(ctx) };
}

/** Emits `complaint.suggested` for a touchpoint just stored with a pending suggestion. */
export function emitSuggested(ctx: ServiceContext, touchpoint: Touchpoint): void {
  const signal = touchpoint.signal;
  if (signal?.state === 'suggested') ctx.emit('complaint.suggested', { touchpoint, reasons: [...signal.reasons], matches: [...signal.matches] });
}

/**
 * The touchpoint's signal once a complaint is opened from it (by `acceptSuggestion`, or by
 * `complaints.open` with its `touchpointId`), or the touchpoint unchanged when nothing is pending.
 * When `accepting` (the call comes from `acceptSuggestion`), a suggestion decided meanwhile is an error.
 */
export function acceptSignal(touchpoint: Touchpoint, complaintId: string, at: string, accepting?: Accepting): Touchpoint {
  if (touchpoint.signal?.state !== 'suggested') {
    if (accepting) throw notPending('suggestion acceptance', touchpoint);
    return touchpoint;
  }
  const signal: Signal = { ...touchpoint.signal, state: 'accepted', decidedAt: at, complaintId };
  if (accepting?.actorId !== undefined) signal.decidedBy = accepting.actorId;
  return { ...touchpoint, signal };
}

/** Query of `crm.complaints.suggestions`. */
export const SuggestionQuerySchema = z.strictObject({
  /** Only this customer's suggestions. */
  customerId: z.optional(IdSchema),
  /** Items per page, 1–500. Default 50. */
  limit: z.optional(wholeNumber(1, 500)),
  /** The `nextCursor` of the previous page. */
  cursor: z.optional(z.nullable(z.string())),
});

/** Options of `crm.complaints.acceptSuggestion`. */
export const AcceptSuggestionSchema = z.strictObject({
  /** Who owns the complaint; without it, routing decides as in `complaints.open`. */
  ownerId: z.optional(IdSchema),
  /** Defaults to the touchpoint's subject, else the start of its summary. */
  subject: z.optional(text(500, 1)),
  priority: z.optional(PrioritySchema),
  /** Who accepted the suggestion. */
  actorId: z.optional(IdSchema),
});

/** Options of `crm.complaints.dismissSuggestion`. */
export const DismissSuggestionSchema = z.strictObject({
  /** Why it is not a complaint. */
  reason: text(1000, 1),
  /** Who dismissed it. */
  actorId: z.optional(IdSchema),
});

/** Query of `crm.complaints.suggestions`. */
export type SuggestionQuery = z.input<typeof SuggestionQuerySchema>;
/** Options of `crm.complaints.acceptSuggestion`. */
export type AcceptSuggestionOptions = z.input<typeof AcceptSuggestionSchema>;
/** Options of `crm.complaints.dismissSuggestion`: the reason is required. */
export type DismissSuggestionOptions = z.input<typeof DismissSuggestionSchema>;

/** The suggested-complaint part of `crm.complaints` (R6). See `createCrm({ signals })`. */
export interface ComplaintSuggestions {
  /**
   * Touchpoints that look like unspoken complaints and wait for a decision, newest first, a page
   * at a time. Each carries its `signal` (reasons and matched words).
   *
   * @example
   * ```ts
   * const { items } = await crm.complaints.suggestions({ limit: 20 })
   * for (const t of items) console.log(t.signal?.reasons, t.signal?.matches)
   * ```
   */
  suggestions(query?: SuggestionQuery): Promise<Page<Touchpoint>>;
  /**
   * Opens a complaint from a suggested touchpoint (linked to it, like `complaints.open` with
   * `touchpointId`) and marks the suggestion accepted, in one write. Throws `CrmValidationError`
   * when the touchpoint has no pending suggestion.
   */
  acceptSuggestion(touchpointId: string, options?: AcceptSuggestionOptions): Promise<Complaint>;
  /**
   * Records that a suggested touchpoint is not a complaint, with the reason. It is never
   * suggested again. Throws `CrmValidationError` when the touchpoint has no pending suggestion.
   */
  dismissSuggestion(touchpointId: string, options: DismissSuggestionOptions): Promise<Touchpoint>;
}

/** Who accepts a suggestion: passed by `acceptSuggestion` to `complaints.open`. */
export interface Accepting {
  actorId?: string | undefined;
}

/** How `acceptSuggestion` opens the complaint: `complaints.open`, told who accepts. */
export type OpenForSuggestion = (input: ComplaintOpenInput, accepting: Accepting) => Promise<Complaint>;

const notPending = (subject: string, touchpoint: Touchpoint) =>
  CrmValidationError.field(
    subject,
    ['touchpointId'],
    touchpoint.signal
      ? `the touchpoint's complaint suggestion was already ${touchpoint.signal.state}`
      : 'the touchpoint has no complaint suggestion',
    'invalid_transition',
  );

/** `crm.complaints.suggestions`, `acceptSuggestion` and `dismissSuggestion`. */
export function suggestionMethods(ctx: ServiceContext, open: OpenForSuggestion): ComplaintSuggestions {
  return {
    async suggestions(raw = {}) {
      const { customerId, limit, cursor } = parseOrThrow(SuggestionQuerySchema, raw, 'suggestion query');
      return ctx.store.list('touchpoints', {
        filter: { signal: 'suggested', ...(customerId === undefined ? {} : { customerId }) },
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
    },

    async acceptSuggestion(touchpointId, raw) {
      const subject = 'suggestion acceptance';
      const options = parseOrThrow(AcceptSuggestionSchema, raw ?? {}, subject);
      checkStaff(ctx, options.actorId, subject, 'actorId');
      const touchpoint = await getOrThrow(ctx, 'touchpoints', parseOrThrow(IdSchema, touchpointId, subject));
      if (touchpoint.signal?.state !== 'suggested') throw notPending(subject, touchpoint);
      const title =
        options.subject ??
        touchpoint.subject ??
        (touchpoint.summary ? clip(touchpoint.summary.replace(/\s+/g, ' ').trim(), 120) || undefined : undefined) ??
        `Complaint from a ${touchpoint.channel} contact`;
      return open(
        {
          customerId: touchpoint.customerId,
          subject: title,
          channel: touchpoint.channel,
          touchpointId: touchpoint.id,
          ...(touchpoint.summary ? { description: touchpoint.summary } : {}),
          ...(options.priority === undefined ? {} : { priority: options.priority }),
          ...(options.ownerId === undefined ? {} : { ownerId: options.ownerId }),
        },
        { actorId: options.actorId },
      );
    },

    async dismissSuggestion(touchpointId, raw) {
      const subject = 'suggestion dismissal';
      const options = parseOrThrow(DismissSuggestionSchema, raw, subject);
      checkStaff(ctx, options.actorId, subject, 'actorId');
      const id = parseOrThrow(IdSchema, touchpointId, subject);
      const { record, previous } = await mutate(ctx, 'touchpoints', id, undefined, (current) => {
        if (current.signal?.state !== 'suggested') throw notPending(subject, current);
        const signal: Signal = { ...current.signal, state: 'dismissed', decidedAt: nowIso(ctx), note: options.reason };
        if (options.actorId !== undefined) signal.decidedBy = options.actorId;
        return { ...current, signal };
      });
      ctx.emit('touchpoint.updated', { touchpoint: record, previous });
      return record;
    },
  };
}
