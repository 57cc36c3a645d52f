/** CRM search: request validation, filter evaluation, sorting and paging. */
import { type ObjectType, DEFAULT_RETURNED, resolveType } from './catalogue.js';
import { validationError } from './errors.js';
import { type RecordVersion, type Store, type StoredRecord, parseDateTime } from './store.js';

/** One search filter as sent by clients. */
export interface SearchFilter {
  propertyName?: unknown;
  operator?: unknown;
  value?: unknown;
  highValue?: unknown;
  values?: unknown;
}

/** Limits the search validation needs. */
export interface SearchLimits {
  cap: number;
  maxGroups: number;
  maxFiltersPerGroup: number;
  maxFilters: number;
  maxLimit: number;
  maxBodyChars: number;
}

/** Search limits of the reference (section 6). */
export const SEARCH_LIMITS: Omit<SearchLimits, 'cap'> = {
  maxGroups: 5,
  maxFiltersPerGroup: 6,
  maxFilters: 18,
  maxLimit: 200,
  maxBodyChars: 3000,
};

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

interface Hit {
  rec: StoredRecord;
  version: RecordVersion;
}

/** The result of a search before serialisation. */
export interface SearchPage {
  total: number;
  hits: Hit[];
  properties: string[];
  nextAfter?: string;
}

const asString = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Runs a search body against the records of `type` as the (lagging) index sees them. */
export function runSearch(store: Store, type: ObjectType, body: Record<string, unknown>, limits: SearchLimits): SearchPage {
  const groups = body['filterGroups'] ?? [];
  if (!Array.isArray(groups)) throw validationError('Invalid input JSON: filterGroups must be an array');
  if (groups.length > limits.maxGroups) {
    throw validationError(`Too many filter groups: ${groups.length}. The maximum is ${limits.maxGroups}.`);
  }
  let total = 0;
  const parsedGroups: SearchFilter[][] = [];
  for (const g of groups as Array<{ filters?: unknown }>) {
    const filters = g?.filters ?? [];
    if (!Array.isArray(filters)) throw validationError('Invalid input JSON: filters must be an array');
    if (filters.length > limits.maxFiltersPerGroup) {
      throw validationError(`Too many filters in a filter group: ${filters.length}. The maximum is ${limits.maxFiltersPerGroup}.`);
    }
    total += filters.length;
    for (const f of filters as SearchFilter[]) {
      const op = asString(f?.operator);
      if (!OPERATORS.has(op)) throw validationError(`Invalid operator "${op}"`);
      if (typeof f.propertyName !== 'string' || f.propertyName === '') throw validationError('Each filter needs a propertyName');
      if ((op === 'IN' || op === 'NOT_IN') && !Array.isArray(f.values)) throw validationError(`Operator ${op} needs "values"`);
      if (op === 'BETWEEN' && (f.value === undefined || f.highValue === undefined))
        throw validationError('Operator BETWEEN needs "value" and "highValue"');
    }
    parsedGroups.push(filters as SearchFilter[]);
  }
  if (total > limits.maxFilters) throw validationError(`Too many filters: ${total}. The maximum is ${limits.maxFilters}.`);

  const sorts = body['sorts'] ?? [];
  if (!Array.isArray(sorts)) throw validationError('Invalid input JSON: sorts must be an array');
  if (sorts.length > 1) throw validationError('Only one sort is supported');
  let sort: { name: string; desc: boolean } | undefined;
  const first: unknown = sorts[0];
  if (typeof first === 'string') sort = { name: first.replace(/^-/, ''), desc: first.startsWith('-') };
  else if (first && typeof first === 'object') {
    const s = first as { propertyName?: unknown; direction?: unknown };
    sort = { name: asString(s.propertyName), desc: s.direction === 'DESCENDING' };
  }

  const limit = body['limit'] === undefined ? 10 : Number(body['limit']);
  if (!Number.isInteger(limit) || limit < 0 || limit > limits.maxLimit) {
    throw validationError(`limit must be an integer between 0 and ${limits.maxLimit}`);
  }
  const afterRaw = body['after'];
  const after = afterRaw === undefined || afterRaw === null || afterRaw === '' ? 0 : Number(afterRaw);
  if (!Number.isInteger(after) || after < 0) throw validationError(`Invalid "after": ${asString(afterRaw)}`);
  if (after + limit > limits.cap) {
    throw validationError(`Search results are limited to ${limits.cap} records: after (${after}) + limit (${limit}) is beyond that.`);
  }

  const requested = body['properties'];
  const properties = Array.isArray(requested) && requested.length > 0 ? requested.map(asString) : DEFAULT_RETURNED[type];
  const query = typeof body['query'] === 'string' ? body['query'].trim().toLowerCase() : '';

  const hits: Hit[] = [];
  for (const rec of store.table(type).values()) {
    const version = store.visible(rec);
    if (!version) continue;
    if (parsedGroups.length > 0 && !parsedGroups.some((fs) => fs.every((f) => matches(store, type, rec, version, f)))) continue;
    if (query && !Object.values(version.properties).some((v) => v.toLowerCase().includes(query))) continue;
    hits.push({ rec, version });
  }
  hits.sort((a, b) => a.rec.createdAt - b.rec.createdAt || Number(a.rec.id) - Number(b.rec.id));
  if (sort) {
    const { name, desc } = sort;
    const numeric = isNumeric(store, type, name);
    hits.sort((a, b) => {
      const va = a.version.properties[name];
      const vb = b.version.properties[name];
      if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
      const c = numeric ? (toNumber(va) ?? 0) - (toNumber(vb) ?? 0) : va.localeCompare(vb);
      return desc ? -c : c;
    });
  }
  const page = hits.slice(after, after + limit);
  const next = after + limit;
  return { total: hits.length, hits: page, properties, ...(next < hits.length ? { nextAfter: String(next) } : {}) };
}

