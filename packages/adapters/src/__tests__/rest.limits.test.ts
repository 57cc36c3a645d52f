import { memoryStore } from '@crm/core';
import { expect, it } from 'vitest';
import { createRestHandler } from '../rest/index.js';

it('a write body with thousands of unknown keys gets at most 100 issues back, and nothing is written', async () => {
  const store = memoryStore();
  const handler = createRestHandler({ store, authorize: () => ({ tenant: 't' }) });
  const body = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i]));
  const response = await handler(
    new Request('http://localhost/writes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ops: [], ...body }),
    }),
  );
  expect(response.status).toBe(400);
  const text = await response.text();
  const problem = JSON.parse(text) as { issues: unknown[] };
  expect(problem.issues).toHaveLength(100);
  expect(text.length).toBeLessThan(30_000);
  expect((await store.changes({ since: 0 })).changes).toEqual([]);
});
