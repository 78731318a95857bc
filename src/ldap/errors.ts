// The core's error codes as LDAP result codes: one table, used by every operation.
import type { DirectoryError, ErrorCode } from '../directory/errors.js';
import { Result } from './protocol.js';

const table: Partial<Record<ErrorCode, number>> = {
  'auth.forbidden': Result.insufficientAccessRights,
  'auth.invalid_credentials': Result.invalidCredentials,
  'person.not_found': Result.noSuchObject,
  'mailbox.not_found': Result.noSuchObject,
  'organisation.not_found': Result.noSuchObject,
  'service.not_found': Result.noSuchObject,
  'validation.failed': Result.constraintViolation,
  'quota.limit_reached': Result.constraintViolation,
  'service.busy': Result.busy,
};

export function ldapResultFor(err: DirectoryError): [number, string] {
  return [table[err.code] ?? Result.unwillingToPerform, err.message];
}
