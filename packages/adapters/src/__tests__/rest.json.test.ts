import { describe, expect, it } from 'vitest';
import { safeJson } from '../rest/json.js';

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

describe('safeJson', () => {
  it('gives the same JSON value as JSON.stringify, whatever the shape', () => {
    const samples: unknown[] = [
      null,
      0,
      -1.5,
      'text',
      true,
      [],
      {},
      [1, undefined, () => 1, 'x', null],
      { a: undefined, b: () => 1, c: Symbol('x'), d: [{ e: new Date(0) }], 'key "quoted"': 1 },
      { items: [deepFreeze({ id: 'r1', tags: ['a'], nested: { x: 1 } }), { id: 'r2', record: deepFreeze({ id: 'r3' }) }], nextCursor: null },
      { deep: { deeper: { deepest: { bottom: { x: [1, { y: 2 }] } } } } },
      Object.assign(Object.create(null), { bare: 1 }),
      new Map([[1, 2]]),
      { toJSON: () => ({ replaced: true }) },
    ];
    for (const value of samples) expect(JSON.parse(safeJson(value))).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
  });

  it('escapes markup and line separators everywhere, keys included, in frozen records too', () => {
    const record = deepFreeze({ name: '<script>alert("&")</script>', line: 'a\u2028b\u2029c' });
    const text = safeJson({ items: [record], ['<k>']: '>' });
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text).toBe(
      '{"items":[{"name":"\\u003cscript\\u003ealert(\\"\\u0026\\")\\u003c/script\\u003e","line":"a\\u2028b\\u2029c"}],"\\u003ck\\u003e":"\\u003e"}',
    );
    expect(JSON.parse(text)).toEqual({ items: [record], '<k>': '>' });
  });

  it('reuses the JSON of a frozen record, and never of a record that is not frozen', () => {
    const frozen = deepFreeze({ id: 'a', n: 1 });
    const mutable = { id: 'b', n: 1 };
    expect(safeJson([frozen, mutable])).toBe('[{"id":"a","n":1},{"id":"b","n":1}]');
    mutable.n = 2;
    expect(safeJson([frozen, mutable])).toBe('[{"id":"a","n":1},{"id":"b","n":2}]');
  });
});
