import { CrmError } from './crmError.js';

/** Thrown when a record that an operation needs does not exist. */
export class CrmNotFoundError extends CrmError {
  /** The kind of record: `customer`, `touchpoint`, `complaint`, `staff`, … */
  readonly entity: string;
  /** The id that was looked up. */
  readonly id: string;

  constructor(entity: string, id: string) {
    super(`No ${entity} with id "${id}" exists`, { code: 'NOT_FOUND' });
    this.name = 'CrmNotFoundError';
    this.entity = entity;
    this.id = id;
  }
}
