import { CrmError } from './crmError.js';

/**
 * Thrown when a write was based on a stale `version` of a record (someone else changed it first),
 * or when a record to create already exists. Nothing was written. Read the record again and retry.
 */
export class CrmConflictError extends CrmError {
  /** The kind of record. */
  readonly entity: string;
  /** The record's id. */
  readonly id: string;
  /** The version the write expected, or `null` for a create. */
  readonly expectedVersion: number | null;
  /** The version actually stored. */
  readonly currentVersion: number;

  constructor(entity: string, id: string, expectedVersion: number | null, currentVersion: number) {
    super(
      expectedVersion === null
        ? `Cannot create ${entity} "${id}": it already exists (version ${currentVersion})`
        : `Cannot update ${entity} "${id}": expected version ${expectedVersion} but it is at version ${currentVersion}; read it again and retry`,
      { code: 'CONFLICT' },
    );
    this.name = 'CrmConflictError';
    this.entity = entity;
    this.id = id;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}
