export enum DevChainErrorCode {
  INVALID_OPTIONS = 'INVALID_OPTIONS',
  RPC_PORT_IN_USE = 'RPC_PORT_IN_USE',
  SETUP_FAILED = 'SETUP_FAILED',
}

/** Raised while starting the embedded dev chain; `cause` carries the underlying error where there is one. */
export class DevChainException extends Error {
  constructor(
    readonly code: DevChainErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevChainException';
  }
}
