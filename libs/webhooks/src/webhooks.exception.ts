/** Every error the webhooks module raises (including the receiver-side verification helper). */
export enum WebhooksErrorCode {
  /** The endpoint or delivery does not exist (or belongs to another tenant). */
  NOT_FOUND = 'NOT_FOUND',
  /** Malformed input: URL, event type pattern, description, limit. */
  INVALID_INPUT = 'INVALID_INPUT',
  /** Receiver side: a required webhook header is missing or malformed. */
  MISSING_HEADERS = 'MISSING_HEADERS',
  /** Receiver side: the timestamp is outside the tolerance (a replay, or a badly skewed clock). */
  TIMESTAMP_OUT_OF_TOLERANCE = 'TIMESTAMP_OUT_OF_TOLERANCE',
  /** Receiver side: no signature matches the body (tampered body, wrong secret, forged request). */
  SIGNATURE_INVALID = 'SIGNATURE_INVALID',
  /** Receiver side: the signed body is not a webhook event. */
  MALFORMED_BODY = 'MALFORMED_BODY',
}

/** The one exception class of the webhooks module. */
export class WebhooksException extends Error {
  constructor(
    readonly code: WebhooksErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebhooksException';
  }
}
