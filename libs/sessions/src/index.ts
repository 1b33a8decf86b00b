// The session service: SIWx (CAIP-122) nonces and proofs, policies, sessions bought by settled payments, signed
// short-lived tokens (JWKS), usage, revocation feed, and the official SIWx storage — NestJS SessionsModule.
export { SessionsModule, type SessionsModuleOptions } from './sessions.module';
export { SessionsService } from './sessions.service';
export { DEFAULT_SESSIONS_CONFIG, type SessionsConfig } from './sessions.config';
export { SessionsErrorCode, SessionsException } from './sessions.exception';
export type { Principal } from './auth/principal';
export { ApiKeySessionsAuth, SessionsAuth, type ApiKeyAuthOptions, type AuthRequest } from './auth/sessions-auth';
export { SettledPayments, type SettledPayment } from './payments/settled-payments.port';
export { EventLogSettledPayments } from './payments/event-log-settled-payments';
export { PolicyRepository, VersionedPolicyRepository, parsePolicyInput } from './policy/policy.repository';
export { loadPoliciesFile } from './policy/policies-file';
export {
  sessionPolicyInputSchema,
  type SessionPolicy,
  type SessionPolicyInput,
  type SessionPolicyTerms,
} from './policy/session-policy';
export { SignatureVerifier, type SignatureCheck } from './siwx/signature-verifier.port';
export { ViemSignatureVerifier } from './siwx/viem-signature.verifier';
export { buildSiweMessage, parseSiweMessage, type SiweMessageFields } from './siwx/siwe-message';
export { decodeSiwxHeader, siweMessageOf, checkSiwxMessage, type SiwxProof } from './siwx/siwx-proof';
export { SessionTokenIssuer, type SessionTokenIssuerOptions } from './token/session-token.issuer';
export {
  SigningKeyStore,
  FileSigningKeyStore,
  MemorySigningKeyStore,
  type StoredSigningKey,
} from './token/signing-key.store';
export { RevocationFeed } from './revocation/revocation-feed';
export { RandomSource, CryptoRandomSource } from './store/random-source.port';
export { SystemClock } from './store/system-clock';
