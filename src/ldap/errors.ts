// LDAP answers other than success: one LdapError for every operation (a result code, text, the
// matched DN and any response controls), the core's error codes as result codes (one table), and
// abandon as a value: an abandoned operation gets no response at all (RFC 4511 section 4.11).
import type { DirectoryError, ErrorCode } from '../directory/errors.js';
import { Result, type Control } from './protocol.js';

export class LdapError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly matchedDN = '',
    readonly controls: Control[] = [],
  ) {
    super(message);
  }
}

/** What an abandoned operation ends with instead of a result. */
export const ABANDONED = Symbol('abandoned');
export type Abandoned = typeof ABANDONED;

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
  'search.too_long': Result.timeLimitExceeded,
};

export function ldapResultFor(err: DirectoryError): [number, string] {
  return [table[err.code] ?? Result.unwillingToPerform, err.message];
}
