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

const CHANNEL_SET: ReadonlySet<unknown> = new Set(CHANNELS);
const OUTCOME_SET: ReadonlySet<unknown> = new Set(OutcomeSchema.options);
const ID_FIELDS = ['actorId', 'complaintId', 'addressId'] as const;
const TEXT_FIELDS = Object.keys(TOUCHPOINT_TEXT_LIMITS) as (keyof typeof TOUCHPOINT_TEXT_LIMITS)[];
const KNOWN: ReadonlySet<string> = new Set([
  'customerId',
  'channel',
  'direction',
  'occurredAt',
  'durationSeconds',
  'participants',
  'outcome',
  'sentiment',
  'externalIds',
  ...ID_FIELDS,
  ...TEXT_FIELDS,
]);

// Stored records are frozen, so the common empty values can be shared instead of made per record.
const NO_PARTICIPANTS: [] = Object.freeze([]) as unknown as [];
const NO_IDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

const isId = (value: unknown) => typeof value === 'string' && ID_PATTERN.test(value);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isCleanText = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max && value.trim() === value && isStorableText(value);

/** A participant zod would accept unchanged (but for the email's case), or undefined. */
function fastParticipant(p: unknown): Record<string, string> | undefined {
  if (!isPlainObject(p)) return undefined;
  for (const key in p) if ((key !== 'name' && key !== 'role' && key !== 'email') || p[key] === undefined) return undefined;
  if (!isCleanText(p.name, 1, PARTICIPANT_LIMITS.name)) return undefined;
  const out: Record<string, string> = { name: p.name };
  if (p.role !== undefined) {
    if (!isCleanText(p.role, 1, PARTICIPANT_LIMITS.role)) return undefined;
    out.role = p.role;
  }
  if (p.email !== undefined) {
    const email = p.email;
    if (typeof email !== 'string' || email.length > 254 || email.trim() !== email || !EMAIL_PATTERN.test(email)) return undefined;
    out.email = email.toLowerCase();
  }
  return out;
}

/**
 * The common case of `TouchpointInputSchema.parse`, without zod's general machinery: logging a
 * touchpoint is the hottest path of the SDK (bulk ingest, sync pulls). It accepts only input it
 * can vouch for — plain objects with known keys, already-trimmed text, no external ids — and returns `undefined` for anything else, which then goes through the zod schema (the
 * single source of truth, and of every error message). A property test checks that whatever it
 * accepts, zod accepts with the same output.
 */
export function fastTouchpointInput(input: unknown): Parsed | undefined {
  if (!isPlainObject(input)) return undefined;
  const i = input;
  for (const key in i) if (!KNOWN.has(key) || i[key] === undefined) return undefined;
  if (!isId(i.customerId) || !CHANNEL_SET.has(i.channel) || (i.direction !== 'inbound' && i.direction !== 'outbound')) return undefined;
  const out: Record<string, unknown> = { customerId: i.customerId, channel: i.channel, direction: i.direction };

  const at = i.occurredAt;
  if (at !== undefined) {
    if (typeof at !== 'string' && !(at instanceof Date)) return undefined;
    const ms = toEpochMs(at);
    if (Number.isNaN(ms)) return undefined;
    out.occurredAt = typeof at === 'string' && CANONICAL_TIMESTAMP.test(at) ? at : new Date(ms).toISOString();
  }
  const duration = i.durationSeconds;
  if (duration !== undefined) {
    if (!Number.isSafeInteger(duration) || (duration as number) < 0 || (duration as number) > MAX_DURATION_SECONDS) return undefined;
    out.durationSeconds = duration;
  }
  for (const field of ID_FIELDS) {
    const value = i[field];
    if (value === undefined) continue;
    if (!isId(value)) return undefined;
    out[field] = value;
  }
  for (const field of TEXT_FIELDS) {
    const value = i[field];
    if (value === undefined) continue;
    const [min, max] = TOUCHPOINT_TEXT_LIMITS[field];
    if (!isCleanText(value, min, max)) return undefined;
    out[field] = value;
  }
  if (i.outcome !== undefined) {
    if (!OUTCOME_SET.has(i.outcome)) return undefined;
    out.outcome = i.outcome;
  }
  const sentiment = i.sentiment;
  if (sentiment !== undefined) {
    if (typeof sentiment !== 'number' || !(sentiment >= -1 && sentiment <= 1)) return undefined;
    out.sentiment = sentiment;
  }
  const participants = i.participants;
  if (participants === undefined) out.participants = NO_PARTICIPANTS;
  else {
    if (!Array.isArray(participants) || participants.length > MAX_PARTICIPANTS) return undefined;
    const list: Record<string, string>[] = [];
    for (const p of participants) {
      const parsed = fastParticipant(p);
      if (!parsed) return undefined;
      list.push(parsed);
    }
    out.participants = list;
  }
  const externalIds = i.externalIds;
  if (externalIds !== undefined) {
    if (!isPlainObject(externalIds)) return undefined;
    for (const _ in externalIds) return undefined;
  }
  out.externalIds = NO_IDS;
  return out as Parsed;
}
