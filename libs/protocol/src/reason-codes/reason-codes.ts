/**
 * Reason codes exactly as the official SDK (`@x402/evm` 2.27.0, `src/exact/facilitator/errors.ts`) emits them in
 * `invalidReason` / `errorReason`. They are opaque strings on the wire: clients, resource servers and dashboards match
 * them verbatim, so never reword one. `reason-codes.spec.ts` checks every EVM code against the installed SDK bundle.
 */
export const EvmReason = {
  AssetNotDeployedContract: 'asset_not_deployed_contract',
  InvalidScheme: 'invalid_exact_evm_scheme',
  NetworkMismatch: 'invalid_exact_evm_network_mismatch',
  MissingEip712Domain: 'invalid_exact_evm_missing_eip712_domain',
  RecipientMismatch: 'invalid_exact_evm_recipient_mismatch',
  InvalidSignature: 'invalid_exact_evm_signature',
  ValidBeforeExpired: 'invalid_exact_evm_payload_authorization_valid_before',
  ValidAfterInFuture: 'invalid_exact_evm_payload_authorization_valid_after',
  InvalidAuthorizationValue: 'invalid_exact_evm_authorization_value',
  AuthorizationValueMismatch: 'invalid_exact_evm_payload_authorization_value_mismatch',
  UndeployedSmartWallet: 'invalid_exact_evm_payload_undeployed_smart_wallet',
  TransactionFailed: 'invalid_exact_evm_transaction_failed',
  TransferEventMismatch: 'invalid_exact_evm_transfer_event_mismatch',
  TokenNameMismatch: 'invalid_exact_evm_token_name_mismatch',
  TokenVersionMismatch: 'invalid_exact_evm_token_version_mismatch',
  Eip3009NotSupported: 'invalid_exact_evm_eip3009_not_supported',
  NonceAlreadyUsed: 'invalid_exact_evm_nonce_already_used',
  InsufficientBalance: 'invalid_exact_evm_insufficient_balance',
  SimulationFailed: 'invalid_exact_evm_transaction_simulation_failed',
  Permit2InvalidSpender: 'invalid_permit2_spender',
  Permit2RecipientMismatch: 'invalid_permit2_recipient_mismatch',
  Permit2DeadlineExpired: 'permit2_deadline_expired',
  Permit2NotYetValid: 'permit2_not_yet_valid',
  Permit2AmountMismatch: 'permit2_amount_mismatch',
  Permit2TokenMismatch: 'permit2_token_mismatch',
  Permit2InvalidSignature: 'invalid_permit2_signature',
  Permit2AllowanceRequired: 'permit2_allowance_required',
  Permit2SimulationFailed: 'permit2_simulation_failed',
  Permit2InsufficientBalance: 'permit2_insufficient_balance',
  Permit2ProxyNotDeployed: 'permit2_proxy_not_deployed',
  FailedToParseSignature: 'invalid_exact_evm_failed_to_parse_signature',
  UnsupportedPayloadType: 'unsupported_payload_type',
  InvalidTransactionState: 'invalid_transaction_state',
  FactoryNotAllowed: 'eip6492_factory_not_allowed',
  SmartWalletDeploymentFailed: 'smart_wallet_deployment_failed',
  /** Broadcast done, receipt not (yet) known. Non-terminal: the answer carries the tx hash; the SDK retries once. */
  SettlementPending: 'settlement_pending',
} as const;
export type EvmReason = (typeof EvmReason)[keyof typeof EvmReason];

/**
 * Generic codes from the x402 V2 specification (§9). Used where the request is well-formed JSON but cannot be
 * processed by any scheme (unknown version, scheme or network), or for unexpected failures.
 */
export const GenericReason = {
  InvalidPayload: 'invalid_payload',
  InvalidPaymentRequirements: 'invalid_payment_requirements',
  InvalidNetwork: 'invalid_network',
  InvalidScheme: 'invalid_scheme',
  UnsupportedScheme: 'unsupported_scheme',
  InvalidX402Version: 'invalid_x402_version',
  UnexpectedVerifyError: 'unexpected_verify_error',
  UnexpectedSettleError: 'unexpected_settle_error',
} as const;
export type GenericReason = (typeof GenericReason)[keyof typeof GenericReason];

/** Every reason code this facilitator may put on the wire. */
export type ReasonCode = EvmReason | GenericReason;
