/**
 * Every error the API module raises itself. One filter (graphql/error-formatter.ts) maps these codes — and the codes
 * of the auth, ledger and analytics modules — to GraphQL error codes; nothing else reaches a client.
 */
export enum ApiErrorCode {
  /** An argument is malformed or out of bounds (bad address, cursor, range, page size). */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** The query is deeper than the configured limit. */
  QUERY_TOO_DEEP = 'QUERY_TOO_DEEP',
  /** The query's estimated cost is above the configured limit. */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** The caller exceeded its request rate. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** Production allow-list mode: the operation is not a registered persisted query. */
  PERSISTED_QUERY_NOT_ALLOWED = 'PERSISTED_QUERY_NOT_ALLOWED',
  /** The thing named does not exist — or exists outside the caller's scope (the two are indistinguishable on purpose). */
  NOT_FOUND = 'NOT_FOUND',
  /** The caller is known but its role may not do this. */
  FORBIDDEN = 'FORBIDDEN',
  /** The same idempotency key was used with a different request. */
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  /** The operation needs a binding this process does not have (e.g. refund execution without a chain transfer). */
  NOT_AVAILABLE = 'NOT_AVAILABLE',
  /** A dependency could not take the command now (event log, chain broadcast); nothing was decided — retry. */
  UNAVAILABLE = 'UNAVAILABLE',
}

export class ApiException extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiException';
  }
}
