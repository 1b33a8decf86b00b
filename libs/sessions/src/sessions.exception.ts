/** Every error the session service raises. The HTTP filter maps codes to statuses; messages are for humans. */
export enum SessionsErrorCode {
  /** A request body/query is malformed (400). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** No or an unknown API key (401). */
  UNAUTHORIZED = 'UNAUTHORIZED',
  /** The caller may not do this (another tenant's session, admin-only operation) (403). */
  FORBIDDEN = 'FORBIDDEN',
  /** The SIWx proof is refused; `reason` carries the official x402 SIWx code, e.g. `invalid_siwx_nonce` (401). */
  SIWX_REJECTED = 'SIWX_REJECTED',
  /** The SIWx nonce was already used (official SIWx storage: recordNonce twice) (409). */
  NONCE_REPLAYED = 'NONCE_REPLAYED',
  /** The ledger knows no settled payment with this id for this tenant (404). */
  PAYMENT_NOT_SETTLED = 'PAYMENT_NOT_SETTLED',
  /** The proof's wallet is not the payment's payer (403). */
  PAYER_MISMATCH = 'PAYER_MISMATCH',
  /** No policy with this id, or none covering the resource (404). */
  POLICY_NOT_FOUND = 'POLICY_NOT_FOUND',
  /** The policy does not cover this payment (amount, asset, network, payTo) or this route (403). */
  POLICY_NOT_COVERED = 'POLICY_NOT_COVERED',
  /** A policy document is invalid (400). */
  INVALID_POLICY = 'INVALID_POLICY',
  /** No session with this id for this tenant (404). */
  SESSION_NOT_FOUND = 'SESSION_NOT_FOUND',
  /** The session has no calls or budget left (402: pay again). */
  SESSION_EXHAUSTED = 'SESSION_EXHAUSTED',
  /** The session was revoked or has expired (410). */
  SESSION_ENDED = 'SESSION_ENDED',
  /** The wallet has no active session covering the resource (402: pay). */
  NO_ENTITLEMENT = 'NO_ENTITLEMENT',
  /** Signing keys or another dependency are not usable (503). */
  UNAVAILABLE = 'UNAVAILABLE',
  /**
   * Kafka mode: another process owns this session / nonce stream now, or this one is still catching up (503 +
   * Retry-After; retryable — `details.ownerUrl` names the owner when known).
   */
  NOT_OWNER = 'NOT_OWNER',
  /** Kafka mode: another writer recorded facts on this stream first (or the stream was lost meanwhile); retry (503). */
  WRITE_CONFLICT = 'WRITE_CONFLICT',
}

/** Retry hints of NOT_OWNER / WRITE_CONFLICT. */
export interface SessionsRetryDetails {
  partition?: number;
  ownerUrl?: string | null;
  retryAfterMs?: number;
}

export class SessionsException extends Error {
  constructor(
    readonly code: SessionsErrorCode,
    message: string,
    options?: { cause?: unknown; reason?: string; details?: SessionsRetryDetails },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionsException';
    this.reason = options?.reason;
    this.details = options?.details;
  }

  /** Retry hints (NOT_OWNER, WRITE_CONFLICT). */
  readonly details: SessionsRetryDetails | undefined;

  /** Machine-readable detail (the official SIWx reason code for SIWX_REJECTED). */
  readonly reason: string | undefined;
}

/** Shorthand for a refused SIWx proof with its official reason code. */
export function siwxRejected(reason: string, message: string): SessionsException {
  return new SessionsException(SessionsErrorCode.SIWX_REJECTED, message, { reason });
}
