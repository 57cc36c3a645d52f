import { parseOrThrow } from '../schemas/parse.js';
import type { HistoryItem, Page } from '../store/types.js';
import { getOrThrow, type ServiceContext } from './context.js';
import { HistoryQuerySchema, type CrmHistoryQuery } from './query.js';

/**
 * A customer's whole history: touchpoints and complaint activity (responses, hand-offs with
 * their reasons, status changes) merged, newest first.
 */
export type HistoryFn = (customerId: string, query?: CrmHistoryQuery) => Promise<Page<HistoryItem>>;

export function historyService(ctx: ServiceContext): HistoryFn {
  return async (customerId, raw = {}) => {
    const query = parseOrThrow(HistoryQuerySchema, raw, 'history query');
    await getOrThrow(ctx, 'customers', customerId);
    return ctx.store.history(customerId, query);
  };
}
