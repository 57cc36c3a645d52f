import { CrmError } from './crmError.js';

/**
 * Thrown by `changes({ since })` when `since` is older than the store's retention horizon: the
 * changes after it are no longer kept, so reading on would leave a silent gap. Resynchronise:
 * note `lastSeq`, read the records again (`list`), then follow the feed from `lastSeq`.
 */
export class CrmFeedExpiredError extends CrmError {
  /** The `since` that was asked for. */
  readonly since: number;
  /** The oldest `since` the store still answers: every change after it is kept. */
  readonly horizon: number;
  /** The newest change's seq when the error was thrown: where to follow on from after a resync. */
  readonly lastSeq: number;

  constructor(since: number, horizon: number, lastSeq: number) {
    super(
      `The change feed no longer holds the changes after ${since}: it is kept from ${horizon} on. ` +
        `Resynchronise: read the records again, then follow the feed from ${lastSeq}`,
      { code: 'FEED_EXPIRED' },
    );
    this.name = 'CrmFeedExpiredError';
    this.since = since;
    this.horizon = horizon;
    this.lastSeq = lastSeq;
  }
}
