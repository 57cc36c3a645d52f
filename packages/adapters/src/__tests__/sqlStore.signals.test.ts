import { CONTRACT_EPOCH, makeTouchpoint, newId } from '@crm/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, pgliteDriver, sqlStore } from '../sql/index.js';

const driver = pgliteDriver();
afterAll(() => driver.close());

describe('sqlStore: migration 2 (touchpoint signal state)', () => {
  it('adds the signal column and fills it from touchpoints stored before it, so the filter finds them', async () => {
    expect(await migrate(driver, MIGRATIONS.filter((m) => m.version === 1))).toBe(1);
    const tenant = newId();
    const customerId = newId();
    const signal = { state: 'suggested' as const, reasons: ['outcome is "complaint"'], matches: [], detectedAt: CONTRACT_EPOCH };
    const flagged = makeTouchpoint(customerId, { signal });
    const plain = makeTouchpoint(customerId);
    for (const [i, tp] of [flagged, plain].entries()) {
      await driver.query(
        'INSERT INTO crm_touchpoints (tenant, id, version, seq, customer_id, channel, direction, occurred_at, record) ' +
          "VALUES ($1, $2, 1, $3, $4, 'call', 'inbound', $5, $6::jsonb)",
        [tenant, tp.id, i + 1, customerId, tp.occurredAt, JSON.stringify(tp)],
      );
    }
    // A driver object of its own: migrate runs again for it, from version 1.
    const store = sqlStore({ driver: { ...driver }, tenant });
    expect((await store.list('touchpoints', { filter: { signal: 'suggested' } })).items).toEqual([flagged]);
    expect((await store.list('touchpoints', { filter: { signal: 'dismissed' } })).items).toEqual([]);
    expect((await store.list('touchpoints', { filter: { customerId } })).items.map((t) => t.id)).toEqual([plain.id, flagged.id]);
    const { rows } = await driver.query<{ version: number }>('SELECT version FROM crm_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});
