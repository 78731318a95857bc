// The error catalogue: every refusal the core can give, with a stable code that the front ends map
// once each (HTTP status in src/http, LDAP result code in src/ldap).

export const errorCatalogue = {
  'validation.failed': 'The input is not valid',
  'organisation.not_found': 'No such organisation',
  'organisation.exists': 'The organisation already exists',
  'organisation.invalid_code': 'An ODS code is 1 to 9 upper-case letters and digits',
  'organisation.closed': 'The organisation is closed',
  'person.not_found': 'No such person',
  'person.invalid_name': 'The name leaves nothing to make an address from',
  'person.not_active': 'The person is a leaver',
  'person.already_active': 'The person is already active in that organisation',
  'person.not_deleted': 'The person is not soft-deleted',
  'mailbox.not_found': 'No such mailbox',
  'mailbox.no_owner': 'A generic mailbox needs an active owning person',
  'quota.invalid_tier': 'Quota tiers are 50, 200, 500 and 1024 MB',
  'quota.limit_reached': 'The organisation has no room for another mailbox of that size',
  'auth.forbidden': 'You are not allowed to do that',
  'auth.invalid_credentials': 'Invalid credentials',
  'service.not_found': 'No such service account',
  'service.exists': 'The service account already exists',
  'connector.unknown': 'No such connector',
  'connector.invalid_config': 'The connector configuration is not valid',
  'connector.wrong_feed': 'That connector reads another kind of feed',
  'sync_run.not_found': 'No such sync run',
  'sync_run.not_held': 'The sync run is not held',
  'review.not_found': 'No such review item',
  'review.resolved': 'The review item is already resolved',
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class DirectoryError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    /** Per-field messages, where there are several. */
    readonly fields?: Record<string, string>,
  ) {
    super(detail ?? errorCatalogue[code]);
    this.name = 'DirectoryError';
  }
}

export function fail(code: ErrorCode, detail?: string, fields?: Record<string, string>): never {
  throw new DirectoryError(code, detail, fields);
}
