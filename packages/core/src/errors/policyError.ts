import { CrmError } from './crmError.js';

/** Thrown when an action breaks a policy (for example contacting a customer too often). */
export class CrmPolicyError extends CrmError {
  /** The rule that blocked the action, such as `max_per_window` or `quiet_hours`. */
  readonly rule: string;
  /** The earliest instant at which the action would be allowed, when there is one. */
  readonly allowedAt: Date | null;

  constructor(message: string, options: { rule: string; allowedAt?: Date | null }) {
    super(message, { code: 'POLICY' });
    this.name = 'CrmPolicyError';
    this.rule = options.rule;
    this.allowedAt = options.allowedAt ?? null;
  }
}
