/** Every error the auth module raises. Transports map `code` to HTTP/GraphQL errors; the message is for humans. */
export enum AuthErrorCode {
  /** No credentials, or credentials that do not verify (unknown/revoked key, bad or expired token). */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The principal is known but may not do this. */
  FORBIDDEN = 'FORBIDDEN',
  /** Input to a key or sign-in operation is malformed (tenant, address, label, SIWE message). */
  INVALID_INPUT = 'INVALID_INPUT',
  /** The API key named does not exist. */
  KEY_NOT_FOUND = 'KEY_NOT_FOUND',
  /** A SIWE message failed validation: domain, nonce, time window or signature. */
  SIGN_IN_REJECTED = 'SIGN_IN_REJECTED',
  /** The key index has not finished reading the event log yet. */
  NOT_READY = 'NOT_READY',
}

/** The one exception class of the auth module. */
export class AuthException extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthException';
  }
}
