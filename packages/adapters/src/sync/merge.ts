/**
 * How a pulled record meets its local twin: the conflict policy. By default the newer `updatedAt`
 * wins, for the whole record; a policy can pin fields to one side (`remote`: the remote CRM owns
 * it, `local`: we do) or leave them to `newer`.
 *
 * @module
 */
import type { EntityRecords } from '@crm/core';
import type { PulledRecord, SyncEntity } from './contract.js';

/** Who wins when a field differs: the side changed last (`newer`), always the remote, or always us. */
export type ConflictRule = 'newer' | 'remote' | 'local';

/**
 * The conflict policy of a pull: a rule for every field (`default`), and rules per entity and
 * field that override it.
 *
 * @example
 * ```ts
 * // HubSpot owns the lifecycle stage and the owner; everything else: the newer side wins.
 * const conflicts: ConflictPolicy = { fields: { customers: { kind: 'remote', ownerId: 'remote' } } }
 * ```
 */
export interface ConflictPolicy {
  /** @default 'newer' */
  default?: ConflictRule;
  /** Rules by entity and field name; custom fields as `fields.<name>` (or `fields` for all of them). */
  fields?: { [E in SyncEntity]?: Partial<Record<string, ConflictRule>> };
}

/** What a merge decided. */
export interface MergeResult<E extends SyncEntity> {
  /** The merged record (version and `updatedAt` not yet bumped), or `null` when nothing changes locally. */
  record: EntityRecords[E] | null;
  /** The fields taken from the remote. */
  changed: string[];
}

/** Two JSON values are the same value (objects compared key by key, in any order). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameValue(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!sameValue(left[key], right[key])) return false;
  return true;
}

/**
 * Merges the fields a pulled record carries into the local record, field by field, by the policy:
 * a field whose rule is `newer` takes the remote value when the remote `updatedAt` is later than
 * the local one. Fields the pull doesn't carry are never touched.
 */
export function mergePulled<E extends SyncEntity>(
  local: EntityRecords[E],
  pulled: PulledRecord<E>,
  policy: ConflictPolicy = {},
): MergeResult<E> {
  const rules: Partial<Record<string, ConflictRule>> = policy.fields?.[pulled.entity] ?? {};
  const fallback = policy.default ?? 'newer';
  const remoteIsNewer = Date.parse(pulled.updatedAt) > Date.parse(local.updatedAt);
  const next: Record<string, unknown> = { ...local };
  const changed: string[] = [];
  for (const [field, value] of Object.entries(pulled.data as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (field === 'fields' && value !== null && typeof value === 'object') {
      // Custom fields merge one by one, each by its own rule (`fields.tier`, else `fields`, else the default).
      const mine = { ...((local as { fields?: Record<string, unknown> }).fields ?? {}) };
      let touched = false;
      for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
        const rule = rules[`fields.${name}`] ?? rules.fields ?? fallback;
        if (!(rule === 'remote' || (rule === 'newer' && remoteIsNewer)) || sameValue(mine[name], fieldValue)) continue;
        if (fieldValue === null) delete mine[name];
        else mine[name] = fieldValue;
        changed.push(`fields.${name}`);
        touched = true;
      }
      if (touched) next.fields = mine;
      continue;
    }
    const rule = rules[field] ?? fallback;
    const takeRemote = rule === 'remote' || (rule === 'newer' && remoteIsNewer);
    if (!takeRemote || sameValue((local as Record<string, unknown>)[field], value)) continue;
    next[field] = value;
    changed.push(field);
  }
  return { record: changed.length === 0 ? null : (next as EntityRecords[E]), changed };
}
