export enum FacilitatorErrorCode {
  /** No or an unknown API key (401). */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The key's request budget is spent (429). */
  RATE_LIMITED = 'RATE_LIMITED',
  /** Body larger than the facilitator accepts (400). */
  BODY_TOO_LARGE = 'BODY_TOO_LARGE',
  /** Same payment-identifier id, different payload (409). */
  PAYMENT_IDENTIFIER_CONFLICT = 'PAYMENT_IDENTIFIER_CONFLICT',
  /** The request did not finish within its time budget (503). */
  TIMEOUT = 'TIMEOUT',
  /** A fact could not be made durable on the event log, so it is not reported (503). */
  NOT_RECORDED = 'NOT_RECORDED',
}

/** The facilitator module's one exception; FacilitatorExceptionFilter maps codes to HTTP statuses and x402 bodies. */
export class FacilitatorException extends Error {
  constructor(
    readonly code: FacilitatorErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'FacilitatorException';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  readonly retryAfterSeconds?: number;
}
