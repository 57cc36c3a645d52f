import type { Crm } from '../crm.js';
import type { Complaint } from '../schemas/complaint.js';
import { RecordObserver, type RecordSnapshot } from './recordObserver.js';

/**
 * What {@link ComplaintObserver.getSnapshot} returns.
 *
 * @example
 * ```ts
 * const { data: complaint }: ComplaintSnapshot = observer.getSnapshot()
 * ```
 */
export type ComplaintSnapshot = RecordSnapshot<Complaint>;

/**
 * One complaint, live, with its activity log: read with `crm.complaints.get`, then kept up to date
 * from the CRM's change feed, whoever changed it. A deleted complaint turns the snapshot into an
 * `error` (`CrmNotFoundError`) without data.
 *
 * @example
 * ```ts
 * const observer = new ComplaintObserver(crm, complaintId)
 * const stop = observer.subscribe(({ data }) => console.log(data?.status, data?.activity.length))
 * ```
 */
export class ComplaintObserver extends RecordObserver<'complaints'> {
  constructor(crm: Crm, complaintId: string) {
    super(crm, 'complaints', 'complaint', complaintId);
  }

  protected load(): Promise<Complaint> {
    return this.crm.complaints.get(this.id);
  }
}
