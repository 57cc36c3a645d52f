import { CANONICAL_TIMESTAMP, CHANNELS, EMAIL_PATTERN, ID_PATTERN, isStorableText, toEpochMs } from './primitives.js';
import {
  MAX_DURATION_SECONDS,
  MAX_PARTICIPANTS,
  OutcomeSchema,
  PARTICIPANT_LIMITS,
  TOUCHPOINT_TEXT_LIMITS,
  type TouchpointInputSchema,
} from './touchpoint.js';
import type { output } from 'zod/mini';

type Parsed = output<typeof TouchpointInputSchema>;

/** What a field check returns for a value it can't vouch for. */
const NO = Symbol('no');
type FieldCheck = (value: unknown) => unknown;

// Stored records are frozen, so the common empty values can be shared instead of made per record.
const NO_PARTICIPANTS: [] = Object.freeze([]) as unknown as [];
const NO_IDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const cleanText = (value: unknown, min: number, max: number) =>
  typeof value === 'string' && value.length >= min && value.length <= max && value.trim() === value && isStorableText(value) ? value : NO;
const id: FieldCheck = (value) => (typeof value === 'string' && ID_PATTERN.test(value) ? value : NO);
const oneOf = (values: readonly unknown[]): FieldCheck => {
  const set = new Set(values);
  return (value) => (set.has(value) ? value : NO);
};
const textOf =
  ([min, max]: readonly [number, number]): FieldCheck =>
  (value) =>
    cleanText(value, min, max);
/** Runs `check` on each field of a plain object; a field without a check, or failing it, fails all. */
const fields = (checks: ReadonlyMap<string, FieldCheck>, value: unknown, out: Record<string, unknown>) => {
  if (!isPlainObject(value)) return NO;
  for (const key in value) {
    const check = checks.get(key);
    if (check === undefined) return NO;
    // A known field set to `undefined` is a missing one, as in zod (required ones are checked after).
    if (value[key] === undefined) continue;
    const checked = check(value[key]);
    if (checked === NO) return NO;
    out[key] = checked;
  }
  return out;
};

const PARTICIPANT = new Map<string, FieldCheck>([
  ['name', (v) => cleanText(v, 1, PARTICIPANT_LIMITS.name)],
  ['role', (v) => cleanText(v, 1, PARTICIPANT_LIMITS.role)],
  ['email', (v) => (typeof v === 'string' && v.length <= 254 && v.trim() === v && EMAIL_PATTERN.test(v) ? v.toLowerCase() : NO)],
]);

const TOUCHPOINT = new Map<string, FieldCheck>([
  ['customerId', id],
  ['actorId', id],
  ['complaintId', id],
  ['addressId', id],
  ['channel', oneOf(CHANNELS)],
  ['direction', oneOf(['inbound', 'outbound'])],
  ['outcome', oneOf(OutcomeSchema.options)],
  ['department', textOf(TOUCHPOINT_TEXT_LIMITS.department)],
  ['subject', textOf(TOUCHPOINT_TEXT_LIMITS.subject)],
  ['summary', textOf(TOUCHPOINT_TEXT_LIMITS.summary)],
  ['nextStep', textOf(TOUCHPOINT_TEXT_LIMITS.nextStep)],
  [
    'occurredAt',
    (at) => {
      if (typeof at !== 'string' && !(at instanceof Date)) return NO;
      const ms = toEpochMs(at);
      if (Number.isNaN(ms)) return NO;
      return typeof at === 'string' && CANONICAL_TIMESTAMP.test(at) ? at : new Date(ms).toISOString();
    },
  ],
  ['durationSeconds', (v) => (Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_DURATION_SECONDS ? v : NO)],
  ['sentiment', (v) => (typeof v === 'number' && v >= -1 && v <= 1 ? v : NO)],
  [
    'participants',
    (list) => {
      if (!Array.isArray(list) || list.length > MAX_PARTICIPANTS) return NO;
      const out: unknown[] = [];
      for (const p of list) {
        const checked = fields(PARTICIPANT, p, {});
        if (checked === NO || !('name' in checked)) return NO;
        out.push(checked);
      }
      return out;
    },
  ],
  // Only "none": anything else goes through zod.
  ['externalIds', (v) => (isPlainObject(v) && Object.keys(v).length === 0 ? NO_IDS : NO)],
]);

/**
 * The common case of `TouchpointInputSchema.parse`, without zod's general machinery: logging a
 * touchpoint is the hottest path of the SDK (bulk ingest, sync pulls). It accepts only input it
 * can vouch for — a plain object with known keys, already-trimmed text, no external ids — and
 * returns `undefined` for anything else, which then goes through the zod schema (the single
 * source of truth, and of every error message). A property test checks that whatever it
 * accepts, zod accepts with the same output.
 */
export function fastTouchpointInput(input: unknown): Parsed | undefined {
  const out = fields(TOUCHPOINT, input, { participants: NO_PARTICIPANTS, externalIds: NO_IDS });
  if (out === NO || !('customerId' in out && 'channel' in out && 'direction' in out)) return undefined;
  return out as Parsed;
}