function isNumeric(store: Store, type: ObjectType, name: string): boolean {
  const t = store.props(type).get(name)?.type;
  return t === 'number' || t === 'datetime' || t === 'date';
}

function toNumber(value: string): number | undefined {
  return parseDateTime(value);
}

function tokenMatch(value: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  const lower = value.toLowerCase();
  if (re.test(lower)) return true;
  return lower.split(/[\s,;:!?()"'<>[\]{}]+|(?<=\S)[@.\-_/](?=\S)/).some((token) => token !== '' && re.test(token));
}

function matches(store: Store, type: ObjectType, rec: StoredRecord, version: RecordVersion, f: SearchFilter): boolean {
  const name = f.propertyName as string;
  const op = f.operator as string;
  if (name.startsWith('associations.')) {
    const toType = resolveType(name.slice('associations.'.length));
    if (!toType) throw validationError(`Unknown association pseudo-property ${name}`);
    const ids = store.associationsOf(type, rec.id, toType).map((a) => a.toId);
    const wanted = op === 'IN' || op === 'NOT_IN' ? (f.values as unknown[]).map(asString) : [asString(f.value)];
    switch (op) {
      case 'EQ':
      case 'IN':
        return wanted.some((w) => ids.includes(w));
      case 'NEQ':
      case 'NOT_IN':
        return !wanted.some((w) => ids.includes(w));
      case 'HAS_PROPERTY':
        return ids.length > 0;
      case 'NOT_HAS_PROPERTY':
        return ids.length === 0;
      default:
        throw validationError(`Operator ${op} is not supported on ${name}`);
    }
  }
  const def = store.props(type).get(name);
  if (!def) throw validationError(`Property "${name}" does not exist on ${type}`, { subCategory: 'PROPERTY_DOESNT_EXIST' });
  const actual = version.properties[name];
  const numeric = isNumeric(store, type, name);
  const caseSensitive = def.type === 'enumeration';
  const norm = (v: string): string => (caseSensitive ? v : v.toLowerCase());
  const compare = (a: string, b: string): number | undefined => {
    if (numeric) {
      const x = toNumber(a);
      const y = toNumber(b);
      return x === undefined || y === undefined ? undefined : x - y;
    }
    return norm(a) < norm(b) ? -1 : norm(a) > norm(b) ? 1 : 0;
  };
  const value = asString(f.value);
  switch (op) {
    case 'HAS_PROPERTY':
      return actual !== undefined;
    case 'NOT_HAS_PROPERTY':
      return actual === undefined;
    case 'EQ':
      return actual !== undefined && compare(actual, value) === 0;
    case 'NEQ':
      return actual === undefined || compare(actual, value) !== 0;
    case 'LT':
    case 'LTE':
    case 'GT':
    case 'GTE': {
      if (actual === undefined) return false;
      const c = compare(actual, value);
      if (c === undefined) return false;
      return op === 'LT' ? c < 0 : op === 'LTE' ? c <= 0 : op === 'GT' ? c > 0 : c >= 0;
    }
    case 'BETWEEN': {
      if (actual === undefined) return false;
      const lo = compare(actual, value);
      const hi = compare(actual, asString(f.highValue));
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
    case 'IN':
      return actual !== undefined && (f.values as unknown[]).some((v) => compare(actual, asString(v)) === 0);
    case 'NOT_IN':
      return actual === undefined || !(f.values as unknown[]).some((v) => compare(actual, asString(v)) === 0);
    case 'CONTAINS_TOKEN':
      return actual !== undefined && tokenMatch(actual, value);
    case 'NOT_CONTAINS_TOKEN':
      return actual === undefined || !tokenMatch(actual, value);
    default:
      return false;
  }
}
