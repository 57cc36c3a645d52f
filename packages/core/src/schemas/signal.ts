import * as z from 'zod/mini';
import { IdSchema, IsoTimestampSchema, list, text } from './primitives.js';

/**
 * Where a touchpoint's complaint suggestion stands: `suggested` (waiting for someone to decide),
 * `accepted` (a complaint was opened from it) or `dismissed` (not a complaint; never raised again).
 */
export const SignalStateSchema = z.enum(['suggested', 'accepted', 'dismissed']);

/** The signal states, in order. */
export const SIGNAL_STATES = ['suggested', 'accepted', 'dismissed'] as const;

/**
 * A touchpoint that looked like an unspoken complaint (R6): why, the words that matched, and what
 * was decided. Kept on the touchpoint itself, so it survives restarts on every store.
 */
export const SignalSchema = z.strictObject({
  state: SignalStateSchema,
  /** Why the touchpoint was flagged, one readable sentence each (e.g. `outcome is "complaint"`). */
  reasons: list(text(500, 1), 20),
  /** The words or phrases that matched, as they appear in the text (may be empty). */
  matches: list(text(200, 1), 50),
  /** When the suggestion was raised. */
  detectedAt: IsoTimestampSchema,
  /** When it was accepted or dismissed. */
  decidedAt: z.optional(IsoTimestampSchema),
  /** Who accepted or dismissed it. */
  decidedBy: z.optional(IdSchema),
  /** Why it was dismissed. */
  note: z.optional(text(1000, 1)),
  /** The complaint opened when it was accepted. */
  complaintId: z.optional(IdSchema),
});

/** `suggested` | `accepted` | `dismissed`. */
export type SignalState = z.output<typeof SignalStateSchema>;
/** A touchpoint's complaint suggestion and what was decided about it. */
export type Signal = z.output<typeof SignalSchema>;
