import {
  ComplaintSchema,
  CrmValidationError,
  CustomerSchema,
  TouchpointSchema,
  formatPath,
  isCrmValidationError,
  parseOrThrow,
  wholeNumber,
  type EntityName,
  type ValidationIssue,
  type WriteOp,
} from '@crm/core';
import * as z from 'zod/mini';
import { ordinal } from './query.js';

/** The stored-record schema of each entity: what every record of a write must parse with. */
export const RECORD_SCHEMAS = {
  customers: CustomerSchema,
  touchpoints: TouchpointSchema,
  complaints: ComplaintSchema,
} as const;

/** The envelope of one write op; its `record` is parsed with the entity's schema afterwards. */
const OpEnvelopeSchema = z.strictObject({
  type: z.enum(['create', 'update', 'delete']),
  entity: z.enum(['customers', 'touchpoints', 'complaints']),
  record: z.optional(z.unknown()),
  id: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  expectedVersion: z.optional(wholeNumber(0, Number.MAX_SAFE_INTEGER, 'must be a whole number, 0 or more')),
});

/** The body of `POST /writes`. */
export const WriteBodySchema = z.strictObject({
  ops: z.array(z.unknown()),
  /** Who made the write (`app` by default): carried by its changes. */
  origin: z.optional(z.string().check(z.maxLength(64))),
});

/** The most issues one answer lists: enough to fix a form, not a way to make the server work for nothing. */
const MAX_ISSUES = 100;
const SUBJECT = 'store write';

/**
 * Checks the body of `POST /writes` and returns its ops with every record parsed by the stored
 * record schema of its entity (`CustomerSchema`, `TouchpointSchema`, `ComplaintSchema`), or throws
 * one {@link CrmValidationError} listing the problems of every op, with paths from the body
 * (`ops[1].record.emails[0]`). Rejected values never appear in the messages.
 */
export function parseWriteBody(body: unknown): { ops: WriteOp[]; origin: string | undefined } {
  let ops: unknown[];
  let origin: string | undefined;
  try {
    ({ ops, origin } = parseOrThrow(WriteBodySchema, body, SUBJECT));
  } catch (error) {
    if (!(error instanceof CrmValidationError)) throw error;
    // A body with thousands of unknown keys must not make an answer thousands of issues long.
    const issues: ValidationIssue[] = [];
    attempt(() => {
      throw new CrmValidationError(SUBJECT, error.issues.slice(0, MAX_ISSUES));
    }, [], body, issues);
    throw new CrmValidationError(SUBJECT, issues);
  }
  const issues: ValidationIssue[] = [];
  if (ops.length === 0) issues.push(at(['ops'], 'too_small', 'expected at least one operation'));
  const parsed: WriteOp[] = [];
  for (let i = 0; i < ops.length && issues.length < MAX_ISSUES; i++) {
    const op = ops[i];
    const envelope = attempt(() => parseOrThrow(OpEnvelopeSchema, op, SUBJECT), ['ops', i], op, issues);
    if (!envelope) continue;
    if (envelope.type !== 'create' && envelope.expectedVersion === undefined) {
      issues.push(at(['ops', i, 'expectedVersion'], 'invalid_type', `is required for ${envelope.type === 'update' ? 'an update' : 'a delete'}`));
      continue;
    }
    if (envelope.type === 'delete') {
      if (envelope.id === undefined) issues.push(at(['ops', i, 'id'], 'invalid_type', 'is required for a delete'));
      else if (envelope.record !== undefined) issues.push(at(['ops', i, 'record'], 'unknown_field', 'a delete has no record'));
      else parsed.push({ type: 'delete', entity: envelope.entity, id: envelope.id, expectedVersion: envelope.expectedVersion! } as WriteOp);
      continue;
    }
    if (envelope.record === undefined) {
      issues.push(at(['ops', i, 'record'], 'invalid_type', 'is required'));
      continue;
    }
    if (envelope.id !== undefined) {
      issues.push(at(['ops', i, 'id'], 'unknown_field', 'only a delete has an id (a record carries its own)'));
      continue;
    }
    if (envelope.type === 'create' && envelope.expectedVersion !== undefined) {
      issues.push(at(['ops', i, 'expectedVersion'], 'unknown_field', 'only an update has an expectedVersion'));
      continue;
    }
    const entity: EntityName = envelope.entity;
    const record = attempt(
      () => parseOrThrow(RECORD_SCHEMAS[entity], envelope.record, SUBJECT),
      ['ops', i, 'record'],
      envelope.record,
      issues,
    );
    if (!record) continue;
    parsed.push(
      envelope.type === 'create'
        ? ({ type: 'create', entity, record } as WriteOp)
        : ({ type: 'update', entity, record, expectedVersion: envelope.expectedVersion } as WriteOp),
    );
  }
  if (issues.length > 0) throw new CrmValidationError(SUBJECT, issues.slice(0, MAX_ISSUES));
  return { ops: parsed, origin };
}

const at = (path: (string | number)[], code: string, message: string): ValidationIssue => ({
  path,
  field: formatPath(path),
  code,
  message,
});

/**
 * Runs a parse; on a validation error, adds its issues under `prefix` (values redacted, key names
 * hidden) and returns undefined.
 */
function attempt<T>(parse: () => T, prefix: (string | number)[], input: unknown, issues: ValidationIssue[]): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!isCrmValidationError(error)) throw error;
    for (const found of error.issues) {
      const { path: inner, message } = hideKeys(found, input);
      const path = [...prefix, ...inner];
      issues.push({ path, field: formatPath(path), code: found.code, message: redact(message, valueAt(input, found.path)) });
    }
    return undefined;
  }
}

/**
 * An issue's path and message without key names the client chose, which can be personal data
 * (`externalIds: { "mei@example.tw": "1" }`): an unknown key is named by its position in its
 * object (`has an unknown key (the 3rd)`), a system name of `externalIds` by its index
 * (`externalIds[0]`). Field names of the schemas stay: they are ours.
 */
function hideKeys(found: ValidationIssue, input: unknown): { path: (string | number)[]; message: string } {
  const path: (string | number)[] = [];
  let value = input;
  for (let i = 0; i < found.path.length; i++) {
    const key = found.path[i]!;
    const keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    if (typeof key === 'string' && found.code === 'unknown_field' && i === found.path.length - 1) {
      // Keep a suggestion of a field of ours (`did you mean "emails"?`): it names no input.
      const hint = /; did you mean "[A-Za-z]+"\?$/.exec(found.message)?.[0] ?? '';
      const position = keys.indexOf(key);
      return { path, message: `has an unknown key${position >= 0 ? ` (the ${ordinal(position + 1)})` : ''}${hint}` };
    }
    path.push(typeof key === 'string' && found.path[i - 1] === 'externalIds' && keys.includes(key) ? keys.indexOf(key) : key);
    value = value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return { path, message: found.message };
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

const QUOTED = /"(?:[^"\\]|\\.)*"/g;

/**
 * A message without any quotation of the rejected `value`: a few schema messages quote the value
 * they reject (`unknown language tag "…"`), and the API never sends input back.
 */
export function redact(message: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') return message;
  return message.replace(QUOTED, (quoted) => {
    let literal: unknown;
    try {
      literal = JSON.parse(quoted);
    } catch {
      return quoted;
    }
    // The value itself, or the first 32 or more characters of it (messages shorten long values).
    const quotesValue =
      typeof literal === 'string' && value.startsWith(literal) && (literal.length === value.length || literal.length >= 32);
    return quotesValue ? '(value not shown)' : quoted;
  });
}
