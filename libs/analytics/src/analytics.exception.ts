/** Every error the analytics module raises. Transports map `code` to HTTP/GraphQL errors; the message is for humans. */
export enum AnalyticsErrorCode {
  /** CLICKHOUSE_URL does not parse (scheme, path, credentials). */
  INVALID_URL = 'INVALID_URL',
  /** A migration file is malformed (name, empty, unreadable) or a statement failed. */
  MIGRATION_FAILED = 'MIGRATION_FAILED',
  /** An applied migration's file changed since it was applied. */
  MIGRATION_CHECKSUM_MISMATCH = 'MIGRATION_CHECKSUM_MISMATCH',
  /** A query argument is invalid (unknown interval or dimension, bad range, bad cursor, limit out of bounds). */
  INVALID_QUERY = 'INVALID_QUERY',
  /** ClickHouse did not answer or refused a statement. `cause` keeps the client's error. */
  CLICKHOUSE_FAILED = 'CLICKHOUSE_FAILED',
  /** The projector was stopped while a batch was still being written (the batch stays uncommitted). */
  PROJECTOR_STOPPED = 'PROJECTOR_STOPPED',
  /** A piece the call needs is not wired (e.g. the projector without an EventLog provider). */
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  /** A chain's JSON-RPC failed while reconciling (unreachable, refused a call). `cause` keeps viem's error. */
  CHAIN_FAILED = 'CHAIN_FAILED',
  /** The client was closed. */
  CLOSED = 'CLOSED',
}

export class AnalyticsException extends Error {
  constructor(
    readonly code: AnalyticsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AnalyticsException';
  }
}
