// Public API of the auth module: principals, API keys (durable on the EventLog), wallet sign-in, tokens.
export { AuthErrorCode, AuthException } from './auth.exception';
export {
  actorOf,
  adminPrincipal,
  canSeePayment,
  isAddress,
  isTenantId,
  payerPrincipal,
  providerPrincipal,
  type AdminPrincipal,
  type PayerPrincipal,
  type PaymentOwnership,
  type Principal,
  type PrincipalKind,
  type ProviderPrincipal,
} from './principal/principal';
export {
  API_KEY_CREATED,
  API_KEY_REVOKED,
  SYSTEM_TENANT,
  apiKeyCreatedV1,
  apiKeyEventRegistry,
  apiKeyRevokedV1,
  apiKeyStreamId,
  createApiKeyEventRegistry,
  type ApiKeyCreatedData,
  type ApiKeyRevokedData,
} from './api-keys/api-key.events';
export type { ApiKeyRecord, ApiKeySummary } from './api-keys/api-key.record';
export { ApiKeyIndex } from './api-keys/api-key.index';
export {
  API_KEY_PRODUCER,
  ApiKeyService,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type RevokeApiKeyInput,
} from './api-keys/api-key.service';
export { createApiKey, listApiKeys, openApiKeyService, revokeApiKey } from './api-keys/api-key.cli';
export { ProviderKeyResolver, type ProviderKeyPrincipal } from './api-keys/provider-key.resolver';
export { EventLogTail, type EventLogTailOptions, type TailListener, type TailPhase } from './log-tail/event-log-tail';
export { CryptoSecretGenerator, SecretGenerator } from './crypto/secret-generator.port';
export { SystemClock } from './crypto/system-clock';
export {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  AccessTokenService,
  type IssuedToken,
  type WalletPrincipal,
} from './tokens/access-token.service';
export { EoaSignatureVerifier, SignatureVerifier } from './wallet/signature-verifier.port';
export { SignInNonceStore } from './wallet/sign-in-nonce.store';
export {
  WalletSignInService,
  type SignInResult,
  type WalletRole,
  type WalletSignInOptions,
} from './wallet/wallet-sign-in.service';
export { Authenticator } from './authenticator';
export { AUTH_LOG_TAIL, AUTH_OPTIONS, AuthModule, type AuthModuleOptions } from './auth.module';
