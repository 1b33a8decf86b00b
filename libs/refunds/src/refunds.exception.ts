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
}

/** The one exception class of the refunds module. */
export class RefundsException extends Error {
  constructor(
    readonly code: RefundsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RefundsException';
  }
}
