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
  'service.busy': 'The server is busy',
  'search.too_long': 'The search ran longer than the server allows',
  'service.not_found': 'No such service account',
  'service.exists': 'The service account already exists',
  'connector.unknown': 'No such connector',
  'connector.invalid_config': 'The connector configuration is not valid',
  'connector.wrong_feed': 'That connector reads another kind of feed',
  'sync_run.not_found': 'No such sync run',
  'sync_run.not_held': 'The sync run is not held',
  'review.not_found': 'No such review item',
  'review.resolved': 'The review item is already resolved',
  'move_request.not_found': 'No such move request',
  'move_request.resolved': 'The move request is already resolved',
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

/** The causes of an error, outermost first (drizzle wraps the driver's error in its own). */
function* causes(err: unknown): Generator<Record<string, unknown>> {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    yield e as Record<string, unknown>;
  }
}

const lostConnection = new RegExp(
  'connection terminated|connection error|econnrefused|timeout exceeded when trying to connect|' +
    'pglite is closed|the database system is (starting up|shutting down)',
  'i',
);

/**
 * The directory is not serving yet: start-up has not reached and migrated its database (issue 15).
 * Its message says which database, and why.
 */
export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
}

/**
 * Whether the database could not be reached (refused, cut, shutting down): the front ends answer
 * "try again later" (REST 503, LDAP unavailable) instead of an internal error.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof DatabaseUnavailable) return true;
    const code = typeof e.code === 'string' ? e.code : '';
    if (
      /^(08|57P0)/.test(code) ||
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code)
    )
      return true;
    if (typeof e.message === 'string' && lostConnection.test(e.message)) return true;
  }
  return false;
}

/** Whether PostgreSQL stopped a statement at its time limit (statement_timeout) or on request. */
export const isStatementCancelled = (err: unknown): boolean => [...causes(err)].some((e) => e.code === '57014');

/**
 * What may be logged or shown of an error: the database's SQLSTATE and its one-line message, never
 * the statement or its parameters (drizzle puts both, identifier HMACs included, in its message).
 */
export function describeError(err: unknown): { code?: string; message: string } {
  let found: { code?: string; message: string } | undefined;
  for (const e of causes(err)) {
    if (typeof e.message !== 'string' || /^Failed query:/.test(e.message)) continue;
    found = {
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      message: e.message.split('\n')[0].slice(0, 300),
    };
    if (found.code) break;
  }
  return found ?? { message: 'unknown error' };
}
