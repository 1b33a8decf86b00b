export enum ExactEvmErrorCode {
  /** `paymentPayload.payload` is not an EIP-3009 payload the SDK could process (missing fields, non-numeric values). */
  INVALID_PAYLOAD = 'INVALID_PAYLOAD',
  /** `paymentRequirements` cannot be processed (asset/payTo not addresses, amount not an integer). */
  INVALID_REQUIREMENTS = 'INVALID_REQUIREMENTS',
  /** The chain could not be read or written (all RPC endpoints failed). */
  CHAIN_UNAVAILABLE = 'CHAIN_UNAVAILABLE',
  /** The network is not configured. */
  UNKNOWN_NETWORK = 'UNKNOWN_NETWORK',
  /** No signer account is configured or usable for the network. */
  NO_SIGNER = 'NO_SIGNER',
}

/** The one exception of the EVM exact scheme. Transports map INVALID_* to 400 and CHAIN_UNAVAILABLE to 503. */
export class ExactEvmException extends Error {
  constructor(
    readonly code: ExactEvmErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExactEvmException';
  }
}
