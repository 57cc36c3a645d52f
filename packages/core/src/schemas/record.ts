import * as z from 'zod/mini';
import { IdSchema, IsoTimestampSchema } from './primitives.js';

/** Fields the SDK assigns to every stored record. */
export const recordMeta = /* @__PURE__ */ (() => ({
  /** Unique, sortable by creation time (a ULID unless you inject another id generator). */
  id: IdSchema,
  /** Starts at 1 and goes up by one on every write: the basis of optimistic concurrency. */
  version: z.number().check(z.int(), z.minimum(1, 'must be at least 1')),
  /** When the record was created (UTC ISO 8601). */
  createdAt: IsoTimestampSchema,
  /** When the record was last written (UTC ISO 8601). */
  updatedAt: IsoTimestampSchema,
}))();

/** The fields every stored record carries. */
export interface RecordMeta {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}
