/**
 * Every error the ledger core raises. Transports map `code` to HTTP/GraphQL errors in one filter; the message is
 * for humans and logs, never parsed.
 */
export enum LedgerErrorCode {
  /** An envelope or its data does not match the registered contract (also: bytes that are not JSON). */
  INVALID_EVENT = 'INVALID_EVENT',
  /** No contract is registered under this event type. */
  UNKNOWN_EVENT_TYPE = 'UNKNOWN_EVENT_TYPE',
  /** The type is known but this schema version is not. */
  UNKNOWN_EVENT_VERSION = 'UNKNOWN_EVENT_VERSION',
  /** A value cannot be serialized canonically (bigint, NaN, undefined in an array, …). */
  NON_CANONICAL_VALUE = 'NON_CANONICAL_VALUE',
  /** A command's payload is malformed (bad amount, bad address, missing field). */
  INVALID_COMMAND = 'INVALID_COMMAND',
  /** An id cannot be derived from these inputs (empty part or a `|` inside a part). */
  INVALID_ID_INPUT = 'INVALID_ID_INPUT',
  /** An envelope was applied to the wrong stream, out of sequence, or for another tenant. */
  STREAM_MISMATCH = 'STREAM_MISMATCH',
  /** The command is valid but not allowed from the current state. */
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  /** The payment, refund, dispute, session or nonce is in a terminal state. */
  TERMINAL_STATE = 'TERMINAL_STATE',
  /** The payment, refund, dispute or session the command names does not exist on this stream. */
  NOT_FOUND = 'NOT_FOUND',
  /** A fact about a payment contradicts what the stream already recorded (amount, payer, payTo, …). */
  PAYMENT_MISMATCH = 'PAYMENT_MISMATCH',
  /** The payment is already settled by another transaction. */
  ALREADY_SETTLED = 'ALREADY_SETTLED',
  /** Refunds and disputes need a settled payment. */
  NOT_SETTLED = 'NOT_SETTLED',
  /** Σ refunds would exceed the settled amount. */
  REFUND_EXCEEDS_SETTLED = 'REFUND_EXCEEDS_SETTLED',
  /** Another refund of this payment is still in flight (requested, approved or submitted). */
  REFUND_IN_FLIGHT = 'REFUND_IN_FLIGHT',
  /** A refund's confirmed amount differs from its requested amount. */
  REFUND_AMOUNT_MISMATCH = 'REFUND_AMOUNT_MISMATCH',
  /** The same id (idempotency key) was reused with a different request. */
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  /** An open dispute blocks new refunds (and new disputes). */
  DISPUTE_OPEN = 'DISPUTE_OPEN',
  /** The payment already had a dispute decided (won or lost). */
  ALREADY_DISPUTED = 'ALREADY_DISPUTED',
  /** The payment is fully refunded. */
  ALREADY_REFUNDED = 'ALREADY_REFUNDED',
  /** A lost dispute awaits its payout: only that payout refund may be requested. */
  DISPUTE_PAYOUT_PENDING = 'DISPUTE_PAYOUT_PENDING',
  /** A session usage batch would exceed maxCalls or the budget. */
  SESSION_LIMIT_EXCEEDED = 'SESSION_LIMIT_EXCEEDED',
  /** A session cannot be expired before its expiresAt. */
  SESSION_NOT_EXPIRED = 'SESSION_NOT_EXPIRED',
  /** A SIWx nonce was already consumed. */
  NONCE_ALREADY_CONSUMED = 'NONCE_ALREADY_CONSUMED',
  /** A SIWx nonce is past its expiresAt. */
  NONCE_EXPIRED = 'NONCE_EXPIRED',
  /** Postings of one event do not balance per asset. */
  UNBALANCED_POSTINGS = 'UNBALANCED_POSTINGS',
}

export class LedgerException extends Error {
  constructor(
    public readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LedgerException';
  }
}
