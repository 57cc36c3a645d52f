import { CrmError } from './crmError.js';

/** Thrown by adapters when a remote service (HubSpot, Salesforce, a REST backend) answers with an error. */
export class CrmRemoteError extends CrmError {
  /** The HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** The remote service's own error code, when it sent one. */
  readonly remoteCode: string | null;
  /** Whether the same request may succeed if sent again later. */
  readonly retryable: boolean;

  constructor(message: string, options: { status: number; remoteCode?: string | null; retryable: boolean; cause?: unknown }) {
    super(message, { code: 'REMOTE', cause: options.cause });
    this.name = 'CrmRemoteError';
    this.status = options.status;
    this.remoteCode = options.remoteCode ?? null;
    this.retryable = options.retryable;
  }
}
