/**
 * Every error the refunds module raises itself. Rules of the payment aggregate (amount above the refundable, refund in
 * flight, dispute open, …) are refused by the ledger and propagate unchanged as `LedgerException` with its own code;
 * transports map both classes in one filter. The message is for humans and logs, never parsed.
 */
export enum RefundsErrorCode {
  /** The payment, refund or dispute does not exist (or is not visible to the caller). */
  NOT_FOUND = 'NOT_FOUND',
  /** The caller is known but may not do this (e.g. a payer approving a refund, a provider deciding a dispute won). */
  FORBIDDEN = 'FORBIDDEN',
  /** The input is malformed: amount, idempotency key, evidence, outcome. */
  INVALID_INPUT = 'INVALID_INPUT',
  /** A provider-signed EIP-3009 refund authorization does not fit the refund (signature, from, to, value, window). */
  AUTHORIZATION_REJECTED = 'AUTHORIZATION_REJECTED',
  /** The payer's SIWx proof does not verify or does not prove that it paid this payment. */
  PROOF_REJECTED = 'PROOF_REJECTED',
  /** The payment's network is not configured for refunds (no chain, no signer, or unknown asset). */
  NETWORK_NOT_CONFIGURED = 'NETWORK_NOT_CONFIGURED',
  /** No hot wallet may pay this refund now (none configured for its payTo, or above its per-refund / per-day limit). */
  HOT_WALLET_UNAVAILABLE = 'HOT_WALLET_UNAVAILABLE',
  /** A refund transaction could not be signed or broadcast. */
  SUBMISSION_FAILED = 'SUBMISSION_FAILED',
  /** The event log did not take the facts (after retries); nothing was decided. */
  NOT_RECORDED = 'NOT_RECORDED',
  /** The workflow index has not finished reading the event log yet. */
  NOT_READY = 'NOT_READY',
  /**
   * Retryable: this process does not own the payment's stream now (Kafka mode: another writer process holds its
   * partition, or the partition is being rebalanced / caught up). `details.ownerUrl` names the owner when known.
   */
  NOT_OWNER = 'NOT_OWNER',
  /**
   * Retryable: another writer appended to the payment's stream first (the log's order decided against these
   * facts; they are ignored by every fold) — nothing followed from them. Retry: the command is decided again.
   */
  WRITE_CONFLICT = 'WRITE_CONFLICT',
}

/** Where to retry a NOT_OWNER / WRITE_CONFLICT command. */
export interface RetryDetails {
  partition?: number;
  ownerUrl?: string | null;
  retryAfterMs?: number;
}

/** The one exception class of the refunds module. */
export class RefundsException extends Error {
  constructor(
    readonly code: RefundsErrorCode,
    message: string,
    options?: { cause?: unknown; details?: RetryDetails },
  ) {
    super(message, options);
    this.name = 'RefundsException';
    this.details = options?.details;
  }

  readonly details?: RetryDetails;

  /** True for the codes a caller should simply retry (possibly against the owner). */
  get retryable(): boolean {
    return (
      this.code === RefundsErrorCode.NOT_OWNER ||
      this.code === RefundsErrorCode.WRITE_CONFLICT ||
      this.code === RefundsErrorCode.NOT_RECORDED ||
      this.code === RefundsErrorCode.NOT_READY
    );
  }
}
