import { IdSchema, IsoTimestampSchema, wholeNumber } from './primitives.js';

/** Fields the SDK assigns to every stored record. */
export const recordMeta = /* @__PURE__ */ (() => ({
  /** Unique, sortable by creation time (a ULID unless you inject another id generator). */
  id: IdSchema,
  /** Starts at 1 and goes up by one on every write: the basis of optimistic concurrency. */
  version: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'must be a whole number, 1 or more'),
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
