export { CrmError, isCrmError, type CrmErrorCode } from './crmError.js';
export { CrmValidationError, isCrmValidationError, formatPath, type ValidationIssue } from './validationError.js';
export { CrmNotFoundError } from './notFoundError.js';
export { CrmConflictError } from './conflictError.js';
export { CrmPolicyError } from './policyError.js';
export { CrmRemoteError } from './remoteError.js';
export { CrmFeedExpiredError } from './feedExpiredError.js';
