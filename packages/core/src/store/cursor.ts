import { CrmValidationError } from '../errors/validationError.js';

const encoder = globalThis as unknown as { btoa(data: string): string; atob(data: string): string };

/**
 * Encodes a keyset position as an opaque, URL-safe cursor. `scope` says what kind of query made
 * it (`list`, `history`), so a cursor can't be replayed against another kind of query.
 */
export function encodeCursor(scope: string, key: string): string {
  const raw = `${scope}\u0001${key}`;
  // Keys are ASCII (ids and ISO timestamps), so btoa is safe.
  return encoder.btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const KEY_PATTERN = /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)?[A-Za-z0-9_-]{1,64}$/;

/** Decodes a cursor made by {@link encodeCursor} for `scope`, or throws a validation error naming `cursor`. */
export function decodeCursor(scope: string, cursor: string): string {
  let raw: string;
  try {
    if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('bad');
    raw = encoder.atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    throw CrmValidationError.field('page query', ['cursor'], 'invalid cursor: pass the nextCursor of a previous page');
  }
  const at = raw.indexOf('\u0001');
  const key = raw.slice(at + 1);
  if (at < 0 || raw.slice(0, at) !== scope || !KEY_PATTERN.test(key)) {
    throw CrmValidationError.field('page query', ['cursor'], `invalid cursor: not a cursor of a ${scope} query`);
  }
  return key;
}

/** Checks a page size, or throws a validation error naming `limit`. */
export function checkLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw CrmValidationError.field('page query', ['limit'], `must be a whole number from 1 to ${max}`);
  }
  return limit;
}
