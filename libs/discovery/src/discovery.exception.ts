export enum DiscoveryErrorCode {
  /** A query parameter or body field is malformed (400). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** No or an unknown API key on a provider endpoint (401). */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** Bazaar metadata that cannot be catalogued (400 on the register endpoint; `rejected` on verify/settle). */
  REJECTED_METADATA = 'REJECTED_METADATA',
  /** An outbound fetch was refused by policy or failed (timeout, size, redirect, private address, network) (502). */
  FETCH_FAILED = 'FETCH_FAILED',
  /** The configuration is invalid (thrown at start). */
  INVALID_CONFIG = 'INVALID_CONFIG',
}

/** The discovery module's one exception; DiscoveryExceptionFilter maps codes to HTTP statuses. */
export class DiscoveryException extends Error {
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DiscoveryException';
  }
}
