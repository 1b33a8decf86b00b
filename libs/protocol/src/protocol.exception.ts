export enum ProtocolErrorCode {
  /** The body is not the JSON object the facilitator endpoints expect (shape, types, missing fields). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** `paymentPayload.x402Version` is neither 1 nor 2. */
  UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
  /** A V1 network name that maps to no known chain. */
  UNKNOWN_V1_NETWORK = 'UNKNOWN_V1_NETWORK',
  /** A payment header that is not standard base64 of a JSON object. */
  INVALID_HEADER = 'INVALID_HEADER',
}

/** The one exception of the protocol lib; transports map `code` to a status (400 for all of these). */
export class ProtocolException extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolException';
  }
}
