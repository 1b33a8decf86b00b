/** Every error the session SDK raises; `code` is stable, the message is for humans. */
export enum SessionGuardErrorCode {
  /** The token is not a well-formed JWS, its claims are malformed, or its signature does not verify. */
  INVALID_TOKEN = 'INVALID_TOKEN',
  /** The token's `kid` is not in the service's JWKS. */
  UNKNOWN_KEY = 'UNKNOWN_KEY',
  /** The token is past its `exp` (or before its `nbf`). */
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  /** The token was issued for another resource server (audience) or by another issuer. */
  WRONG_AUDIENCE = 'WRONG_AUDIENCE',
  /** The token does not cover this method + route. */
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
  /** The session was revoked (revocation feed). */
  REVOKED = 'REVOKED',
  /** The session has used its calls or its budget, or has ended. */
  EXHAUSTED = 'EXHAUSTED',
  /** The session service answered with an error or could not be reached. */
  SERVICE_ERROR = 'SERVICE_ERROR',
  /** The SDK was configured wrongly (bad origin, bad route pattern, …). */
  INVALID_CONFIG = 'INVALID_CONFIG',
}

export class SessionGuardException extends Error {
  constructor(
    readonly code: SessionGuardErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; serviceCode?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionGuardException';
    this.status = options?.status;
    this.serviceCode = options?.serviceCode;
  }

  /** HTTP status of the session service's answer, when the error came from it. */
  readonly status: number | undefined;
  /** The session service's error code, when the error came from it. */
  readonly serviceCode: string | undefined;
}
